import { createHash, randomUUID } from "node:crypto";
import os from "node:os";
import { type ClientSession, type Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import {
  Auction,
  AuctionRegistration,
  Bid,
  type AuctionDoc,
  type AuctionResult,
  type AuctionStatus,
  type DepositStatus,
} from "~/models/auction.server.ts";
import { openDeal, sellerSideUsers } from "~/services/deals.server.ts";
import { relationsOf } from "~/services/listings.server.ts";
import { notify, type NotifyInput } from "~/services/notifications.server.ts";
import { captureDeposit, releaseDeposit, startDepositHold, syncPayment } from "~/services/payments/deposits.server.ts";
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import { type Actor, type Via } from "~/services/kernel/actor.ts";
import { recordAudit } from "./kernel/audit.server.ts";
import { maybeId, newId, oid, parseId } from "./kernel/ids.server.ts";
import { isTransientTransactionError } from "./kernel/mongo-errors.ts";
import { withTransaction, withTransactionOnce } from "./kernel/tx.server.ts";

/**
 * 竞价 (DESIGN.md: Trading → Auction): announcement → bidder registration with the bidder
 * agreement → deposit held → bidding with anti-sniping → close exactly once → deal.
 *
 * Bids are serialised on the auction document: a bid reads the head of the chain (`lastSeq`,
 * `lastBidHash`, `currentPrice`), and in ONE transaction moves the head with a conditional update
 * on the `lastSeq` it read and inserts the bid. Two bids that read the same head cannot both commit
 * (the conditional update matches once; MongoDB aborts the other as a write conflict), and the loser
 * retries against the new head, where it is accepted if it still beats the price by the increment or
 * refused as outbid. So no bid is lost, none is accepted twice, and the chain has no gaps.
 */

export const BIDDER_AGREEMENT_VERSION = "2026-11";
const MAX_DURATION_MS = 90 * 86_400_000;
/** A close claimed by an instance that then died is taken over after this long. */
export const CLOSE_LEASE_MS = 60_000;

/** A bid or registration refused for a reason the bidder must see (with a machine code for the API). */
/** A refused auction action: its HTTP status, a machine code for the API, the message's parameters and the field it is about. */
export class AuctionError extends DomainError {
  override readonly code: string;
  constructor(
    override readonly status: 400 | 403 | 404 | 409,
    code: string,
    message: string,
    params: Record<string, string | number> = {},
    field: string | null = null,
  ) {
    super(message, { params, field, code });
    this.code = code;
  }
}

type AuctionRow = AuctionDoc & { _id: Types.ObjectId; createdAt: Date };
type Tier = { from: number; increment: number };

// ---------------------------------------------------------------------------------------------
// Pure rules

/** The increment that applies at a current price: the last tier whose `from` it has reached. */
export function incrementAt(tiers: readonly Tier[], price: number): number {
  let inc = tiers[0]!.increment;
  for (const t of tiers) if (price >= t.from) inc = t.increment;
  return inc;
}

/** The lowest acceptable next bid: the start price, or the current price plus its increment. */
export function minimumBid(a: { startPrice: number; currentPrice?: number | null; increments: readonly Tier[] }): number {
  return a.currentPrice == null ? a.startPrice : a.currentPrice + incrementAt(a.increments, a.currentPrice);
}

/**
 * Anti-sniping: a bid inside the final window extends the end by the window, but never past the
 * scheduled end plus the cap. Returns the (possibly unchanged) end.
 */
export function extendedEnd(a: { endsAt: Date; currentEndsAt: Date; antiSnipeWindowSec: number; antiSnipeCapSec: number }, at: Date): Date {
  const windowMs = a.antiSnipeWindowSec * 1000;
  if (windowMs <= 0 || at.getTime() < a.currentEndsAt.getTime() - windowMs) return a.currentEndsAt;
  const capped = Math.min(a.currentEndsAt.getTime() + windowMs, a.endsAt.getTime() + a.antiSnipeCapSec * 1000);
  return new Date(Math.max(capped, a.currentEndsAt.getTime()));
}

export function genesisHash(auctionId: string): string {
  return createHash("sha256").update(`chengguo:auction:${auctionId}`).digest("hex");
}

/** The hash of one bid: its content in a fixed order, chained to the previous bid's hash. */
export function bidHash(b: {
  auction: string;
  seq: number;
  bidderNumber: number;
  amount: number;
  placedAt: Date;
  prevHash: string;
}): string {
  const canonical = JSON.stringify([b.auction, b.seq, b.bidderNumber, b.amount, b.placedAt.toISOString(), b.prevHash]);
  return createHash("sha256").update(canonical).digest("hex");
}

export type AuctionPhase = "scheduled" | "live" | "ended" | "closed" | "cancelled";
export function phaseOf(a: { status: string; startsAt: Date; currentEndsAt: Date }, now = new Date()): AuctionPhase {
  if (a.status === "closed") return "closed";
  if (a.status === "cancelled") return "cancelled";
  if (a.status === "closing" || now >= a.currentEndsAt) return "ended";
  if (now < a.startsAt) return "scheduled";
  return "live";
}

// ---------------------------------------------------------------------------------------------
// Create

export interface AuctionInput {
  startPrice: number;
  reservePrice: number | null;
  increments: Tier[];
  deposit: number;
  /** null = now. */
  startsAt: Date | null;
  endsAt: Date;
  antiSnipeWindowSec: number;
  antiSnipeCapSec: number;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
}

/** The seller side (with `auction:run`) or a broker runs an auction of a trading, auction-priced listing. */
export async function createAuction(
  actor: Actor,
  listingId: string,
  input: AuctionInput,
  opts: { now?: Date; via?: Via } = {},
): Promise<string> {
  const now = opts.now ?? new Date();
  if (!actor.id || !can(actor, "auction:run")) throw new ForbiddenError();
  const listing = await Achievement.findById(parseId(listingId)).lean();
  if (!listing) throw new NotFoundError();
  const rel = relationsOf(actor, listing);
  const isBroker = !rel.has("owner") && hasRole(actor, "broker");
  if (!rel.has("owner") && !isBroker) throw new ForbiddenError("auction.errors.notSeller");
  if (listing.status !== "trading") throw new AuctionError(409, "listing_not_trading", "auction.errors.listingNotTrading");
  if (listing.price?.mode !== "auction") throw new AuctionError(409, "not_auction_priced", "auction.errors.notAuctionPriced");

  const errors: Record<string, string[]> = {};
  const add = (k: string, m: string) => (errors[k] ??= []).push(m);
  const startsAt = input.startsAt && input.startsAt > now ? input.startsAt : now;
  if (input.reservePrice != null && input.reservePrice < input.startPrice) add("reservePrice", "auction.errors.reserveBelowStart");
  const tiers = [...input.increments].sort((a, b) => a.from - b.from);
  if (tiers.length === 0) add("increment", "auction.errors.incrementRequired");
  else if (tiers[0]!.from !== 0) add("tiers", "auction.errors.firstTierFromZero");
  if (tiers.some((t, i) => i > 0 && t.from === tiers[i - 1]!.from)) add("tiers", "auction.errors.tiersDistinct");
  if (tiers.some((t) => !Number.isInteger(t.increment) || t.increment < 1)) add("increment", "auction.errors.amountPositive");
  if (!Number.isInteger(input.deposit) || input.deposit < 100) add("deposit", "auction.errors.depositMin");
  if (input.deposit > input.startPrice) add("deposit", "auction.errors.depositAboveStart");
  if (input.endsAt <= startsAt) add("endsAt", "auction.errors.endBeforeStart");
  if (input.endsAt.getTime() - startsAt.getTime() > MAX_DURATION_MS) add("endsAt", "auction.errors.tooLong");
  if (input.startsAt && input.startsAt.getTime() - now.getTime() > MAX_DURATION_MS) add("startsAt", "auction.errors.tooFar");
  if (!(listing.transactionModes ?? []).includes(input.transactionMode)) add("transactionMode", "auction.errors.transactionMode");
  if (input.transactionMode === "license") {
    const offered = listing.licenseExclusivity ?? [];
    if (!input.licenseExclusivity || !offered.includes(input.licenseExclusivity)) add("licenseExclusivity", "auction.errors.exclusivity");
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);

  const id = newId();
  try {
    await Auction.create({
      _id: id,
      listing: listing._id,
      listingTitle: listing.title,
      sellerOrganization: listing.owner,
      sellerName: listing.ownerName,
      createdBy: oid(actor.id),
      createdByName: actor.name,
      broker: isBroker ? oid(actor.id) : undefined,
      transactionMode: input.transactionMode,
      licenseExclusivity: input.transactionMode === "license" ? input.licenseExclusivity : undefined,
      startPrice: input.startPrice,
      reservePrice: input.reservePrice,
      increments: tiers,
      deposit: input.deposit,
      startsAt,
      endsAt: input.endsAt,
      currentEndsAt: input.endsAt,
      antiSnipeWindowSec: input.antiSnipeWindowSec,
      antiSnipeCapSec: input.antiSnipeCapSec,
      lastBidHash: genesisHash(String(id)),
    });
  } catch (e) {
    if ((e as { code?: number }).code === 11000) throw new AuctionError(409, "auction_exists", "auction.errors.alreadyRunning");
    throw e;
  }
  await auditAuction(null, id, "create", actor, opts.via ?? "ui", now);
  return String(id);
}

function auditAuction(
  session: ClientSession | null,
  id: Types.ObjectId,
  action: string,
  actor: Actor | null,
  via: Via,
  at: Date,
  reason?: string,
) {
  return recordAudit(session, { subjectType: "auction", subject: id, action, actor, via, at, reason });
}

// ---------------------------------------------------------------------------------------------
// Register and pay the deposit

export interface RegistrationView {
  number: number;
  agreementAcceptedAt: string;
  deposit: { status: DepositStatus; amount: number; paymentId: string | null };
}

/**
 * Registers the buyer (idempotent: a second call returns the same registration) and starts the
 * deposit hold. Returns where to send the buyer to pay, or null when the deposit is already held.
 */
export async function registerBidder(
  actor: Actor & { email?: string },
  auctionId: string,
  urls: { successUrl: string; cancelUrl: string },
  opts: { now?: Date; via?: Via } = {},
): Promise<{ registration: RegistrationView; redirectUrl: string | null }> {
  const now = opts.now ?? new Date();
  if (!actor.id) throw new ForbiddenError();
  const auction = await Auction.findById(parseId(auctionId)).lean();
  if (!auction) throw new NotFoundError();
  if (isSellerSide(actor, auction)) throw new AuctionError(403, "own_auction", "auction.errors.ownAuction");
  if (!can(actor, "auction:bid")) throw new AuctionError(403, "buyer_role_required", "auction.errors.buyerRoleRequired");
  const phase = phaseOf(auction, now);
  if (phase !== "live" && phase !== "scheduled") throw new AuctionError(409, "auction_not_live", "auction.errors.registrationClosed");

  let reg = await AuctionRegistration.findOne({ auction: auction._id, user: oid(actor.id) }).lean();
  if (!reg) {
    try {
      // Registrations contend only on the counter: MongoDB's own retry of transient conflicts suffices.
      reg = await withTransaction(async (session) => {
        // The bidder number comes from the auction's counter, in the same transaction as the insert.
        const a = await Auction.findOneAndUpdate(
          { _id: auction._id },
          { $inc: { registrations: 1 } },
          { session, returnDocument: "after" },
        ).lean();
        const [doc] = await AuctionRegistration.create(
          [
            {
              auction: auction._id,
              user: oid(actor.id!),
              userName: actor.name,
              organization: actor.organization ? oid(actor.organization.id) : undefined,
              organizationName: actor.organization?.name,
              number: a!.registrations,
              agreementVersion: BIDDER_AGREEMENT_VERSION,
              agreementAcceptedAt: now,
              deposit: { status: "none", amount: auction.deposit },
            },
          ],
          { session },
        );
        return doc!.toObject();
      });
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e;
      reg = await AuctionRegistration.findOne({ auction: auction._id, user: oid(actor.id) }).lean();
      if (!reg) throw e;
    }
  }
  const status = reg.deposit?.status as DepositStatus;
  if (status === "held" || status === "captured") return { registration: registrationView(reg), redirectUrl: null };
  // A hold that the buyer started and abandoned is started again; a pending one is re-synced first.
  if (status === "pending" && reg.deposit?.payment) {
    const s = await syncPayment(String(reg.deposit.payment));
    if (s === "held") {
      const fresh = await AuctionRegistration.findById(reg._id).lean();
      return { registration: registrationView(fresh!), redirectUrl: null };
    }
  }
  const { paymentId, redirectUrl } = await startDepositHold({
    payer: { id: actor.id, name: actor.name, email: actor.email },
    amountFen: auction.deposit,
    subject: { kind: "auction-registration", id: String(reg._id) },
    description: `竞买保证金 Deposit · ${auction.listingTitle}`,
    successUrl: urls.successUrl,
    cancelUrl: urls.cancelUrl,
  });
  const updated = await AuctionRegistration.findOneAndUpdate(
    { _id: reg._id },
    { $set: { "deposit.status": "pending", "deposit.payment": oid(paymentId), "deposit.amount": auction.deposit } },
    { returnDocument: "after" },
  ).lean();
  return { registration: registrationView(updated!), redirectUrl };
}

/** The return page after the gateway: asks the gateway where the buyer's own deposit stands. */
export async function confirmDeposit(actor: Actor, auctionId: string): Promise<DepositStatus> {
  if (!actor.id) throw new ForbiddenError();
  const reg = await AuctionRegistration.findOne({ auction: parseId(auctionId), user: oid(actor.id) }).lean();
  if (!reg) throw new AuctionError(403, "not_registered", "auction.errors.notRegistered");
  if (reg.deposit?.payment && reg.deposit.status === "pending") await syncPayment(String(reg.deposit.payment));
  const fresh = await AuctionRegistration.findById(reg._id, { deposit: 1 }).lean();
  return (fresh?.deposit?.status ?? "none") as DepositStatus;
}

function registrationView(r: {
  number: number;
  agreementAcceptedAt: Date;
  deposit?: { status?: string | null; amount?: number | null; payment?: Types.ObjectId | null } | null;
}): RegistrationView {
  return {
    number: r.number,
    agreementAcceptedAt: new Date(r.agreementAcceptedAt).toISOString(),
    deposit: {
      status: (r.deposit?.status ?? "none") as DepositStatus,
      amount: r.deposit?.amount ?? 0,
      paymentId: r.deposit?.payment ? String(r.deposit.payment) : null,
    },
  };
}

function isSellerSide(
  actor: Actor,
  a: { sellerOrganization: Types.ObjectId; createdBy: Types.ObjectId; broker?: Types.ObjectId | null },
): boolean {
  if (!actor.id) return false;
  if (actor.organization && actor.organization.id === String(a.sellerOrganization)) return true;
  return String(a.createdBy) === actor.id || (!!a.broker && String(a.broker) === actor.id);
}

// ---------------------------------------------------------------------------------------------
// Bidding

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
  opts: { via?: "ui" | "api"; now?: () => Date; queue?: boolean } = {},
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

/**
 * The smallest minimum bid over every price at or above `price` — what any later head can ask
 * at least. Usually `price + increment`, but a higher tier with a smaller increment could ask less
 * just above its start, so those are taken into account.
 */
export function lowestMinimumFrom(tiers: readonly Tier[], price: number): number {
  let lowest = price + incrementAt(tiers, price);
  for (const t of tiers) if (t.from > price) lowest = Math.min(lowest, t.from + t.increment);
  return lowest;
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

// ---------------------------------------------------------------------------------------------
// Reading

export interface BidView {
  seq: number;
  amount: number;
  bidderNumber: number;
  placedAt: string;
  mine: boolean;
}

export interface AuctionView {
  id: string;
  listing: { id: string; title: string };
  seller: { name: string };
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
  status: AuctionStatus;
  phase: AuctionPhase;
  startPrice: number;
  /** Only for the seller side and admins; null for everyone else. */
  reservePrice: number | null;
  hasReserve: boolean;
  reserveMet: boolean | null;
  increments: Tier[];
  deposit: number;
  startsAt: string;
  endsAt: string;
  currentEndsAt: string;
  antiSnipeWindowSec: number;
  antiSnipeCapSec: number;
  currentPrice: number | null;
  nextMinimum: number;
  bidCount: number;
  registrations: number;
  extensions: number;
  lastSeq: number;
  leaderNumber: number | null;
  outcome: { result: AuctionResult; price: number | null; winnerNumber: number | null; dealId: string | null; closedAt: string } | null;
  bids: BidView[];
  viewer: {
    sellerSide: boolean;
    canBid: boolean;
    canRegister: boolean;
    registration: RegistrationView | null;
    isWinner: boolean;
  };
  serverTime: string;
}

/** What a person sees of an auction: the reserve stays hidden, bidders are numbers to each other. */
export async function getAuction(
  actor: Actor | null,
  auctionId: string,
  opts: { now?: Date; bidLimit?: number } = {},
): Promise<AuctionView> {
  const now = opts.now ?? new Date();
  const a = (await Auction.findById(parseId(auctionId)).lean()) as AuctionRow | null;
  if (!a) throw new NotFoundError();
  const [bids, reg, leader, winner] = await Promise.all([
    Bid.find({ auction: a._id }, { seq: 1, amount: 1, bidderNumber: 1, placedAt: 1, user: 1 })
      .sort({ seq: -1 })
      .limit(opts.bidLimit ?? 50)
      .lean(),
    actor?.id ? AuctionRegistration.findOne({ auction: a._id, user: oid(actor.id) }).lean() : null,
    a.leader ? AuctionRegistration.findById(a.leader, { number: 1 }).lean() : null,
    a.outcome?.winner ? AuctionRegistration.findById(a.outcome.winner, { number: 1 }).lean() : null,
  ]);
  const sellerSide = !!actor && (isSellerSide(actor, a) || hasRole(actor, "admin"));
  const phase = phaseOf(a, now);
  const hasReserve = a.reservePrice != null && a.reservePrice > 0;
  return {
    id: String(a._id),
    listing: { id: String(a.listing), title: a.listingTitle },
    seller: { name: a.sellerName },
    transactionMode: a.transactionMode as TransactionMode,
    licenseExclusivity: (a.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
    status: a.status as AuctionStatus,
    phase,
    startPrice: a.startPrice,
    reservePrice: sellerSide ? (a.reservePrice ?? null) : null,
    hasReserve,
    reserveMet: hasReserve ? a.currentPrice != null && a.currentPrice >= a.reservePrice! : null,
    increments: a.increments.map((t) => ({ from: t.from, increment: t.increment })),
    deposit: a.deposit,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    currentEndsAt: a.currentEndsAt.toISOString(),
    antiSnipeWindowSec: a.antiSnipeWindowSec,
    antiSnipeCapSec: a.antiSnipeCapSec,
    currentPrice: a.currentPrice ?? null,
    nextMinimum: minimumBid(a),
    bidCount: a.bidCount,
    registrations: a.registrations,
    extensions: a.extensions,
    lastSeq: a.lastSeq,
    leaderNumber: leader?.number ?? null,
    outcome: a.outcome?.result
      ? {
          result: a.outcome.result as AuctionResult,
          price: a.outcome.price ?? null,
          winnerNumber: winner?.number ?? null,
          dealId: a.outcome.deal ? String(a.outcome.deal) : null,
          closedAt: (a.outcome.closedAt ?? now).toISOString(),
        }
      : null,
    bids: bids.map((b) => ({
      seq: b.seq,
      amount: b.amount,
      bidderNumber: b.bidderNumber,
      placedAt: b.placedAt.toISOString(),
      mine: !!actor?.id && String(b.user) === actor.id,
    })),
    viewer: {
      sellerSide,
      canRegister:
        !!actor &&
        !sellerSide &&
        can(actor, "auction:bid") &&
        (phase === "live" || phase === "scheduled") &&
        reg?.deposit?.status !== "held",
      canBid: !!reg && reg.deposit?.status === "held" && phase === "live",
      registration: reg ? registrationView(reg) : null,
      isWinner: !!reg && !!a.outcome?.winner && String(a.outcome.winner) === String(reg._id) && a.outcome.result === "sold",
    },
    serverTime: now.toISOString(),
  };
}

export interface AuctionSummary {
  id: string;
  listing: { id: string; title: string };
  sellerName: string;
  phase: AuctionPhase;
  startPrice: number;
  currentPrice: number | null;
  bidCount: number;
  startsAt: string;
  currentEndsAt: string;
}

/** Auctions to show in the list: running and upcoming first, then recently closed. */
export async function listAuctions(opts: { now?: Date; limit?: number } = {}): Promise<AuctionSummary[]> {
  const now = opts.now ?? new Date();
  const rows = (await Auction.find({ status: { $in: ["open", "closing", "closed"] } })
    .sort({ status: -1, currentEndsAt: 1 })
    .limit(opts.limit ?? 100)
    .lean()) as AuctionRow[];
  return rows.map((a) => ({
    id: String(a._id),
    listing: { id: String(a.listing), title: a.listingTitle },
    sellerName: a.sellerName,
    phase: phaseOf(a, now),
    startPrice: a.startPrice,
    currentPrice: a.currentPrice ?? null,
    bidCount: a.bidCount,
    startsAt: a.startsAt.toISOString(),
    currentEndsAt: a.currentEndsAt.toISOString(),
  }));
}

/** The running (or last) auction of a listing, if any. */
export async function auctionOfListing(listingId: string): Promise<{ id: string; status: AuctionStatus } | null> {
  const listing = maybeId(listingId);
  if (!listing) return null;
  const a = await Auction.findOne({ listing, status: { $ne: "cancelled" } }, { status: 1 })
    .sort({ createdAt: -1 })
    .lean();
  return a ? { id: String(a._id), status: a.status as AuctionStatus } : null;
}

// ---------------------------------------------------------------------------------------------
// Verifying the bid chain

export interface ChainReport {
  auctionId: string;
  intact: boolean;
  bids: number;
  headHash: string;
  /** The first problems found, by bid sequence number. */
  problems: { seq: number | null; problem: string }[];
}

/** Recomputes every bid's hash from the genesis and checks the links, the order and the head. */
export async function verifyBidChain(auctionId: string): Promise<ChainReport> {
  const a = await Auction.findById(parseId(auctionId), { lastSeq: 1, lastBidHash: 1, currentPrice: 1 }).lean();
  if (!a) throw new NotFoundError();
  const problems: ChainReport["problems"] = [];
  let prev = genesisHash(String(a._id));
  let expectedSeq = 1;
  let lastAmount = 0;
  let count = 0;
  const cursor = Bid.find({ auction: a._id }).sort({ seq: 1 }).lean().cursor();
  for await (const b of cursor) {
    count++;
    if (b.seq !== expectedSeq) problems.push({ seq: b.seq, problem: `sequence gap: expected ${expectedSeq}` });
    if (b.prevHash !== prev) problems.push({ seq: b.seq, problem: "prevHash does not match the previous bid's hash" });
    const recomputed = bidHash({
      auction: String(a._id),
      seq: b.seq,
      bidderNumber: b.bidderNumber,
      amount: b.amount,
      placedAt: b.placedAt,
      prevHash: b.prevHash,
    });
    if (recomputed !== b.hash) problems.push({ seq: b.seq, problem: "hash does not match the bid's content" });
    if (b.amount <= lastAmount) problems.push({ seq: b.seq, problem: "amount does not exceed the previous bid" });
    prev = b.hash;
    lastAmount = b.amount;
    expectedSeq = b.seq + 1;
    if (problems.length >= 20) break;
  }
  if (problems.length < 20) {
    if (count !== a.lastSeq) problems.push({ seq: null, problem: `the auction counts ${a.lastSeq} bids, the log holds ${count}` });
    if (prev !== a.lastBidHash) problems.push({ seq: null, problem: "the auction's head hash is not the last bid's hash" });
    if (count > 0 && a.currentPrice !== lastAmount) problems.push({ seq: null, problem: "the current price is not the last bid" });
  }
  return { auctionId: String(a._id), intact: problems.length === 0, bids: count, headHash: a.lastBidHash, problems };
}

// ---------------------------------------------------------------------------------------------
// Closing: exactly once, across instances and crashes

/** This process's name in close claims. */
export const INSTANCE_ID = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface CloseResult {
  auctionId: string;
  result: AuctionResult;
  dealId: string | null;
}

/**
 * Closes every auction whose end has passed. Each close is claimed with a conditional update
 * (open → closing, or a closing claim older than the lease), so of several instances running
 * this at once exactly one closes a given auction; a claim left by a crashed instance is taken
 * over once its lease runs out. The outcome, the deal and the listing's move to `deal` commit
 * together; deposits are settled after, idempotently, and retried by `settleAuctions`.
 */
export async function closeDueAuctions(opts: { now?: Date; instanceId?: string; leaseMs?: number } = {}): Promise<CloseResult[]> {
  const now = opts.now ?? new Date();
  const leaseMs = opts.leaseMs ?? CLOSE_LEASE_MS;
  const due = await Auction.find(
    {
      currentEndsAt: { $lte: now },
      $or: [{ status: "open" }, { status: "closing", "closing.at": { $lte: new Date(now.getTime() - leaseMs) } }],
    },
    { _id: 1 },
  )
    .limit(100)
    .lean();
  const results: CloseResult[] = [];
  for (const d of due) {
    const r = await closeAuction(String(d._id), { ...opts, now, leaseMs });
    if (r) results.push(r);
  }
  if (results.length) await settleAuctions();
  return results;
}

export async function closeAuction(
  auctionId: string,
  opts: { now?: Date; instanceId?: string; leaseMs?: number } = {},
): Promise<CloseResult | null> {
  const now = opts.now ?? new Date();
  const me = opts.instanceId ?? INSTANCE_ID;
  const leaseMs = opts.leaseMs ?? CLOSE_LEASE_MS;
  const claimed = await Auction.findOneAndUpdate(
    {
      _id: parseId(auctionId),
      currentEndsAt: { $lte: now },
      $or: [{ status: "open" }, { status: "closing", "closing.at": { $lte: new Date(now.getTime() - leaseMs) } }],
    },
    { $set: { status: "closing", closing: { by: me, at: now } } },
    { returnDocument: "after" },
  ).lean();
  if (!claimed) return null; // not due, or another instance has it

  const notes: NotifyInput[] = [];
  const result = await withTransaction(async (session) => {
    notes.length = 0;
    const a = (await Auction.findOne({ _id: claimed._id, status: "closing", "closing.by": me })
      .session(session)
      .lean()) as AuctionRow | null;
    if (!a) return null; // the lease ran out and another instance took over
    const regs = await AuctionRegistration.find({ auction: a._id }).session(session).lean();
    const leader = a.leader ? regs.find((r) => String(r._id) === String(a.leader)) : undefined;
    let result: AuctionResult;
    let dealId: string | null = null;
    if (!leader || a.currentPrice == null) result = "no-bids";
    else if (a.reservePrice != null && a.currentPrice < a.reservePrice) result = "reserve-not-met";
    else result = "sold";
    if (result === "sold") {
      const listing = await Achievement.findById(a.listing, { status: 1 }).session(session).lean();
      if (listing?.status !== "trading") {
        // Sold elsewhere meanwhile (should not happen: an auction-priced listing has no buy-now).
        result = "reserve-not-met";
      } else {
        dealId = await openDeal(session, {
          listingId: String(a.listing),
          buyer: {
            userId: String(leader!.user),
            name: leader!.userName,
            organization: leader!.organization ? { id: String(leader!.organization), name: leader!.organizationName ?? undefined } : null,
          },
          source: "auction",
          auctionId: String(a._id),
          amountFen: a.currentPrice!,
          transactionMode: a.transactionMode as TransactionMode,
          licenseExclusivity: (a.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
          deposit: leader!.deposit?.payment
            ? { paymentId: String(leader!.deposit.payment), amountFen: leader!.deposit.amount ?? a.deposit }
            : null,
          actor: { id: null, name: "竞价结算", roles: [], organization: null, system: true },
          via: "system",
          now,
        });
      }
    }
    await Auction.updateOne(
      { _id: a._id, status: "closing", "closing.by": me },
      {
        $set: {
          status: "closed",
          outcome: {
            result,
            price: a.currentPrice ?? null,
            winner: leader?._id ?? null,
            winnerUser: leader?.user ?? null,
            deal: dealId ? oid(dealId) : null,
            closedAt: now,
            closedBy: me,
          },
          settlement: regs.some((r) => r.deposit?.payment) ? "pending" : "done",
        },
      },
      { session },
    );
    await auditAuction(session, a._id, "close", null, "system", now, `${result}${a.currentPrice != null ? ` @ ${a.currentPrice}` : ""}`);

    const subject = { kind: "achievement" as const, id: a.listing, title: a.listingTitle };
    const link = `/auctions/${a._id}`;
    const price = a.currentPrice != null ? formatYuan(a.currentPrice) : "";
    for (const r of regs) {
      if (leader && String(r._id) === String(leader._id)) {
        notes.push({
          user: r.user,
          type: result === "sold" ? "auction.won" : "auction.reserveNotMet",
          subject,
          link: result === "sold" && dealId ? `/deals/${dealId}` : `/achievements/${a.listing}/offer?auction=${a._id}`,
          params: { price },
        });
      } else {
        notes.push({ user: r.user, type: "auction.lost", subject, link, params: { price } });
      }
    }
    for (const u of await sellerSideUsers(a.sellerOrganization, a.createdBy, session)) {
      notes.push({ user: u, type: "auction.closedSeller", subject, link, params: { price, result } });
    }
    await notify(session, notes);
    return { auctionId: String(a._id), result, dealId } satisfies CloseResult;
  });
  if (result) logger.info({ auction: result.auctionId, result: result.result, by: me }, "auction closed");
  return result;
}

/**
 * After a close: the winner's deposit is captured (kept toward the price), every other deposit
 * released. Both calls are idempotent (conditional status change + the gateway's idempotency
 * key), so instances racing here, or a retry after a crash, move each deposit once.
 */
export async function settleAuctions(opts: { limit?: number } = {}): Promise<number> {
  const pending = await Auction.find({ status: "closed", settlement: "pending" }, { outcome: 1 })
    .limit(opts.limit ?? 20)
    .lean();
  let settled = 0;
  for (const a of pending) {
    const regs = await AuctionRegistration.find({ auction: a._id, "deposit.payment": { $ne: null } }, { deposit: 1 }).lean();
    let allDone = true;
    for (const r of regs) {
      const paymentId = String(r.deposit!.payment);
      const keep = a.outcome?.result === "sold" && String(a.outcome.winner) === String(r._id);
      try {
        if (keep) await captureDeposit(paymentId);
        else await releaseDeposit(paymentId);
      } catch (err) {
        // A deposit that is no longer held (released or failed by hand at the gateway) cannot be
        // settled by retrying: record it and move on, rather than retrying it forever.
        if (err instanceof ConflictError && err.message !== "payments.gatewayUnavailable") {
          logger.error(
            { err: err.message, auction: String(a._id), payment: paymentId },
            "deposit cannot be settled as planned; left for an administrator",
          );
          continue;
        }
        allDone = false;
        logger.warn({ err: (err as Error).message, auction: String(a._id), payment: paymentId }, "deposit settlement failed; will retry");
      }
    }
    if (allDone) {
      await Auction.updateOne({ _id: a._id, settlement: "pending" }, { $set: { settlement: "done" } });
      settled++;
    }
  }
  return settled;
}

// ---------------------------------------------------------------------------------------------
// The create form's context

export interface AuctionFormContext {
  listing: {
    id: string;
    title: string;
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
    priceAmount: number | null;
  };
  /** null when the actor may start an auction now; else why not (an i18n key). */
  refusal: string | null;
  runningAuctionId: string | null;
}

export async function auctionFormContext(actor: Actor, listingId: string): Promise<AuctionFormContext> {
  const listing = await Achievement.findById(parseId(listingId)).lean();
  if (!listing) throw new NotFoundError();
  const rel = relationsOf(actor, listing);
  const running = await Auction.findOne({ listing: listing._id, status: { $in: ["open", "closing"] } }, { _id: 1 }).lean();
  let refusal: string | null = null;
  if (!can(actor, "auction:run") || (!rel.has("owner") && !hasRole(actor, "broker"))) refusal = "auction.errors.notSeller";
  else if (listing.status !== "trading") refusal = "auction.errors.listingNotTrading";
  else if (listing.price?.mode !== "auction") refusal = "auction.errors.notAuctionPriced";
  else if (running) refusal = "auction.errors.alreadyRunning";
  // Someone with no business with a non-public listing learns nothing about it.
  if (refusal === "auction.errors.notSeller" && !["published", "trading", "deal", "contracted", "registered"].includes(listing.status))
    throw new NotFoundError();
  return {
    listing: {
      id: String(listing._id),
      title: listing.title,
      transactionModes: (listing.transactionModes ?? []) as TransactionMode[],
      licenseExclusivity: (listing.licenseExclusivity ?? []) as LicenseExclusivity[],
      priceAmount: listing.price?.amount ?? null,
    },
    refusal,
    runningAuctionId: running ? String(running._id) : null,
  };
}

/**
 * Whether `userId` is the top bidder of this listing's last auction, which closed below the
 * reserve: they are invited to negotiate, so they may make an offer on the auction-priced listing.
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
