import { Achievement } from "~/models/achievement.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { maybeId } from "~/services/kernel/ids.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { auctionOfListing } from "~/services/trading/auctions/queries.server.ts";
import { invitedToNegotiate } from "~/services/trading/auctions/negotiation.server.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { PriceMode } from "~/utils/taxonomy.ts";
import { LISTING_FIELDS, SOLD_STATUSES } from "./listing.server.ts";
import { myOpenOfferOn, openOfferCount } from "./offers/queries.server.ts";
import type { OfferView } from "./offers/views.ts";

/** The listing page's trading panel: what this person may do about a listing now. */

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
  /** Published, on 公示 until this date: trading opens when it ends (ISO; null otherwise). */
  noticeEndsAt: string | null;
  /** Published, 公示 over, but an objection waits for a reviewer: trading opens once it is decided. */
  objectionPending: boolean;
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
    // How many offers wait is the seller side's business (by the seller role, like the offers themselves).
    isOwnerSide && can(actor, "trading:sell") && priceMode !== "fixed" ? openOfferCount(listingId, now) : Promise.resolve(null),
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
    noticeEndsAt: status === "published" && doc.noticeEndsAt && doc.noticeEndsAt > now ? doc.noticeEndsAt.toISOString() : null,
    objectionPending: status === "published" && (doc.openObjections ?? 0) > 0 && !(doc.noticeEndsAt && doc.noticeEndsAt > now),
    auction: auction && (auction.status !== "cancelled" || running) ? { id: auction.id, status: auction.status, running } : null,
    canStartAuction: state === "trading" && priceMode === "auction" && !running && (isOwnerSide || hasRole(actor, "broker")),
  };
}
