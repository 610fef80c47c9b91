import { Achievement } from "~/models/achievement.server.ts";
import { Offer } from "~/models/offer.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { maybeId, oid, parseId } from "~/services/kernel/ids.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { invitedToNegotiate } from "~/services/trading/auctions/negotiation.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can } from "~/utils/permissions.ts";
import type { LicenseExclusivity, PriceMode, TransactionMode } from "~/utils/taxonomy.ts";
import { LISTING_FIELDS, loadTradingListing, SOLD_STATUSES } from "../listing.server.ts";
import { expireDue } from "./expiry.server.ts";
import { actionsFor, sideOf } from "./rules.ts";
import { offerView, summarize, type MyOffers, type OfferQuote, type OfferRow, type OfferThreadView, type OfferView } from "./views.ts";

/** Reading offers: a thread for its two sides, "my offers", the listing panel's counts, the make-offer page. */

/** The seller side's part of a scope: one's own and one's organisation's listings, for sellers only. */
function sellerScope(actor: Actor): Record<string, unknown>[] {
  if (!can(actor, "trading:sell")) return [];
  const or: Record<string, unknown>[] = [];
  if (actor.id) or.push({ "seller.user": oid(actor.id) });
  if (actor.organization) or.push({ "seller.organization": oid(actor.organization.id) });
  return or;
}

/** Offers the actor may see: as their buyer, or on the seller side (with the seller role). Ownership in the query. */
export function offerScope(actor: Actor): Record<string, unknown> | null {
  const or: Record<string, unknown>[] = [];
  if (actor.id) or.push({ "buyer.user": oid(actor.id) });
  or.push(...sellerScope(actor));
  return or.length ? { $or: or } : null;
}

/** One negotiation, for its two sides only (anyone else: 404). `id` may be any version's id. */
export async function getOfferThread(actor: Actor, id: string, opts: { now?: Date } = {}): Promise<OfferThreadView> {
  const now = opts.now ?? new Date();
  const scope = offerScope(actor);
  if (!scope) throw new NotFoundError();
  const found = await Offer.findOne({ _id: parseId(id), ...scope }, { thread: 1 }).lean();
  if (!found) throw new NotFoundError();
  await expireDue({ thread: found.thread }, now, 5);
  const rows = (await Offer.find({ thread: found.thread }).sort({ version: 1 }).lean()) as OfferRow[];
  const first = rows[0]!;
  const side = sideOf(actor, first);
  if (!side) throw new NotFoundError();
  const listing = await Achievement.findById(first.listing, LISTING_FIELDS).lean();
  const versions = rows.map((o) => offerView(o, now));
  const current = versions[versions.length - 1]!;
  const listingStatus = (listing?.status ?? "withdrawn") as ListingStatus;
  const otherOpenOffers =
    side === "seller" && current.status === "open"
      ? await Offer.countDocuments({ listing: first.listing, status: "open", expiresAt: { $gt: now }, thread: { $ne: first.thread } })
      : 0;
  return {
    thread: String(first.thread),
    side,
    listing: {
      id: String(first.listing),
      title: listing?.title ?? first.listingTitle,
      status: listingStatus,
      priceMode: (listing?.price?.mode ?? "negotiable") as PriceMode,
      transactionModes: (listing?.transactionModes ?? []) as TransactionMode[],
      licenseExclusivity: (listing?.licenseExclusivity ?? []) as LicenseExclusivity[],
    },
    seller: { name: first.seller.name },
    buyer: { name: first.buyer.name, organizationName: first.buyer.organizationName ?? null },
    versions,
    current,
    actions: actionsFor(actor, side, current, listingStatus),
    otherOpenOffers,
    dealId: versions.find((v) => v.dealId)?.dealId ?? null,
  };
}

/** The actor's negotiations, split into those received (seller side) and those made (buyer). */
export async function listMyOffers(actor: Actor, opts: { now?: Date; limit?: number } = {}): Promise<MyOffers> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? 500;
  const incomingScope = sellerScope(actor);
  const outgoingScope = actor.id ? { "buyer.user": oid(actor.id) } : null;
  const scope = offerScope(actor);
  if (!scope) return { incoming: [], outgoing: [] };
  await expireDue(scope, now, 50);
  const [incoming, outgoing] = await Promise.all([
    incomingScope.length
      ? Offer.find({ $or: incomingScope, ...(actor.id ? { "buyer.user": { $ne: oid(actor.id) } } : {}) })
          .sort({ createdAt: -1 })
          .limit(limit)
          .lean()
      : Promise.resolve([]),
    outgoingScope ? Offer.find(outgoingScope).sort({ createdAt: -1 }).limit(limit).lean() : Promise.resolve([]),
  ]);
  return {
    incoming: summarize(incoming as OfferRow[], "seller", now),
    outgoing: summarize(outgoing as OfferRow[], "buyer", now),
  };
}

/** The actor's open negotiation on a listing (as buyer), if any — for the listing's panel. */
export async function myOpenOfferOn(actor: Actor, listingId: string, now = new Date()): Promise<OfferView | null> {
  const listing = maybeId(listingId);
  if (!actor.id || !listing) return null;
  const o = (await Offer.findOne({
    listing,
    "buyer.user": oid(actor.id),
    status: "open",
    expiresAt: { $gt: now },
  }).lean()) as OfferRow | null;
  return o ? offerView(o, now) : null;
}

/** How many live offers wait on a listing (for its seller side's panel). */
export async function openOfferCount(listingId: string, now = new Date()): Promise<number> {
  const listing = maybeId(listingId);
  if (!listing) return 0;
  return Offer.countDocuments({ listing, status: "open", expiresAt: { $gt: now } });
}

/** What the make-offer page shows, and whether the actor may make an offer. Invisible listing: 404. */
export async function offerQuote(actor: Actor, listingId: string, now = new Date()): Promise<OfferQuote> {
  const doc = await loadTradingListing(listingId);
  const relations = relationsOf(actor, doc);
  const status = doc.status as ListingStatus;
  if (!isPublic(status) && relations.size === 0) throw new NotFoundError();
  const open = actor.id ? await myOpenOfferOn(actor, listingId, now) : null;
  let problem: string | null = null;
  if (relations.has("owner")) problem = "trading.ownListing";
  else if (SOLD_STATUSES.includes(status)) problem = "trading.alreadySold";
  else if (status !== "trading") problem = "trading.notTrading";
  else if (doc.price?.mode !== "negotiable" && !(doc.price?.mode === "auction" && (await invitedToNegotiate(doc._id, actor.id)))) {
    problem = "trading.notNegotiable";
  } else if (!can(actor, "offer:make")) problem = "trading.buyerRoleRequired";
  else if (open) problem = "offers.errors.alreadyOpen";
  return {
    listing: {
      id: String(doc._id),
      title: doc.title,
      status,
      seller: { name: doc.ownerName },
      priceMode: (doc.price?.mode ?? "negotiable") as PriceMode,
      transactionModes: (doc.transactionModes ?? []) as TransactionMode[],
      licenseExclusivity: (doc.licenseExclusivity ?? []) as LicenseExclusivity[],
    },
    problem,
    openThread: open?.thread ?? null,
  };
}
