import type { LoaderFunctionArgs } from "@remix-run/node";
import { auctionJson, optionalApiActor } from "~/components/auction/api.server.ts";
import { getAuction } from "~/services/auctions.server.ts";
import { apiHandler, apiJson, methodNotAllowed } from "~/web/api/envelope.server.ts";

/** GET /api/v1/auctions/:id — the auction's public state (and the caller's registration, if any). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const actor = await optionalApiActor(request);
  return apiJson(auctionJson(await getAuction(actor, params.id ?? "")));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
