import { Achievement } from "~/models/achievement.server.ts";
import type { BuyNowInput } from "~/schemas/offers.ts";
import { auctionOfListing, invitedToNegotiate } from "~/services/auctions.server.ts";
import { openDeal, type DealView } from "~/services/deals.server.ts";
import { relationsOf } from "~/services/listings.server.ts";
import { assertTrading, myOpenOfferOn, openOfferCount, resolveExclusivity, type OfferView } from "~/services/offers.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { TRANSACTION_MODES, type LicenseExclusivity, type PriceMode, type TransactionMode } from "~/utils/taxonomy.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { type Actor, type Via } from "~/services/kernel/actor.ts";
import { maybeId, parseId } from "./kernel/ids.server.ts";

/**
 * 挂牌 buy-now: a fixed-price listing in `trading` is sold to the first buyer who confirms its
 * price. The price is the listing's at that moment; the buyer states the amount they saw, and a
 * price changed meanwhile is refused rather than charged. Two buyers at the same moment: both
 * transactions move the listing trading → deal (openDeal), MongoDB lets one commit, the other
 * retries, finds the listing sold and is told so.
 */

const SOLD_STATUSES: readonly ListingStatus[] = ["deal", "contracted", "registered"];

const LISTING_FIELDS = { title: 1, owner: 1, ownerName: 1, createdBy: 1, status: 1, price: 1, transactionModes: 1, licenseExclusivity: 1 };

export interface BuyNowQuote {
  listing: {
    id: string;
    title: string;
    status: ListingStatus;
    seller: { name: string; type: string | null };
    price: { mode: PriceMode; amount: number | null; currency: string };
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
  };
  /** Why this person cannot buy it now (an i18n key), or null when they can. */
  problem: string | null;
}

/**
 * What the confirmation page shows: the listing's price, modes and seller, and whether the
 * actor may buy it. A listing the actor may not see is a 404.
 */
export async function buyNowQuote(actor: Actor, listingId: string): Promise<BuyNowQuote> {
  const doc = await Achievement.findById(parseId(listingId), { ...LISTING_FIELDS, ownerType: 1 }).lean();
  if (!doc) throw new NotFoundError();
  const relations = relationsOf(actor, doc);
  const status = doc.status as ListingStatus;
  if (!isPublic(status) && relations.size === 0) throw new NotFoundError();
  let problem: string | null = null;
  if (relations.has("owner")) problem = "trading.ownListing";
  else if (SOLD_STATUSES.includes(status)) problem = "trading.alreadySold";
  else if (status !== "trading") problem = "trading.notTrading";
  else if (doc.price?.mode !== "fixed" || !doc.price?.amount) problem = "trading.notFixedPrice";
  else if (!can(actor, "offer:make")) problem = "trading.buyerRoleRequired";
  return {
    listing: {
      id: String(doc._id),
      title: doc.title,
      status,
      seller: { name: doc.ownerName, type: doc.ownerType ?? null },
      price: {
        mode: (doc.price?.mode ?? "negotiable") as PriceMode,
        amount: doc.price?.amount ?? null,
        currency: doc.price?.currency ?? "CNY",
      },
      transactionModes: (doc.transactionModes ?? []) as TransactionMode[],
      licenseExclusivity: (doc.licenseExclusivity ?? []) as LicenseExclusivity[],
    },
    problem,
  };
}

/**
 * Buys a fixed-price listing at its current price: one transaction that checks everything again,
 * opens the deal and moves the listing to `deal`. Returns the deal's id.
 */
export async function buyNow(actor: Actor, listingId: string, input: BuyNowInput, opts: { via?: Via; now?: Date } = {}): Promise<string> {
  const now = opts.now ?? new Date();
  if (!can(actor, "offer:make")) throw new ForbiddenError("trading.buyerRoleRequired");
  if (!actor.id) throw new ForbiddenError("offers.errors.personRequired");
  const expected = input.expectedAmountFen;
  if (!Number.isSafeInteger(expected) || expected <= 0) throw new ValidationError({ amount: ["offers.errors.amountPositive"] });
  const buyerId = actor.id;
  return withTransaction(async (session) => {
    const listing = await Achievement.findById(parseId(listingId), LISTING_FIELDS).session(session).lean();
    if (!listing) throw new NotFoundError();
    const relations = relationsOf(actor, listing);
    if (!isPublic(listing.status as ListingStatus) && relations.size === 0) throw new NotFoundError();
    if (relations.has("owner")) throw new ForbiddenError("trading.ownListing");
    assertTrading(listing.status);
    if (listing.price?.mode !== "fixed" || !listing.price.amount) throw new ConflictError("trading.notFixedPrice");
    if (listing.price.amount !== expected) throw new ConflictError("trading.priceChanged");
    const errors: FieldErrors = {};
    const mode = input.transactionMode;
    if (!TRANSACTION_MODES.includes(mode)) errors.transactionMode = ["offers.errors.transactionMode"];
    else if (!(listing.transactionModes ?? []).includes(mode)) errors.transactionMode = ["trading.modeNotOffered"];
    const exclusivity = resolveExclusivity(listing as { licenseExclusivity?: string[] }, mode, input.licenseExclusivity);
    if (exclusivity.error) errors.licenseExclusivity = [exclusivity.error];
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return openDeal(session, {
      listingId: String(listing._id),
      buyer: {
        userId: buyerId,
        name: actor.name,
        organization: actor.organization ? { id: actor.organization.id, name: actor.organization.name } : null,
      },
      source: "buy-now",
      terms: { price: listing.price.amount, transactionMode: mode, licenseExclusivity: exclusivity.value },
      actor,
      via: opts.via ?? "ui",
      now,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The listing page's trading panel

export interface TradingSummary {
  listingId: string;
  status: ListingStatus;
  priceMode: PriceMode;
  price: number | null;
  /** trading: on offer now; sold: deal or later; closed: anything else (no panel). */
  state: "trading" | "sold" | "closed";
  loggedIn: boolean;
  /** The owner organisation's members or the listing's author. */
  isOwnerSide: boolean;
  /** Has the buyer role (may buy, make offers, bid). */
  isBuyer: boolean;
  canBuy: boolean;
  canOffer: boolean;
  /** The viewer's open negotiation on this listing, as buyer. */
  myOpenOffer: Pick<OfferView, "id" | "thread" | "amount" | "status" | "by" | "expiresAt"> | null;
  /** Live offers waiting on the listing (owner side only; else null). */
  incomingOffers: number | null;
  /** The latest auction of the listing, running or finished. */
  auction: { id: string; status: string; running: boolean } | null;
  /** The owner side or a broker may start an auction (auction listings without a running one). */
  canStartAuction: boolean;
}

/**
 * What this person may do about a listing now (buy / offer / see their offer / go to the auction
 * / sold). Null when the listing does not exist or the person may not see it; the page decides.
 */
export async function tradingSummary(listingId: string, actor: Actor | null, now = new Date()): Promise<TradingSummary | null> {
  const id = maybeId(listingId);
  if (!id) return null;
  const doc = await Achievement.findById(id, LISTING_FIELDS).lean();
  if (!doc) return null;
  const relations = relationsOf(actor, doc);
  const status = doc.status as ListingStatus;
  if (!isPublic(status) && relations.size === 0) return null;
  const priceMode = (doc.price?.mode ?? "negotiable") as PriceMode;
  const state = status === "trading" ? "trading" : SOLD_STATUSES.includes(status) ? "sold" : "closed";
  const isOwnerSide = relations.has("owner");
  const isBuyer = can(actor, "offer:make");
  const mayTrade = state === "trading" && !isOwnerSide;
  // An auction-priced listing takes offers only from the top bidder of an auction that closed
  // below the reserve (invited to negotiate).
  const invited = !!actor && priceMode === "auction" && mayTrade && (await invitedToNegotiate(doc._id, actor.id));
  const takesOffers = priceMode === "negotiable" || invited;
  const [myOpenOffer, incomingOffers, auction] = await Promise.all([
    actor && takesOffers && !isOwnerSide ? myOpenOfferOn(actor, listingId, now) : Promise.resolve(null),
    isOwnerSide && priceMode !== "fixed" ? openOfferCount(listingId, now) : Promise.resolve(null),
    priceMode === "auction" || state === "sold" ? auctionOfListing(listingId) : Promise.resolve(null),
  ]);
  const running = !!auction && (auction.status === "open" || auction.status === "closing");
  return {
    listingId: String(doc._id),
    status,
    priceMode,
    price: doc.price?.amount ?? null,
    state,
    loggedIn: !!actor,
    isOwnerSide,
    isBuyer,
    canBuy: mayTrade && priceMode === "fixed" && !!doc.price?.amount && (!actor || isBuyer),
    canOffer: mayTrade && takesOffers && !myOpenOffer && (!actor || isBuyer),
    myOpenOffer: myOpenOffer
      ? {
          id: myOpenOffer.id,
          thread: myOpenOffer.thread,
          amount: myOpenOffer.amount,
          status: myOpenOffer.status,
          by: myOpenOffer.by,
          expiresAt: myOpenOffer.expiresAt,
        }
      : null,
    incomingOffers,
    auction: auction && (auction.status !== "cancelled" || running) ? { id: auction.id, status: auction.status, running } : null,
    canStartAuction: state === "trading" && priceMode === "auction" && !running && (isOwnerSide || hasRole(actor, "broker")),
  };
}

// ---------------------------------------------------------------------------------------------
// API presentation of deals (money in yuan)

export function apiDeal(d: DealView) {
  return {
    id: d.id,
    listing: d.listing,
    seller: { name: d.seller.name },
    buyer: { name: d.buyer.name, organizationName: d.buyer.organizationName },
    source: d.source,
    offerId: d.offerId,
    auctionId: d.auctionId,
    price: { amount: Math.round(d.price.amount) / 100, currency: d.price.currency },
    terms: d.terms,
    deposit: d.deposit ? { amount: Math.round(d.deposit.amount) / 100 } : null,
    status: d.status,
    createdAt: d.createdAt,
  };
}
