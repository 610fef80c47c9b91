import { type ClientSession, type Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Offer } from "~/models/offer.server.ts";
import { SYSTEM_ACTOR } from "~/services/kernel/actor.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import { SOLD_STATUSES } from "../listing.server.ts";
import { audit, notice, usersOf } from "./notices.server.ts";
import type { OfferRow } from "./views.ts";

/**
 * Offers that end without an answer: an open offer past its `expiresAt` is expired (it already
 * reads as expired everywhere before this marks it), and open offers of a listing that was sold or
 * left trading are closed. The `offers.expire` job (./jobs.server.ts) runs `expireOffers`.
 */

/** Marks one open offer expired if it is due (conditional), with its audit event and notices. */
export async function expireInSession(session: ClientSession, offer: OfferRow, now: Date): Promise<boolean> {
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
export async function expireDue(filter: Record<string, unknown>, now: Date, limit = 200): Promise<number> {
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
export async function closeOffers(session: ClientSession, offers: OfferRow[], reason: string, now: Date): Promise<number> {
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
