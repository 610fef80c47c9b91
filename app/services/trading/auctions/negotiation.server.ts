import type { ClientSession, Types } from "mongoose";
import { Auction } from "~/models/auction.server.ts";
import { maybeId } from "../../kernel/ids.server.ts";

/**
 * Whether `userId` is the top bidder of this listing's last auction, which closed below the
 * reserve: they are invited to negotiate, so they may make an offer on the auction-priced listing
 * (asked by trading/offers and the trading summary).
 */
export async function invitedToNegotiate(
  listingId: string | Types.ObjectId,
  userId: string | null,
  session: ClientSession | null = null,
): Promise<boolean> {
  const listing = maybeId(String(listingId));
  if (!userId || !listing) return false;
  const last = await Auction.findOne({ listing, status: { $ne: "cancelled" } }, { status: 1, outcome: 1 })
    .sort({ createdAt: -1 })
    .session(session)
    .lean();
  return !!last && last.status === "closed" && last.outcome?.result === "reserve-not-met" && String(last.outcome.winnerUser) === userId;
}
