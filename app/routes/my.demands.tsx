import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { loadMine, mineAction } from "~/web/listings.server.ts";
import { MyListings } from "~/components/listing/my-listings.tsx";
import listingStyles from "~/styles/listings.css";
import type { ActionResult } from "~/schemas/action-result.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return json(await loadMine(request, "demand"));
}

export async function action({ request }: ActionFunctionArgs) {
  return mineAction(request, "demand");
}

export default function MyDemands() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData() as ActionResult | undefined;
  return (
    <MyListings
      kind="demand"
      rows={data.rows}
      counts={data.counts}
      total={data.total}
      status={data.status}
      hasOrganization={data.hasOrganization}
      result={result}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
