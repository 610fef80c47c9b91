import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { BidSchema } from "~/schemas/auctions.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { placeBid } from "~/services/trading/auctions/bidding.server.ts";
import { getAuction } from "~/services/trading/auctions/queries.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiActor, optionalApiActor } from "~/web/api/actor.server.ts";
import { apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { auctionApiHandler, bidsJson, placedBidJson } from "~/web/api/presenters/auctions.ts";

/** GET /api/v1/auctions/:id/bids — the latest bids (bidders by number). */
export const loader = auctionApiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const actor = await optionalApiActor(request);
  return apiJson(bidsJson(await getAuction(actor, params.id ?? "", { bidLimit: 200 })));
});

/**
 * POST /api/v1/auctions/:id/bids `{ "amount": <yuan> }` — a bid as the acting person (session
 * cookie with a JSON body, or a personal API token). 201 with the accepted bid; refusals carry a
 * code (`bid_too_low` with `minimumBid`, `not_registered`, `deposit_not_held`, `auction_not_live`…).
 */
export const action = auctionApiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const caller = await requireApiUser(request);
  // An auction that does not exist (or is not shown to the caller) is a 404 before the body is read.
  await getAuction(apiActor(caller), params.id ?? "");
  const body = await readJsonBody(request, 16 * 1024);
  const parsed = BidSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const bid = await placeBid(apiActor(caller), params.id ?? "", parsed.data.amount, { via: "api" });
  return apiJson(placedBidJson(bid), { status: 201 });
});
