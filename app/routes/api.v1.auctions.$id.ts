import type { LoaderFunctionArgs } from "@remix-run/node";
import { getAuction } from "~/services/trading/auctions/queries.server.ts";
import { optionalApiActor } from "~/web/api/actor.server.ts";
import { apiHandler, apiJson, methodNotAllowed } from "~/web/api/envelope.server.ts";
import { auctionJson } from "~/web/api/presenters/auctions.ts";

/** GET /api/v1/auctions/:id — the auction's public state (and the caller's registration, if any). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const actor = await optionalApiActor(request);
  return apiJson(auctionJson(await getAuction(actor, params.id ?? "")));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
