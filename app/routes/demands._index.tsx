import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BrowseLayout } from "~/components/listing/browse.tsx";
import { DemandCard } from "~/components/listing/listing-card.tsx";
import { loadBrowse } from "~/web/listings.server.ts";
import listingStyles from "~/styles/listings.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

/** /demands?field=food-processing&page=2 — published demands, newest first. */
export async function loader({ request }: LoaderFunctionArgs) {
  return json(await loadBrowse(request, "demand"));
}

export default function DemandsIndex() {
  const data = useLoaderData<typeof loader>();
  return (
    <BrowseLayout kind="demand" total={data.total} page={data.page} pages={data.pages} field={data.field} canCreate={data.canCreate}>
      {data.items.map((item) => (
        <DemandCard key={item.id} item={item} headingLevel={2} verified={data.verifiedOwners.includes(item.enterprise.id)} />
      ))}
    </BrowseLayout>
  );
}
