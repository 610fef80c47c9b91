import type { Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { BuyRequest, BUY_DEPOSIT_STATUSES, type BuyDepositStatus } from "~/models/buy-request.server.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { afterCommit, withTransaction } from "~/services/kernel/tx.server.ts";
import { postDepositCaptured, postDepositRefunded } from "~/services/ledger/deposits.server.ts";
import { capturePayment } from "~/services/payments/holds.server.ts";
import { registerPaymentPurpose } from "~/services/payments/purposes.server.ts";
import { getPayment } from "~/services/payments/queries.server.ts";
import { startHold } from "~/services/payments/start.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { excludedByLicensees } from "../deals/rules.ts";
import { returnDeposit } from "./money.server.ts";
import { closedReasonOf, finishRequest, loadRequest, openFromRequest } from "./open.server.ts";

/**
 * 立即购买定金: a buy request's deposit is a payment of purpose "buy-now-deposit", a hold through the
 * gateway like an auction's (decision 006). Once held, it is captured and the deal opens, first
 * come first served (decision 023): a listing sold meanwhile gets the hold released (before the
 * capture) or the captured money refunded (after it), and the buyer is told. The capture and the
 * refund are in the ledger like an auction deposit's (Dr cash Stripe / Cr deposits held, and
 * back), keyed by the payment, in the transaction that moves the payment.
 */

registerPaymentPurpose("buy-now-deposit", {
  async onStatus(session, payment, _from, to) {
    if (!(BUY_DEPOSIT_STATUSES as readonly string[]).includes(to)) return;
    const requestId = payment.subject.id;
    await BuyRequest.updateOne(
      { _id: requestId, "deposit.payment": payment.id },
      { $set: { "deposit.status": to as BuyDepositStatus } },
      { session },
    );
    const money = { paymentId: payment.id, registrationId: requestId, payerId: payment.payerId };
    if (to === "captured") {
      await postDepositCaptured(session, { ...money, amountFen: payment.capturedAmountFen ?? payment.amountFen });
    } else if (to === "refunded") {
      await postDepositRefunded(session, { ...money, refundedTotalFen: payment.refundedAmountFen ?? 0 });
    }
    // Held (by the webhook or the return page): carry on at once, after this commit; the expiry job retries.
    if (to === "held") afterCommit(session, () => settleLater(requestId));
  },
});

function settleLater(requestId: string) {
  void settleBuyRequest(requestId).catch((e: unknown) =>
    logger.warn({ err: e instanceof Error ? e.message : String(e), request: requestId }, "buy-now deposit: settling failed"),
  );
}

/** Starts (or, while its page is still open, resumes) the deposit hold of a pending request. */
export async function startBuyNowDeposit(
  requestId: Types.ObjectId,
  payer: { id: string; name: string; email?: string },
  urls: { successUrl: string; cancelUrl: string },
): Promise<{ paymentId: string; redirectUrl: string }> {
  const r = await loadRequest(requestId);
  if (!r || r.status !== "pending") throw new ConflictError("buyRequests.errors.notPending");
  const previous = r.deposit?.payment ?? null;
  if (previous && r.deposit?.status === "pending") {
    const status = await syncPayment(String(previous)).catch(() => "pending" as const);
    if (status === "pending") {
      const p = await getPayment(String(previous)).catch(() => null);
      if (p?.checkoutUrl) return { paymentId: String(previous), redirectUrl: p.checkoutUrl };
    }
  }
  if (r.deposit?.status === "held" || r.deposit?.status === "captured") throw new ConflictError("payments.depositAlreadyHeld");
  return startHold({
    purpose: "buy-now-deposit",
    payer,
    amountFen: r.deposit!.amount!,
    subject: { kind: "buy-request", id: String(r._id) },
    description: `立即购买定金 Buy-now deposit · ${r.listingTitle}`,
    successUrl: urls.successUrl,
    cancelUrl: urls.cancelUrl,
    async link(session, paymentId) {
      const linked = await BuyRequest.updateOne(
        { _id: r._id, status: "pending", "deposit.payment": previous, "deposit.status": { $nin: ["held", "captured"] } },
        { $set: { "deposit.status": "pending", "deposit.payment": paymentId } },
        { session },
      );
      if (linked.matchedCount === 0) throw new ConflictError("buyRequests.errors.notPending");
    },
  });
}

/** Whether the request's option can still be bought: the listing trading and the option not excluded by licences. */
async function stillOnOffer(listingId: Types.ObjectId, terms: { transactionMode: string; licenseExclusivity?: string | null }) {
  const l = await Achievement.findById(listingId, { status: 1, nonExclusiveLicences: 1 }).lean();
  return !!l && l.status === "trading" && !excludedByLicensees(terms, l.nonExclusiveLicences ?? 0);
}

/**
 * Carries a deposit request on from where its payment stands: held → captured (or released when
 * the listing was sold meanwhile) → the deal opened (or the deposit refunded when another deal
 * came first). Idempotent and safe to run twice at once (the webhook's hook, the return page, the
 * job): the capture is keyed, and only one transaction moves the request out of pending.
 * Returns the request's status afterwards.
 */
export async function settleBuyRequest(requestId: string, now = new Date()): Promise<string> {
  let r = await loadRequest(requestId);
  if (!r) return "none";
  const paymentId = r.deposit?.payment ? String(r.deposit.payment) : null;
  if (r.way !== "deposit" || !paymentId) return r.status;
  if (r.status !== "pending") {
    // Ended without a deal: make sure the money went back (a return that failed after the commit).
    if (r.status !== "opened" && ["held", "captured"].includes(r.deposit?.status ?? "")) await returnDeposit(paymentId);
    return r.status;
  }
  if (r.deposit?.status === "held") {
    if (!(await stillOnOffer(r.listing, r.terms))) {
      await withTransaction(async (session) => {
        const fresh = await loadRequest(r!._id, session);
        if (fresh) await finishRequest(session, fresh, "closed", { reason: "buyRequests.reasons.sold", now });
      });
      return "closed";
    }
    await capturePayment(paymentId);
    r = (await loadRequest(requestId))!;
  }
  if (r.status !== "pending" || r.deposit?.status !== "captured") return r.status;
  try {
    await withTransaction((session) => openFromRequest(session, r!._id, { actor: buyerActor(r!), via: "system", now }));
    return "opened";
  } catch (e) {
    if (!(e instanceof ConflictError)) throw e;
    // Another deal came first (or the request ended meanwhile): the captured deposit goes back.
    await withTransaction(async (session) => {
      const fresh = await loadRequest(r!._id, session);
      if (fresh?.status === "pending") await finishRequest(session, fresh, "closed", { reason: closedReasonOf(e.message), now });
    });
    const ended = (await loadRequest(requestId))?.status ?? "none";
    // Opened by a concurrent settle: that deal holds the deposit. Otherwise it goes back.
    if (ended !== "opened" && ended !== "pending") await returnDeposit(paymentId).catch(() => null);
    return ended;
  }
}

/** The buyer as the actor of the deal their own deposit opened. */
function buyerActor(r: NonNullable<Awaited<ReturnType<typeof loadRequest>>>): Actor {
  return {
    id: String(r.buyer.user),
    name: r.buyer.name,
    roles: ["buyer"],
    organization: r.buyer.organization ? { id: String(r.buyer.organization), name: r.buyer.organizationName ?? undefined } : null,
  };
}

/** The return page after the gateway: asks where the deposit stands and carries the request on. */
export async function refreshDepositRequest(requestId: Types.ObjectId): Promise<void> {
  const r = await loadRequest(requestId);
  if (!r || r.way !== "deposit" || !r.deposit?.payment) return;
  if (r.deposit.status === "pending") await syncPayment(String(r.deposit.payment)).catch(() => null);
  await settleBuyRequest(String(r._id));
}

/** Deposit requests whose money is not where their state says (the job's retry). */
export async function unsettledDepositRequests(limit = 50): Promise<string[]> {
  const rows = await BuyRequest.find(
    {
      way: "deposit",
      $or: [
        { status: "pending", "deposit.status": { $in: ["held", "captured"] } },
        { status: { $in: ["closed", "declined", "expired"] }, "deposit.status": { $in: ["held", "captured"] } },
      ],
    },
    { _id: 1 },
  )
    .limit(limit)
    .lean();
  return rows.map((x) => String(x._id));
}
