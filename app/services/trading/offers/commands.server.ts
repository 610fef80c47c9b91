import { type ClientSession } from "mongoose";
import { Offer, type OfferSide, type OfferStatus } from "~/models/offer.server.ts";
import { OFFER_REASON_MAX, type OfferTerms } from "~/schemas/offers.ts";
import type { Actor, Via } from "~/services/kernel/actor.ts";
import { newId, oid, parseId } from "~/services/kernel/ids.server.ts";
import { isDuplicateKey } from "~/services/kernel/mongo-errors.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { relationsOf } from "~/services/listings/access.ts";
import { recordEngagement } from "~/services/matching/feedback.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import { publishOfferChange } from "./events.server.ts";
import { invitedToNegotiate } from "~/services/trading/auctions/negotiation.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can } from "~/utils/permissions.ts";
import { openDeal, sellerSideUsers } from "../deals/open.server.ts";
import { dealEndsTrading } from "../deals/rules.ts";
import { assertTrading, loadTradingListing } from "../listing.server.ts";
import { ANSWER_STATUS, isExpired, mayAnswer, nextVersion, otherParty } from "../negotiation.ts";
import { closeOffers, expireInSession } from "./expiry.server.ts";
import { audit, notice, usersOf } from "./notices.server.ts";
import { offerScope } from "./queries.server.ts";
import { offerTermsOf, requirePerson, resolveTerms, sideOf } from "./rules.ts";
import { offerView, type OfferRow, type OfferView } from "./views.ts";

/**
 * 报价 / 议价 on negotiable listings in `trading`. A buyer makes an offer; the seller side (the
 * listing's owner organisation or its author) accepts, rejects or counters; the buyer answers a
 * counter the same way, and whoever made the open version may withdraw it. Each counter is a new
 * version in the thread and the countered one is closed as `countered`. Accepting opens the deal
 * (../deals/open.server.ts `openDeal`, same transaction) and closes every other open offer on the listing
 * (unless the deal is a non-exclusive licence, which leaves the listing trading).
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

/** What a new open version says, whoever makes it: who, the terms, when it runs out. */
function openVersion(actor: Actor, userId: string, t: ReturnType<typeof resolveTerms>) {
  return {
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
}

/** A buyer's first offer on a negotiable listing in `trading`. Returns the new offer. */
export async function makeOffer(actor: Actor, listingId: string, terms: OfferTerms, opts: OfferOptions = {}): Promise<OfferView> {
  const now = opts.now ?? new Date();
  const via = opts.via ?? "ui";
  if (!can(actor, "offer:make")) throw new ForbiddenError("trading.buyerRoleRequired");
  const userId = requirePerson(actor);
  const offerId = newId();
  await withTransaction(async (session) => {
    const listing = await loadTradingListing(listingId, session);
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
      ...openVersion(actor, userId, t),
    };
    try {
      await Offer.create([doc], { session });
    } catch (e) {
      if (isDuplicateKey(e)) throw new ConflictError("offers.errors.alreadyOpen");
      throw e;
    }
    await audit(session, { offer: offerId, action: "make", to: "open", actor, via, at: now });
    // An offer on an achievement that matched one of the buyer's demands: a positive signal (decision 031).
    await recordEngagement(session, {
      kind: "offer",
      achievementId: listing._id,
      buyer: { userId, organizationId: actor.organization?.id ?? null },
      now,
    });
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
  let thread = null as string | null;
  const result = await withTransaction(async (session) => {
    expired = false;
    const found = await openVersionFor(session, actor, id, now);
    thread = "expired" in found ? null : String(found.offer.thread);
    if ("expired" in found) {
      expired = true;
      return null;
    }
    return fn(session, found.offer, found.side);
  });
  // Committed: the parties' open thread pages reload (server/realtime/offers.ts).
  if (thread) publishOfferChange([thread]);
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
  let closedThreads: string[] = [];
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
    // A sale closes the other buyers' offers; a non-exclusive licence leaves them open (the
    // listing stays trading for other licensees, issue 13 point 5).
    if (dealEndsTrading({ source: "offer", ...offerTermsOf(offer) })) {
      const others = (await Offer.find({ listing: offer.listing, status: "open", _id: { $ne: offer._id } })
        .session(session)
        .lean()) as OfferRow[];
      await closeOffers(session, others, "offers.reasons.soldToOther", now);
      closedThreads = others.map((o) => String(o.thread));
    }
    return deal;
  });
  publishOfferChange(closedThreads);
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
    const listing = await loadTradingListing(offer.listing, session);
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
            ...openVersion(actor, userId, t),
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
