import type { Types } from "mongoose";
import { Auction, AuctionRegistration, Bid, type AuctionDoc, type AuctionResult, type AuctionStatus } from "~/models/auction.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import type { Actor } from "../../kernel/actor.ts";
import { maybeId, oid, parseId } from "../../kernel/ids.server.ts";
import { isSellerSide, minimumBid, phaseOf, type AuctionPhase, type Tier } from "./rules.ts";
import { registrationView, type RegistrationView } from "./views.ts";

/** Reading auctions: one auction as a person sees it (the reserve hidden, bidders as numbers), the list, a listing's auction. */

type AuctionRow = AuctionDoc & { _id: Types.ObjectId; createdAt: Date };

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
  /** Closed and its deposits settled (the losers' released, the winner's applied to the price). */
  settled: boolean;
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
    settled: a.status === "closed" && a.settlement === "done",
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

/**
 * Auctions to show in the list, apart: `current` — running and upcoming, soonest end first; and
 * `ended` — past their end (closing, closed, or about to be closed), most recent first.
 */
export async function listAuctions(
  opts: { now?: Date; limit?: number; endedLimit?: number } = {},
): Promise<{ current: AuctionSummary[]; ended: AuctionSummary[] }> {
  const now = opts.now ?? new Date();
  const [current, ended] = await Promise.all([
    Auction.find({ status: "open", currentEndsAt: { $gt: now } })
      .sort({ currentEndsAt: 1 })
      .limit(opts.limit ?? 100)
      .lean(),
    Auction.find({ $or: [{ status: { $in: ["closing", "closed"] } }, { status: "open", currentEndsAt: { $lte: now } }] })
      .sort({ currentEndsAt: -1 })
      .limit(opts.endedLimit ?? 20)
      .lean(),
  ]);
  const summary = (a: AuctionRow): AuctionSummary => ({
    id: String(a._id),
    listing: { id: String(a.listing), title: a.listingTitle },
    sellerName: a.sellerName,
    phase: phaseOf(a, now),
    startPrice: a.startPrice,
    currentPrice: a.currentPrice ?? null,
    bidCount: a.bidCount,
    startsAt: a.startsAt.toISOString(),
    currentEndsAt: a.currentEndsAt.toISOString(),
  });
  return { current: (current as AuctionRow[]).map(summary), ended: (ended as AuctionRow[]).map(summary) };
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
