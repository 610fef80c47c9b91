import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiActor, auctionErrorResponse, optionalApiActor } from "~/components/auction/api.server.ts";
import { BidSchema } from "~/schemas/auctions.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { AuctionError, getAuction, placeBid } from "~/services/auctions.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";

/** GET /api/v1/auctions/:id/bids — the latest bids (bidders by number). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const actor = await optionalApiActor(request);
  const a = await getAuction(actor, params.id ?? "", { bidLimit: 200 });
  return apiJson({
    auctionId: a.id,
    bids: a.bids.map((b) => ({ seq: b.seq, bidderNumber: b.bidderNumber, amount: b.amount / 100, placedAt: b.placedAt, mine: b.mine })),
  });
});

/**
 * POST /api/v1/auctions/:id/bids `{ "amount": <yuan> }` — a bid as the acting person (session
 * cookie with a JSON body, or a personal API token). 201 with the accepted bid; refusals carry a
 * code (`bid_too_low` with `minimumBid`, `not_registered`, `deposit_not_held`, `auction_not_live`…).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const caller = await requireApiUser(request);
  const body = await readJsonBody(request, 16 * 1024);
  const parsed = BidSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  try {
    const bid = await placeBid(apiActor(caller), params.id ?? "", parsed.data.amount, { via: "api" });
    return apiJson(
      {
        bid: { seq: bid.seq, amount: bid.amount / 100, bidderNumber: bid.bidderNumber, placedAt: bid.placedAt, hash: bid.hash },
        auction: {
          currentPrice: bid.amount / 100,
          minimumBid: bid.nextMinimum / 100,
          currentEndsAt: bid.currentEndsAt,
          extended: bid.extended,
        },
      },
      { status: 201 },
    );
  } catch (e) {
    if (e instanceof AuctionError) return auctionErrorResponse(e);
    throw e;
  }
});
