import mongoose from "mongoose";
import { Auction, Bid } from "~/models/auction.server.ts";
import { WatchAuctionSchema, type AuctionBidEvent, type AuctionStateEvent } from "~/schemas/realtime.ts";
import { minimumBid, phaseOf } from "~/services/trading/auctions/rules.ts";
import { logger } from "~/utils/logger.server.ts";
import { ackOf, type RealtimeServer, type RealtimeSocket } from "./socket.ts";

/**
 * Live auction pages. Anyone may watch a public auction (bidders are numbers to each other, so
 * nothing private goes out). What is broadcast comes from a MongoDB change stream on the bids and
 * auctions collections, not from the process that took the bid: every instance watches the same
 * stream, so a bid taken by one instance reaches the watchers connected to all of them, and only
 * what is committed is ever shown (store first, then emit).
 */

const room = (id: string) => `auction:${id}`;

export function registerAuctionHandlers(socket: RealtimeSocket) {
  socket.on("auction:watch", async (payload, ack) => {
    const reply = ackOf("auction:watch", ack);
    const parsed = WatchAuctionSchema.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: "invalid auctionId" });
    try {
      const exists = await Auction.exists({ _id: parsed.data.auctionId });
      if (!exists) return reply({ ok: false, error: "not found" });
      await socket.join(room(parsed.data.auctionId));
      reply({ ok: true });
    } catch (err) {
      logger.warn({ err }, "auction:watch failed");
      reply({ ok: false, error: "unavailable" });
    }
  });
  socket.on("auction:unwatch", async (payload) => {
    const parsed = WatchAuctionSchema.safeParse(payload);
    if (parsed.success) await socket.leave(room(parsed.data.auctionId));
  });
}

type AuctionLike = Parameters<typeof minimumBid>[0] &
  Parameters<typeof phaseOf>[0] & {
    _id: unknown;
    lastSeq: number;
    bidCount: number;
    extensions: number;
    reservePrice?: number | null;
    outcome?: { result?: string | null; price?: number | null; deal?: unknown } | null;
    settlement?: string | null;
  };

export function stateEvent(a: AuctionLike): AuctionStateEvent {
  const hasReserve = a.reservePrice != null && a.reservePrice > 0;
  return {
    auctionId: String(a._id),
    status: a.status,
    phase: phaseOf(a),
    lastSeq: a.lastSeq,
    bidCount: a.bidCount,
    currentPrice: a.currentPrice ?? null,
    nextMinimum: minimumBid(a),
    currentEndsAt: new Date(a.currentEndsAt).toISOString(),
    extensions: a.extensions ?? 0,
    reserveMet: hasReserve ? a.currentPrice != null && a.currentPrice >= a.reservePrice! : null,
    outcome: a.outcome?.result
      ? { result: a.outcome.result, price: a.outcome.price ?? null, dealId: a.outcome.deal ? String(a.outcome.deal) : null }
      : null,
    settled: a.status === "closed" && a.settlement === "done",
  };
}

/** Follows the change stream for as long as the server runs; reconnects after errors. */
export function startAuctionFeed(io: RealtimeServer): () => void {
  let stopped = false;
  let stream: mongoose.mongo.ChangeStream | null = null;
  let retry: NodeJS.Timeout | undefined;
  const open = () => {
    if (stopped) return;
    const db = mongoose.connection.db;
    if (!db || mongoose.connection.readyState !== 1) {
      retry = setTimeout(open, 1000);
      return;
    }
    const bids = Bid.collection.collectionName;
    const auctions = Auction.collection.collectionName;
    stream = db.watch(
      [
        {
          $match: {
            $or: [
              { "ns.coll": bids, operationType: "insert" },
              { "ns.coll": auctions, operationType: { $in: ["update", "replace"] } },
            ],
          },
        },
      ],
      { fullDocument: "updateLookup" },
    );
    stream.on("change", (change: mongoose.mongo.ChangeStreamDocument) => {
      if (!("fullDocument" in change) || !change.fullDocument || !("ns" in change)) return;
      const doc = change.fullDocument as Record<string, unknown>;
      if (change.ns.coll === bids) {
        const b = doc as { auction: unknown; seq: number; amount: number; bidderNumber: number; placedAt: Date };
        const event: AuctionBidEvent = {
          auctionId: String(b.auction),
          seq: b.seq,
          amount: b.amount,
          bidderNumber: b.bidderNumber,
          placedAt: new Date(b.placedAt).toISOString(),
        };
        io.to(room(event.auctionId)).emit("auction:bid", event);
      } else {
        const a = doc as unknown as AuctionLike;
        io.to(room(String(a._id))).emit("auction:state", stateEvent(a));
      }
    });
    stream.on("error", (err) => {
      if (stopped) return;
      logger.warn({ err: (err as Error).message }, "auction change stream failed; reopening");
      void stream?.close().catch(() => {});
      retry = setTimeout(open, 1000);
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    void stream?.close().catch(() => {});
  };
}
