import type { ClientSession, Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { BuyRequest, type BuyRequestStatus } from "~/models/buy-request.server.ts";
import type { NotificationType } from "~/models/notification.server.ts";
import { SYSTEM_ACTOR, type Actor, type Via } from "~/services/kernel/actor.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import { afterCommit } from "~/services/kernel/tx.server.ts";
import { notify } from "~/services/notifications/notify.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { openDeal } from "../deals/open.server.ts";
import { excludedByLicensees } from "../deals/rules.ts";
import { assertTrading } from "../listing.server.ts";
import { returnDepositLater } from "./money.server.ts";

/**
 * A buy request becomes the deal (decision 023): in the caller's transaction, only while it is
 * still pending, through `openDeal` (which moves the listing trading → deal, or counts a
 * non-exclusive licence). The requests that can no longer be served are closed in the same
 * commit and their buyers told; their deposits go back after the commit.
 */

export type StoredRequest = NonNullable<Awaited<ReturnType<typeof loadRequest>>>;

export function loadRequest(id: Types.ObjectId | string, session: ClientSession | null = null) {
  return BuyRequest.findById(id).session(session).lean();
}

const subjectOf = (r: StoredRequest) => ({ kind: "achievement" as const, id: r.listing, title: r.listingTitle });

/** Opens the deal of a pending request; returns the deal's id. ConflictError (nothing written) when the listing is gone. */
export async function openFromRequest(
  session: ClientSession,
  requestId: Types.ObjectId | string,
  by: { actor: Actor; via: Via; now: Date },
): Promise<string> {
  const r = await loadRequest(requestId, session);
  if (!r || r.status !== "pending") throw new ConflictError("buyRequests.errors.notPending");
  // Sold meanwhile reads "already sold" (openDeal alone would say "not trading").
  const listing = await Achievement.findById(r.listing, { status: 1 }).session(session).lean();
  assertTrading(listing?.status ?? "");
  const deposit =
    r.deposit?.status === "captured" && r.deposit.payment
      ? { paymentId: String(r.deposit.payment), amountFen: r.deposit.amount ?? 0 }
      : null;
  const dealId = await openDeal(session, {
    listingId: String(r.listing),
    buyer: {
      userId: String(r.buyer.user),
      name: r.buyer.name,
      organization: r.buyer.organization ? { id: String(r.buyer.organization), name: r.buyer.organizationName ?? undefined } : null,
    },
    source: "buy-now",
    terms: {
      price: r.terms.price,
      transactionMode: r.terms.transactionMode as never,
      licenseExclusivity: (r.terms.licenseExclusivity ?? null) as never,
    },
    deposit,
    actor: by.actor,
    via: by.via,
    now: by.now,
  });
  const moved = await BuyRequest.updateOne(
    { _id: r._id, status: "pending" },
    { $set: { status: "opened", deal: dealId, decidedAt: by.now, decidedBy: { user: by.actor.id ?? undefined, name: by.actor.name } } },
    { session },
  );
  if (moved.matchedCount === 0) throw new ConflictError("buyRequests.errors.notPending");
  await recordAudit(session, {
    subjectType: "achievement",
    subject: r.listing,
    action: "buyRequest.opened",
    actor: by.actor,
    via: by.via,
    reason: `${r.buyer.name} · ${formatYuan(r.terms.price)}${deposit ? ` · 定金 ${formatYuan(deposit.amountFen)}` : ""}`,
    at: by.now,
  });
  await closeRivals(session, r.listing, by.now);
  return dealId;
}

/**
 * Closes the pending requests of a listing that can no longer become a deal: all of them once it
 * left trading, or (a non-exclusive licence was granted) those for an exclusive option, which the
 * licence excludes. Returns how many were closed.
 */
export async function closeRivals(session: ClientSession, listingId: Types.ObjectId, now: Date): Promise<number> {
  const listing = await Achievement.findById(listingId, { status: 1, nonExclusiveLicences: 1 }).session(session).lean();
  const pending = await BuyRequest.find({ listing: listingId, status: "pending" }).session(session).lean();
  let closed = 0;
  for (const r of pending) {
    const gone = !listing || listing.status !== "trading";
    const excluded = !gone && excludedByLicensees(r.terms, listing.nonExclusiveLicences ?? 0);
    if (!gone && !excluded) continue;
    if (await finishRequest(session, r, "closed", { reason: gone ? "buyRequests.reasons.sold" : "buyRequests.reasons.licensed", now }))
      closed++;
  }
  return closed;
}

const TOLD: Record<Exclude<BuyRequestStatus, "pending" | "opened">, NotificationType> = {
  closed: "buyRequest.closed",
  declined: "buyRequest.declined",
  expired: "buyRequest.expired",
};

/** The reason a request is closed when opening its deal was refused with `message`. */
export function closedReasonOf(message: string): string {
  if (message === "trading.licenseesExist") return "buyRequests.reasons.licensed";
  if (message === "trading.alreadySold" || message === "trading.licenceHeld") return "buyRequests.reasons.sold";
  return "buyRequests.reasons.notTrading";
}

/**
 * Ends a pending request without a deal (closed, declined, expired): tells the buyer, records it
 * on the listing's trail, and returns the deposit after the commit. False when it was not pending.
 */
export async function finishRequest(
  session: ClientSession,
  r: StoredRequest,
  status: "closed" | "declined" | "expired",
  opts: { reason: string; note?: string | null; actor?: Actor; via?: Via; now: Date },
): Promise<boolean> {
  const actor = opts.actor ?? SYSTEM_ACTOR;
  const moved = await BuyRequest.updateOne(
    { _id: r._id, status: "pending" },
    {
      $set: {
        status,
        closedReason: opts.reason,
        note: opts.note ?? null,
        decidedAt: opts.now,
        decidedBy: { user: actor.id ?? undefined, name: actor.name },
      },
    },
    { session },
  );
  if (moved.matchedCount === 0) return false;
  await recordAudit(session, {
    subjectType: "achievement",
    subject: r.listing,
    action: `buyRequest.${status}`,
    actor,
    via: opts.via ?? "system",
    reason: `${r.buyer.name} · ${formatYuan(r.terms.price)}${opts.note ? ` · ${opts.note}` : ""}`,
    at: opts.now,
  });
  await notify(session, [
    {
      user: r.buyer.user,
      type: TOLD[status],
      subject: subjectOf(r),
      link: `/my/buy-requests#request-${String(r._id)}`,
      params: { amount: formatYuan(r.terms.price), note: opts.note ?? "" },
    },
  ]);
  const payment = r.deposit?.payment;
  if (payment && ["pending", "held", "captured"].includes(r.deposit?.status ?? "none"))
    afterCommit(session, () => returnDepositLater(String(payment)));
  return true;
}
