import { z } from "zod";

/**
 * The auction events on socket.io, shared by the server (server/realtime/auctions.ts) and the
 * page (app/components/auction/use-auction-live.ts). Amounts in fen.
 */

/** client → server `auction:watch` / `auction:unwatch`. */
export const WatchAuctionSchema = z.object({ auctionId: z.string().regex(/^[a-f0-9]{24}$/i) });

/** server → client `auction:bid`: one accepted (committed) bid; bidders are numbers. */
export interface AuctionBidEvent {
  auctionId: string;
  seq: number;
  amount: number;
  bidderNumber: number;
  placedAt: string;
}

/** server → client `auction:state`: the auction after a change (a bid, an extension, the close). */
export interface AuctionStateEvent {
  auctionId: string;
  status: string;
  phase: string;
  lastSeq: number;
  bidCount: number;
  currentPrice: number | null;
  nextMinimum: number;
  currentEndsAt: string;
  extensions: number;
  reserveMet: boolean | null;
  outcome: { result: string; price: number | null; dealId: string | null } | null;
}
