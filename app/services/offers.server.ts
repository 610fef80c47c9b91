import { type ClientSession, type Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Offer, type OfferDoc, type OfferSide, type OfferStatus } from "~/models/offer.server.ts";
import { expiryInstant, expiryProblem, OFFER_MESSAGE_MAX, OFFER_REASON_MAX, type OfferTerms } from "~/schemas/offers.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import { invitedToNegotiate } from "~/services/auctions.server.ts";
import { openDeal, sellerSideUsers } from "~/services/deals.server.ts";
import { relationsOf } from "~/services/listings.server.ts";
import { notify, type NotifyInput } from "~/services/notifications.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { formatYuan, MAX_YUAN, fenToYuan } from "~/utils/money.ts";
import { can } from "~/utils/permissions.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES, type LicenseExclusivity, type PriceMode, type TransactionMode } from "~/utils/taxonomy.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { ANSWER_STATUS, effectiveStatus, isExpired, mayAnswer, nextVersion, otherParty } from "~/services/trading/negotiation.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "~/services/kernel/actor.ts";
import { recordAudit } from "./kernel/audit.server.ts";
import { maybeId, newId, oid, parseId } from "./kernel/ids.server.ts";
import { isDuplicateKey } from "./kernel/mongo-errors.ts";

/**
 * 报价 / 议价 on negotiable listings in `trading`. A buyer makes an offer; the seller side (the
 * listing's owner organisation or its author) accepts, rejects or counters; the buyer answers a
 * counter the same way, and whoever made the open version may withdraw it. Each counter is a new
 * version in the thread and the countered one is closed as `countered`. Accepting opens the deal
 * (deals.server.ts `openDeal`, same transaction) and closes every other open offer on the listing.
 *
 * Every change is a conditional update (`status: "open"`, not yet expired) inside a transaction,
 * with its audit event and the other side's notification in the same commit. An offer past its
 * `expiresAt` counts as expired on every read and action, even before `expireOffers` (the
 * minute sweep) has marked it.
 */

export interface OfferOptions {
  via?: Via;
  now?: Date;
}

/** Listing statuses after a sale: an offer on such a listing is told "already sold". */
const SOLD_STATUSES: readonly ListingStatus[] = ["deal", "contracted", "registered"];

const OFFER_LINK = (thread: Types.ObjectId | string) => `/offers/${thread}`;

type OfferRow = OfferDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

interface TradingListing {
  _id: Types.ObjectId;
  title: string;
  owner: Types.ObjectId;
  ownerName: string;
  createdBy?: Types.ObjectId | null;
  status: string;
  price?: { mode?: string | null; amount?: number | null } | null;
  transactionModes?: string[] | null;
  licenseExclusivity?: string[] | null;
}

const LISTING_FIELDS = { title: 1, owner: 1, ownerName: 1, createdBy: 1, status: 1, price: 1, transactionModes: 1, licenseExclusivity: 1 };

async function loadListing(id: string | Types.ObjectId, session: ClientSession | null = null): Promise<TradingListing> {
  const listing = await Achievement.findById(parseId(id), LISTING_FIELDS).session(session).lean();
  if (!listing) throw new NotFoundError();
  return listing as unknown as TradingListing;
}

/** `trading` or a clear conflict: sold already, or not (yet / any more) on offer. */
export function assertTrading(status: string): void {
  if (status === "trading") return;
  if (SOLD_STATUSES.includes(status as ListingStatus)) throw new ConflictError("trading.alreadySold");
  throw new ConflictError("trading.notTrading");
}

// ---------------------------------------------------------------------------------------------
// Who is who

/** The side the actor is on for this offer, or null when they have nothing to do with it. */
export function sideOf(actor: Actor, offer: Pick<OfferDoc, "buyer" | "seller">): OfferSide | null {
  if (actor.id && String(offer.buyer.user) === actor.id) return "buyer";
  if (actor.id && offer.seller.user && String(offer.seller.user) === actor.id) return "seller";
  if (actor.organization && String(offer.seller.organization) === actor.organization.id) return "seller";
  return null;
}

/** Offers the actor may see: as their buyer, or on the seller side. Ownership in the query. */
function offerScope(actor: Actor): Record<string, unknown> | null {
  const or: Record<string, unknown>[] = [];
  if (actor.id) or.push({ "buyer.user": oid(actor.id) }, { "seller.user": oid(actor.id) });
  if (actor.organization) or.push({ "seller.organization": oid(actor.organization.id) });
  return or.length ? { $or: or } : null;
}

/** The people to tell about a change, on one side of the offer. */
async function usersOf(side: OfferSide, offer: OfferRow, session: ClientSession | null): Promise<string[]> {
  if (side === "buyer") return [String(offer.buyer.user)];
  return sellerSideUsers(offer.seller.organization, offer.seller.user ?? null, session);
}

function requirePerson(actor: Actor): string {
  if (!actor.id) throw new ForbiddenError("offers.errors.personRequired");
  return actor.id;
}

// ---------------------------------------------------------------------------------------------
// Terms

interface ResolvedTerms {
  amount: number;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
  message: string;
  expiresAt: Date;
}

/** The exclusivity a licence gets: the one asked for (if the listing offers it), or its only one. */
export function resolveExclusivity(
  listing: Pick<TradingListing, "licenseExclusivity">,
  mode: TransactionMode,
  asked: LicenseExclusivity | null | undefined,
): { value: LicenseExclusivity | null; error?: string } {
  if (mode !== "license") return { value: null };
  const offered = (listing.licenseExclusivity?.length ? listing.licenseExclusivity : ["non-exclusive"]) as LicenseExclusivity[];
  if (asked) {
    if (!LICENSE_EXCLUSIVITY.includes(asked)) return { value: null, error: "offers.errors.licenseExclusivity" };
    if (!offered.includes(asked)) return { value: null, error: "trading.exclusivityNotOffered" };
    return { value: asked };
  }
  if (offered.length === 1) return { value: offered[0]! };
  return { value: null, error: "trading.exclusivityRequired" };
}

/** Checks terms against the listing and the clock; every problem at once, by field. */
function resolveTerms(listing: TradingListing, terms: OfferTerms, now: Date): ResolvedTerms {
  const errors: FieldErrors = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  const amount = terms.amountFen;
  if (!Number.isSafeInteger(amount) || amount <= 0) add("amount", "offers.errors.amountPositive");
  else if (amount > MAX_YUAN * 100) add("amount", "offers.errors.amountTooLarge");
  const mode = terms.transactionMode;
  if (!TRANSACTION_MODES.includes(mode)) add("transactionMode", "offers.errors.transactionMode");
  else if (!(listing.transactionModes ?? []).includes(mode)) add("transactionMode", "trading.modeNotOffered");
  const exclusivity = resolveExclusivity(listing, mode, terms.licenseExclusivity);
  if (exclusivity.error) add("licenseExclusivity", exclusivity.error);
  const message = (terms.message ?? "").trim();
  if (message.length > OFFER_MESSAGE_MAX) add("message", "offers.errors.messageTooLong");
  const problem = terms.expiry ? expiryProblem(terms.expiry, now) : null;
  if (problem) add(problem.field, problem.message);
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { amount, transactionMode: mode, licenseExclusivity: exclusivity.value, message, expiresAt: expiryInstant(terms.expiry, now) };
}

/** A stored offer version as the one terms shape (what its acceptance makes the deal's terms). */
export function offerTermsOf(o: Pick<OfferDoc, "amount" | "currency" | "transactionMode" | "licenseExclusivity">): Terms {
  return normalizeTerms({
    price: o.amount,
    currency: o.currency ?? "CNY",
    transactionMode: o.transactionMode as TransactionMode,
    licenseExclusivity: (o.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
  });
}

// ---------------------------------------------------------------------------------------------
// Audit and notifications

function audit(
  session: ClientSession,
  e: { offer: Types.ObjectId; action: string; from?: string; to?: string; actor: Actor; via: Via; reason?: string | null; at: Date },
) {
  return recordAudit(session, {
    subjectType: "offer",
    subject: e.offer,
    action: e.action,
    from: e.from,
    to: e.to,
    actor: e.actor,
    via: e.via,
    reason: e.reason,
    at: e.at,
  });
}

function notice(
  offer: Pick<OfferRow, "listing" | "listingTitle" | "thread" | "amount" | "buyer">,
  type: NotifyInput["type"],
  users: string[],
  params: Record<string, string> = {},
): NotifyInput[] {
  const subject = { kind: "achievement" as const, id: offer.listing, title: offer.listingTitle };
  const base = { amount: formatYuan(offer.amount), buyer: offer.buyer.name, ...params };
  return [...new Set(users)].map((user) => ({ user, type, subject, link: OFFER_LINK(offer.thread), params: base }));
}

// ---------------------------------------------------------------------------------------------
// Expiry

/** Marks one open offer expired if it is due (conditional), with its audit event and notices. */
async function expireInSession(session: ClientSession, offer: OfferRow, now: Date): Promise<boolean> {
  const res = await Offer.updateOne(
    { _id: offer._id, status: "open", expiresAt: { $lte: now } },
    { $set: { status: "expired", respondedAt: now } },
    { session },
  );
  if (res.modifiedCount === 0) return false;
  await audit(session, { offer: offer._id, action: "expire", from: "open", to: "expired", actor: SYSTEM_ACTOR, via: "system", at: now });
  const users = [...(await usersOf("buyer", offer, session)), ...(await usersOf("seller", offer, session))];
  await notify(session, notice(offer, "offer.expired", users));
  return true;
}

/** Expires the due open offers matching `filter` (each in its own short transaction). */
async function expireDue(filter: Record<string, unknown>, now: Date, limit = 200): Promise<number> {
  const due = (await Offer.find({ ...filter, status: "open", expiresAt: { $lte: now } })
    .limit(limit)
    .lean()) as OfferRow[];
  let count = 0;
  for (const offer of due) {
    if (await withTransaction((session) => expireInSession(session, offer, now))) count++;
  }
  return count;
}

/**
 * Closes the open offers of a listing that is no longer trading. Accepting an offer closes the
 * others in its own transaction, but an offer committed at that very moment is not in its
 * snapshot; this sweep closes such a straggler.
 */
async function closeStragglers(now: Date): Promise<number> {
  const listingIds = (await Offer.distinct("listing", { status: "open" })) as Types.ObjectId[];
  if (listingIds.length === 0) return 0;
  const gone = await Achievement.find({ _id: { $in: listingIds }, status: { $ne: "trading" } }, { _id: 1, status: 1 }).lean();
  let count = 0;
  for (const listing of gone) {
    count += await withTransaction(async (session) => {
      const open = (await Offer.find({ listing: listing._id, status: "open" }).session(session).lean()) as OfferRow[];
      return closeOffers(
        session,
        open,
        SOLD_STATUSES.includes(listing.status as ListingStatus) ? "offers.reasons.soldToOther" : "offers.reasons.listingClosed",
        now,
      );
    });
  }
  return count;
}

/** Closes these open offers (conditionally), audits them and tells their buyers. */
async function closeOffers(session: ClientSession, offers: OfferRow[], reason: string, now: Date): Promise<number> {
  if (offers.length === 0) return 0;
  const ids = offers.map((o) => o._id);
  const res = await Offer.updateMany(
    { _id: { $in: ids }, status: "open" },
    { $set: { status: "closed", reason, respondedAt: now } },
    { session },
  );
  if (res.modifiedCount === 0) return 0;
  const closed = await Offer.find({ _id: { $in: ids }, status: "closed", respondedAt: now }, { _id: 1 })
    .session(session)
    .lean();
  const closedIds = new Set(closed.map((o) => String(o._id)));
  const done = offers.filter((o) => closedIds.has(String(o._id)));
  await recordAudit(
    session,
    done.map((o) => ({
      subjectType: "offer" as const,
      subject: o._id,
      action: "close",
      from: "open",
      to: "closed",
      actor: SYSTEM_ACTOR,
      via: "system" as const,
      reason,
      at: now,
    })),
  );
  // "offer.closed" reads "sold to another buyer"; the listingClosed wording is its i18next context.
  const params: Record<string, string> = reason === "offers.reasons.listingClosed" ? { context: "listingClosed" } : {};
  await notify(
    session,
    done.flatMap((o) => notice(o, "offer.closed", [String(o.buyer.user)], params)),
  );
  return done.length;
}

/**
 * The minute sweep: marks every open offer past its expiry `expired` (telling both sides), and
 * closes open offers whose listing was sold or left trading meanwhile. Returns how many offers
 * it expired or closed. Safe to run on several instances at once: each change is conditional.
 */
export async function expireOffers(now = new Date()): Promise<number> {
  let count = 0;
  // Bounded per run; the next minute picks up the rest.
  for (let round = 0; round < 20; round++) {
    const n = await expireDue({}, now, 200);
    count += n;
    if (n < 200) break;
  }
  count += await closeStragglers(now);
  return count;
}

// ---------------------------------------------------------------------------------------------
// Views

export interface OfferView {
  id: string;
  thread: string;
  version: number;
  by: OfferSide;
  byName: string;
  listing: { id: string; title: string };
  seller: { name: string; organizationId: string };
  buyer: { name: string; organizationName: string | null; userId: string };
  amount: number;
  currency: string;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
  message: string;
  expiresAt: string;
  status: OfferStatus;
  reason: string | null;
  respondedAt: string | null;
  respondedByName: string | null;
  dealId: string | null;
  createdAt: string;
}

/** The stored offer as people see it: open but past its expiry reads as expired. */
export function offerView(o: OfferRow, now = new Date()): OfferView {
  const status = effectiveStatus(o, now) as OfferStatus;
  return {
    id: String(o._id),
    thread: String(o.thread),
    version: o.version,
    by: o.by as OfferSide,
    byName: o.byName,
    listing: { id: String(o.listing), title: o.listingTitle },
    seller: { name: o.seller.name, organizationId: String(o.seller.organization) },
    buyer: { name: o.buyer.name, organizationName: o.buyer.organizationName ?? null, userId: String(o.buyer.user) },
    amount: o.amount,
    currency: o.currency ?? "CNY",
    transactionMode: o.transactionMode as TransactionMode,
    licenseExclusivity: (o.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
    message: o.message ?? "",
    expiresAt: o.expiresAt.toISOString(),
    status,
    reason: o.reason ?? null,
    respondedAt: o.respondedAt ? o.respondedAt.toISOString() : null,
    respondedByName: o.respondedByName ?? null,
    dealId: o.deal ? String(o.deal) : null,
    createdAt: o.createdAt.toISOString(),
  };
}

/** What the actor may do with the open version of a thread. */
export interface OfferActions {
  accept: boolean;
  reject: boolean;
  counter: boolean;
  withdraw: boolean;
}

const NO_ACTIONS: OfferActions = { accept: false, reject: false, counter: false, withdraw: false };

function actionsFor(actor: Actor, side: OfferSide | null, current: OfferView, listingStatus: string): OfferActions {
  if (!side || current.status !== "open") return NO_ACTIONS;
  const answering = mayAnswer(side, current.by, "accept");
  // The buyer side acts as a buyer: it needs the role it made the offer with.
  const mayAct = side === "seller" || can(actor, "offer:make");
  const trading = listingStatus === "trading";
  return {
    accept: answering && mayAct && trading,
    reject: answering,
    counter: answering && mayAct && trading,
    withdraw: !answering,
  };
}

export interface OfferThreadView {
  thread: string;
  side: OfferSide;
  listing: {
    id: string;
    title: string;
    status: ListingStatus;
    priceMode: PriceMode;
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
  };
  seller: { name: string };
  buyer: { name: string; organizationName: string | null };
  /** Oldest first. */
  versions: OfferView[];
  current: OfferView;
  actions: OfferActions;
  /** Other open offers on the listing that accepting would close (seller side only, else 0). */
  otherOpenOffers: number;
  dealId: string | null;
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

/** One row of "my offers": a thread, as its latest version stands. */
export interface OfferThreadSummary {
  thread: string;
  listing: { id: string; title: string };
  /** The other side: the seller organisation, or the buyer and their organisation. */
  counterpart: { name: string; organizationName: string | null };
  latest: OfferView;
  versions: number;
  /** The latest version is open and it is the actor's turn to answer. */
  awaitingMe: boolean;
}

export interface MyOffers {
  /** 收到的报价: negotiations on the actor's (organisation's) listings. */
  incoming: OfferThreadSummary[];
  /** 我发出的报价: the actor's own offers as a buyer. */
  outgoing: OfferThreadSummary[];
}

function summarize(rows: OfferRow[], side: OfferSide, now: Date): OfferThreadSummary[] {
  const byThread = new Map<string, OfferRow[]>();
  for (const r of rows) {
    const k = String(r.thread);
    const list = byThread.get(k) ?? [];
    list.push(r);
    byThread.set(k, list);
  }
  const out: OfferThreadSummary[] = [];
  for (const [thread, list] of byThread) {
    list.sort((a, b) => a.version - b.version);
    const latest = offerView(list[list.length - 1]!, now);
    out.push({
      thread,
      listing: latest.listing,
      counterpart:
        side === "buyer"
          ? { name: latest.seller.name, organizationName: null }
          : { name: latest.buyer.name, organizationName: latest.buyer.organizationName },
      latest,
      versions: list.length,
      awaitingMe: latest.status === "open" && mayAnswer(side, latest.by, "accept"),
    });
  }
  // Waiting for me first, then the most recently changed.
  return out.sort((a, b) => Number(b.awaitingMe) - Number(a.awaitingMe) || b.latest.createdAt.localeCompare(a.latest.createdAt));
}

/** The actor's negotiations, split into those received (seller side) and those made (buyer). */
export async function listMyOffers(actor: Actor, opts: { now?: Date; limit?: number } = {}): Promise<MyOffers> {
  const now = opts.now ?? new Date();
  const limit = opts.limit ?? 500;
  const incomingScope: Record<string, unknown>[] = [];
  if (actor.id) incomingScope.push({ "seller.user": oid(actor.id) });
  if (actor.organization) incomingScope.push({ "seller.organization": oid(actor.organization.id) });
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

export interface OfferQuote {
  listing: {
    id: string;
    title: string;
    status: ListingStatus;
    seller: { name: string };
    priceMode: PriceMode;
    transactionModes: TransactionMode[];
    licenseExclusivity: LicenseExclusivity[];
  };
  /** Why this person cannot make an offer now (an i18n key), or null. */
  problem: string | null;
  /** Their open negotiation on the listing, when that is the problem. */
  openThread: string | null;
}

/** What the make-offer page shows, and whether the actor may make an offer. Invisible listing: 404. */
export async function offerQuote(actor: Actor, listingId: string, now = new Date()): Promise<OfferQuote> {
  const doc = await loadListing(listingId);
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

// ---------------------------------------------------------------------------------------------
// Changes

/** A buyer's first offer on a negotiable listing in `trading`. Returns the new offer. */
export async function makeOffer(actor: Actor, listingId: string, terms: OfferTerms, opts: OfferOptions = {}): Promise<OfferView> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  if (!can(actor, "offer:make")) throw new ForbiddenError("trading.buyerRoleRequired");
  const userId = requirePerson(actor);
  const offerId = newId();
  await withTransaction(async (session) => {
    const listing = await loadListing(listingId, session);
    const relations = relationsOf(actor, listing);
    if (!isPublic(listing.status as ListingStatus) && relations.size === 0) throw new NotFoundError();
    if (relations.has("owner")) throw new ForbiddenError("trading.ownListing");
    assertTrading(listing.status);
    // Negotiable listings take offers; an auction-priced one only from the top bidder of an auction
    // that closed below the reserve (invited to negotiate).
    if (
      listing.price?.mode !== "negotiable" &&
      !(listing.price?.mode === "auction" && (await invitedToNegotiate(listing._id, userId, session)))
    ) {
      throw new ConflictError("trading.notNegotiable");
    }
    const t = resolveTerms(listing, terms, now);
    // An earlier offer of this buyer that ran out is expired first, so it does not block this one.
    const previous = (await Offer.findOne({ listing: listing._id, "buyer.user": oid(userId), status: "open" })
      .session(session)
      .lean()) as OfferRow | null;
    if (previous) {
      if (previous.expiresAt > now) throw new ConflictError("offers.errors.alreadyOpen");
      await expireInSession(session, previous, now);
    }
    const doc = {
      _id: offerId,
      listing: listing._id,
      listingTitle: listing.title,
      seller: { organization: listing.owner, name: listing.ownerName, user: listing.createdBy ?? undefined },
      buyer: {
        user: oid(userId),
        name: actor.name,
        organization: actor.organization ? oid(actor.organization.id) : undefined,
        organizationName: actor.organization?.name,
      },
      thread: offerId,
      version: 1,
      by: "buyer" as const,
      byUser: oid(userId),
      byName: actor.name,
      amount: t.amount,
      currency: "CNY",
      transactionMode: t.transactionMode,
      licenseExclusivity: t.licenseExclusivity ?? undefined,
      message: t.message,
      expiresAt: t.expiresAt,
      status: "open" as const,
    };
    try {
      await Offer.create([doc], { session });
    } catch (e) {
      if (isDuplicateKey(e)) throw new ConflictError("offers.errors.alreadyOpen");
      throw e;
    }
    await audit(session, { offer: offerId, action: "make", to: "open", actor, via, at: now });
    const sellers = (await sellerSideUsers(listing.owner, listing.createdBy ?? null, session)).filter((u) => u !== userId);
    await notify(session, notice({ ...doc, createdAt: now } as unknown as OfferRow, "offer.received", sellers));
  });
  const created = (await Offer.findById(offerId).lean()) as OfferRow;
  return offerView(created, now);
}

/**
 * Loads the open version `id` for an answer by the actor: in the actor's scope (else 404), open
 * (else 409), not past its expiry (else it is marked expired and `expired` is returned).
 */
async function openVersionFor(
  session: ClientSession,
  actor: Actor,
  id: string,
  now: Date,
): Promise<{ offer: OfferRow; side: OfferSide } | { expired: true }> {
  const scope = offerScope(actor);
  if (!scope) throw new NotFoundError();
  const offer = (await Offer.findOne({ _id: parseId(id), ...scope })
    .session(session)
    .lean()) as OfferRow | null;
  if (!offer) throw new NotFoundError();
  const side = sideOf(actor, offer);
  if (!side) throw new NotFoundError();
  if (offer.status === "open" && isExpired(offer, now)) {
    await expireInSession(session, offer, now);
    return { expired: true };
  }
  if (offer.status !== "open") throw new ConflictError(`offers.errors.status.${offer.status}`);
  return { offer, side };
}

/** Runs an answer in a transaction; an offer found expired is marked so and refused after the commit. */
async function answer<T>(
  actor: Actor,
  id: string,
  now: Date,
  fn: (session: ClientSession, offer: OfferRow, side: OfferSide) => Promise<T>,
): Promise<T> {
  let expired = false;
  const result = await withTransaction(async (session) => {
    expired = false;
    const found = await openVersionFor(session, actor, id, now);
    if ("expired" in found) {
      expired = true;
      return null;
    }
    return fn(session, found.offer, found.side);
  });
  if (expired) throw new ConflictError("offers.errors.status.expired");
  return result as T;
}

/** The conditional step every answer takes: still open, still not expired, else a conflict. */
async function closeVersion(
  session: ClientSession,
  offer: OfferRow,
  to: OfferStatus,
  actor: Actor,
  now: Date,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const res = await Offer.updateOne(
    { _id: offer._id, status: "open", expiresAt: { $gt: now } },
    { $set: { status: to, respondedAt: now, respondedBy: actor.id ? oid(actor.id) : undefined, respondedByName: actor.name, ...extra } },
    { session },
  );
  if (res.matchedCount === 0) throw new ConflictError("offers.errors.changedMeanwhile");
}

function requireAnswering(side: OfferSide, offer: OfferRow, actor: Actor, buyerAction: boolean) {
  if (!mayAnswer(side, offer.by as OfferSide, "accept")) throw new ForbiddenError("offers.errors.ownVersion");
  if (buyerAction && side === "buyer" && !can(actor, "offer:make")) throw new ForbiddenError("trading.buyerRoleRequired");
}

/**
 * Accepts the open version: opens the deal at its amount and terms (same transaction), closes
 * every other open offer on the listing and tells their buyers. The side that did not make the
 * version accepts it.
 */
export async function acceptOffer(actor: Actor, id: string, opts: OfferOptions = {}): Promise<{ offer: OfferView; dealId: string }> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  const dealId = await answer(actor, id, now, async (session, offer, side) => {
    requireAnswering(side, offer, actor, true);
    await closeVersion(session, offer, ANSWER_STATUS.accept, actor, now);
    const deal = await openDeal(session, {
      listingId: String(offer.listing),
      buyer: {
        userId: String(offer.buyer.user),
        name: offer.buyer.name,
        organization: offer.buyer.organization
          ? { id: String(offer.buyer.organization), name: offer.buyer.organizationName ?? undefined }
          : null,
      },
      source: "offer",
      terms: offerTermsOf(offer),
      offerId: String(offer._id),
      actor,
      via,
      now,
    });
    await Offer.updateOne({ _id: offer._id }, { $set: { deal: oid(deal) } }, { session });
    await audit(session, { offer: offer._id, action: "accept", from: "open", to: "accepted", actor, via, at: now });
    await notify(session, notice(offer, "offer.accepted", await usersOf(otherParty(side), offer, session)));
    const others = (await Offer.find({ listing: offer.listing, status: "open", _id: { $ne: offer._id } })
      .session(session)
      .lean()) as OfferRow[];
    await closeOffers(session, others, "offers.reasons.soldToOther", now);
    return deal;
  });
  const stored = (await Offer.findById(parseId(id)).lean()) as OfferRow;
  return { offer: offerView(stored, now), dealId };
}

/** Rejects the open version, with an optional reason the other side reads. */
export async function rejectOffer(
  actor: Actor,
  id: string,
  input: { reason?: string | null } = {},
  opts: OfferOptions = {},
): Promise<OfferView> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  const reason = (input.reason ?? "").trim();
  if (reason.length > OFFER_REASON_MAX) throw new ValidationError({ reason: ["offers.errors.reasonTooLong"] });
  await answer(actor, id, now, async (session, offer, side) => {
    requireAnswering(side, offer, actor, false);
    await closeVersion(session, offer, ANSWER_STATUS.reject, actor, now, reason ? { reason } : {});
    await audit(session, { offer: offer._id, action: "reject", from: "open", to: "rejected", actor, via, reason: reason || null, at: now });
    await notify(session, notice(offer, "offer.rejected", await usersOf(otherParty(side), offer, session), reason ? { reason } : {}));
  });
  return offerView((await Offer.findById(parseId(id)).lean()) as OfferRow, now);
}

/** Answers the open version with new terms: it becomes `countered`, the new version is open. */
export async function counterOffer(actor: Actor, id: string, terms: OfferTerms, opts: OfferOptions = {}): Promise<OfferView> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  const userId = requirePerson(actor);
  const counterId = newId();
  await answer(actor, id, now, async (session, offer, side) => {
    requireAnswering(side, offer, actor, true);
    const listing = await loadListing(offer.listing, session);
    assertTrading(listing.status);
    const t = resolveTerms(listing, terms, now);
    await closeVersion(session, offer, ANSWER_STATUS.counter, actor, now);
    try {
      await Offer.create(
        [
          {
            _id: counterId,
            listing: offer.listing,
            listingTitle: offer.listingTitle,
            seller: offer.seller,
            buyer: offer.buyer,
            thread: offer.thread,
            version: nextVersion(offer),
            by: side,
            byUser: oid(userId),
            byName: actor.name,
            amount: t.amount,
            currency: "CNY",
            transactionMode: t.transactionMode,
            licenseExclusivity: t.licenseExclusivity ?? undefined,
            message: t.message,
            expiresAt: t.expiresAt,
            status: "open",
          },
        ],
        { session },
      );
    } catch (e) {
      if (isDuplicateKey(e)) throw new ConflictError("offers.errors.changedMeanwhile");
      throw e;
    }
    await audit(session, { offer: offer._id, action: "counter", from: "open", to: "countered", actor, via, at: now });
    await audit(session, { offer: counterId, action: "make", to: "open", actor, via, at: now });
    const created = { ...offer, amount: t.amount };
    await notify(session, notice(created, "offer.countered", await usersOf(otherParty(side), offer, session), { by: actor.name }));
  });
  return offerView((await Offer.findById(counterId).lean()) as OfferRow, now);
}

/** Takes back the open version one made (the buyer their offer, the seller side its counter). */
export async function withdrawOffer(actor: Actor, id: string, opts: OfferOptions = {}): Promise<OfferView> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  await answer(actor, id, now, async (session, offer, side) => {
    if (!mayAnswer(side, offer.by as OfferSide, "withdraw")) throw new ForbiddenError("offers.errors.notYours");
    await closeVersion(session, offer, ANSWER_STATUS.withdraw, actor, now);
    await audit(session, { offer: offer._id, action: "withdraw", from: "open", to: "withdrawn", actor, via, at: now });
    // "offer.closed" in the withdrawn wording (i18next context, app/locales/modules/matching.ts).
    await notify(
      session,
      notice(offer, "offer.closed", await usersOf(otherParty(side), offer, session), { context: "withdrawn", by: actor.name }),
    );
  });
  return offerView((await Offer.findById(parseId(id)).lean()) as OfferRow, now);
}

// ---------------------------------------------------------------------------------------------
// API presentation (money in yuan)

export function apiOffer(o: OfferView) {
  return {
    id: o.id,
    thread: o.thread,
    version: o.version,
    by: o.by,
    byName: o.byName,
    listing: o.listing,
    seller: { name: o.seller.name },
    buyer: { name: o.buyer.name, organizationName: o.buyer.organizationName },
    amount: fenToYuan(o.amount),
    currency: o.currency,
    transactionMode: o.transactionMode,
    licenseExclusivity: o.licenseExclusivity,
    message: o.message,
    expiresAt: o.expiresAt,
    status: o.status,
    reason: o.reason,
    respondedAt: o.respondedAt,
    dealId: o.dealId,
    createdAt: o.createdAt,
  };
}

export function apiThread(t: OfferThreadView) {
  return {
    thread: t.thread,
    side: t.side,
    listing: { id: t.listing.id, title: t.listing.title, status: t.listing.status },
    seller: t.seller,
    buyer: t.buyer,
    status: t.current.status,
    current: apiOffer(t.current),
    versions: t.versions.map(apiOffer),
    actions: t.actions,
    dealId: t.dealId,
  };
}

export function apiThreadSummary(s: OfferThreadSummary) {
  return {
    thread: s.thread,
    listing: s.listing,
    counterpart: s.counterpart,
    versions: s.versions,
    awaitingMe: s.awaitingMe,
    latest: apiOffer(s.latest),
  };
}
