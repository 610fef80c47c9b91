import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BrowseLayout } from "~/components/listing/browse.tsx";
import { AchievementCard } from "~/components/listing/listing-card.tsx";
import { loadBrowse } from "~/web/listings.server.ts";
import listingStyles from "~/styles/listings.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

/** /achievements?field=biomedicine&page=2 — published achievements, newest first. */
export async function loader({ request }: LoaderFunctionArgs) {
  return json(await loadBrowse(request, "achievement"));
}

export default function AchievementsIndex() {
  const data = useLoaderData<typeof loader>();
  return (
    <BrowseLayout kind="achievement" total={data.total} page={data.page} pages={data.pages} field={data.field} canCreate={data.canCreate}>
      {data.items.map((item) => (
        <AchievementCard key={item.id} item={item} headingLevel={2} verified={data.verifiedOwners.includes(item.owner.id)} />
      ))}
    </BrowseLayout>
  );
}
