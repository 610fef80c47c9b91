import { Auction, AuctionRegistration, Bid } from "~/models/auction.server.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import type { Actor } from "../../kernel/actor.ts";
import { oid, parseId } from "../../kernel/ids.server.ts";
import { isTransientTransactionError } from "../../kernel/mongo-errors.ts";
import { withTransactionOnce } from "../../kernel/tx.server.ts";
import { AuctionError } from "./errors.ts";
import { bidHash, extendedEnd, incrementAt, isLargeBid, isSellerSide, lowestMinimumFrom, minimumBid, phaseOf, type Tier } from "./rules.ts";

/**
 * The bid engine (docs/decisions/007-auctions.md). Bids are serialised on the auction document: a
 * bid reads the head of the chain (`lastSeq`, `lastBidHash`, `currentPrice`), and in ONE
 * transaction moves the head with a conditional update on the `lastSeq` it read and inserts the
 * bid. Two bids that read the same head cannot both commit (the conditional update matches once;
 * MongoDB aborts the other as a write conflict), and the loser retries against the new head, where
 * it is accepted if it still beats the price by the increment or refused as outbid. So no bid is
 * lost, none is accepted twice, and the chain has no gaps.
 *
 * Two process-level aids keep it fast on one instance: bids on one auction queue up in the process
 * (`serialized`) instead of racing each other into write conflicts, and each process remembers the
 * last head it saw (`knownHeads`), so a bid that cannot beat it is refused without a transaction.
 */

export interface PlacedBid {
  seq: number;
  amount: number;
  bidderNumber: number;
  placedAt: string;
  currentEndsAt: string;
  extended: boolean;
  nextMinimum: number;
  hash: string;
}

class HeadMoved extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Places a bid of `amountFen` as the actor. Throws AuctionError (with a code) when refused. */
export async function placeBid(
  actor: Actor,
  auctionId: string,
  amountFen: number,
  /** `queue: false` skips the in-process queue, as if every bid came from another instance (tests). */
  /** `confirmLarge: false` refuses a bid far above the minimum (isLargeBid) until it is confirmed (the site's form); unset, it is not asked (the API). */
  opts: { via?: "ui" | "api"; now?: () => Date; queue?: boolean; confirmLarge?: boolean } = {},
): Promise<PlacedBid> {
  if (!Number.isInteger(amountFen) || amountFen < 1)
    throw new AuctionError(400, "invalid_amount", "auction.errors.amountNumber", {}, "amount");
  if (!actor.id) throw new ForbiddenError();
  const id = parseId(auctionId);
  // The registration is read once, before the transaction: a held deposit changes only at the
  // close's settlement, after the auction has left `open`, which the conditional update checks.
  const r = await AuctionRegistration.findOne({ auction: id, user: oid(actor.id) }, { deposit: 1, number: 1 }).lean();
  const clock = opts.now ?? (() => new Date());
  // Bids on one auction from this process queue up instead of racing each other into write
  // conflicts; bids from other instances still meet at the conditional update.
  const attemptLoop = async (): Promise<PlacedBid> => {
    // A bid that cannot beat the price this process already knows is refused without a round trip:
    // prices only rise, so it cannot beat the real one either (see lowestMinimumFrom).
    const known = knownHeads.get(String(id));
    if (known && known.price != null && r?.deposit?.status === "held" && amountFen < lowestMinimumFrom(known.increments, known.price)) {
      const min = minimumBid({ startPrice: known.startPrice, currentPrice: known.price, increments: known.increments });
      throw new AuctionError(409, "bid_too_low", "auction.errors.bidTooLow", { minimum: formatYuan(min), minimumFen: min }, "amount");
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const placed = await withTransactionOnce(async (session) => {
          const a = await Auction.findById(id).session(session).lean();
          if (!a) throw new NotFoundError();
          const now = clock();
          if (isSellerSide(actor, a)) throw new AuctionError(403, "own_auction", "auction.errors.ownAuction");
          const phase = phaseOf(a, now);
          if (phase === "scheduled") throw new AuctionError(409, "auction_not_started", "auction.errors.notStarted");
          if (phase !== "live") throw new AuctionError(409, "auction_not_live", "auction.errors.notLive");
          if (!r) throw new AuctionError(403, "not_registered", "auction.errors.notRegistered");
          if (r.deposit?.status !== "held") throw new AuctionError(403, "deposit_not_held", "auction.errors.depositNotHeld");
          rememberHead(String(a._id), a.currentPrice ?? null, a);
          const min = minimumBid(a);
          if (amountFen < min) {
            throw new AuctionError(409, "bid_too_low", "auction.errors.bidTooLow", { minimum: formatYuan(min), minimumFen: min }, "amount");
          }
          if (opts.confirmLarge === false && isLargeBid(amountFen, min)) {
            throw new AuctionError(
              409,
              "bid_needs_confirmation",
              "auction.errors.confirmLargeBid",
              { minimum: formatYuan(min), minimumFen: min, amount: formatYuan(amountFen) },
              "amount",
            );
          }
          const seq = a.lastSeq + 1;
          const end = extendedEnd(a, now);
          const hash = bidHash({
            auction: String(a._id),
            seq,
            bidderNumber: r.number,
            amount: amountFen,
            placedAt: now,
            prevHash: a.lastBidHash,
          });
          const moved = await Auction.updateOne(
            { _id: a._id, status: "open", lastSeq: a.lastSeq },
            {
              $set: { currentPrice: amountFen, leader: r._id, lastBidHash: hash, currentEndsAt: end },
              $inc: { lastSeq: 1, bidCount: 1, extensions: end > a.currentEndsAt ? 1 : 0 },
            },
            { session },
          );
          if (moved.matchedCount === 0) throw new HeadMoved();
          await Bid.create(
            [
              {
                auction: a._id,
                seq,
                registration: r._id,
                bidderNumber: r.number,
                user: oid(actor.id!),
                amount: amountFen,
                placedAt: now,
                via: opts.via ?? "ui",
                prevHash: a.lastBidHash,
                hash,
              },
            ],
            { session },
          );
          return {
            seq,
            amount: amountFen,
            bidderNumber: r.number,
            placedAt: now.toISOString(),
            currentEndsAt: end.toISOString(),
            extended: end > a.currentEndsAt,
            nextMinimum: amountFen + incrementAt(a.increments, amountFen),
            hash,
          };
        });
        // Committed: the price this process knows is now at least this bid.
        const k = knownHeads.get(String(id));
        if (k) rememberHead(String(id), placed.amount, k);
        return placed;
      } catch (e) {
        if (!(e instanceof HeadMoved) && !isTransientTransactionError(e)) throw e;
        if (attempt >= 200) throw new AuctionError(409, "busy", "auction.errors.busy");
        // Jittered back-off, growing a little with each lost race, so contenders spread out.
        await sleep(Math.random() * Math.min(50, 2 + attempt * 3));
      }
    }
  };
  return opts.queue === false ? attemptLoop() : serialized(String(id), attemptLoop);
}

/** The last auction head this process read or wrote, per auction: a lower bound of the real one. */
const knownHeads = new Map<string, { price: number | null; startPrice: number; increments: readonly Tier[] }>();
function rememberHead(id: string, price: number | null, a: { startPrice: number; increments: readonly Tier[] }) {
  const prev = knownHeads.get(id)?.price ?? null;
  // Only ever raised: reads in concurrent transactions may be older than what is already known.
  const next = prev == null ? price : price == null ? prev : Math.max(prev, price);
  knownHeads.set(id, {
    price: next,
    startPrice: a.startPrice,
    increments: a.increments.map((t) => ({ from: t.from, increment: t.increment })),
  });
}

const queues = new Map<string, Promise<unknown>>();
/** Runs `fn` after every earlier call with the same key (in this process) has finished. */
function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = queues.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.then(
    () => {},
    () => {},
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}
