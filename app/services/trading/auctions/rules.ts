import { createHash } from "node:crypto";

/**
 * 竞价的规则 (docs/decisions/007-auctions.md), pure: the increments, the lowest acceptable bid,
 * anti-sniping, the bid hash chain, the phase an auction is in, and who counts as the seller's
 * side. No database here: the bid engine, the pages and the live updates all judge by these.
 */

export const BIDDER_AGREEMENT_VERSION = "2026-11";

export type Tier = { from: number; increment: number };

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
 * The smallest minimum bid over every price at or above `price` — what any later head can ask
 * at least. Usually `price + increment`, but a higher tier with a smaller increment could ask less
 * just above its start, so those are taken into account.
 */
export function lowestMinimumFrom(tiers: readonly Tier[], price: number): number {
  let lowest = price + incrementAt(tiers, price);
  for (const t of tiers) if (t.from > price) lowest = Math.min(lowest, t.from + t.increment);
  return lowest;
}

/** A bid this far above the minimum is above it by more than ¥100,000. */
export const LARGE_BID_MARGIN_FEN = 100_000_00;

/**
 * A bid far above the minimum — more than twice it, or more than ¥100,000 over it — is more
 * likely a slip (a digit too many) than a wish; the site asks to confirm it before placing it.
 */
export function isLargeBid(amountFen: number, minimumFen: number): boolean {
  return amountFen > 2 * minimumFen || amountFen - minimumFen > LARGE_BID_MARGIN_FEN;
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

/** The seller's organisation, whoever created the auction, or the broker running it: they may not register or bid. */
export function isSellerSide(
  actor: { id: string | null; organization: { id: string } | null },
  a: { sellerOrganization: unknown; createdBy: unknown; broker?: unknown },
): boolean {
  if (!actor.id) return false;
  if (actor.organization && actor.organization.id === String(a.sellerOrganization)) return true;
  return String(a.createdBy) === actor.id || (!!a.broker && String(a.broker) === actor.id);
}
