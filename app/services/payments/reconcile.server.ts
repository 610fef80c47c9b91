import { Payment } from "~/models/payment.server.ts";
import { logger } from "~/utils/logger.server.ts";
import type { Job } from "../kernel/jobs.ts";
import { syncPayment } from "./sync.server.ts";

/**
 * Payments whose webhook never came (docs/decisions/036-fault-tests.md). A webhook is the usual
 * way a payment page's outcome reaches us, and the return page the other; both can be lost — the
 * app killed while it handled the delivery, the payer closing the browser, Stripe giving up after
 * days of failures, the local Stripe-compatible server's queue gone with the process. So a payment
 * page still pending after a grace period is asked of the gateway, which makes the same conditional
 * change as the webhook (syncPayment): whichever comes first applies it, the others change nothing.
 */

/** Before this, the webhook or the return page normally answers; no need to ask. */
export const RECONCILE_AFTER_MS = 60_000;
/** A Checkout page expires within a day and an authorisation within about 7: older ones are final. */
export const RECONCILE_WITHIN_MS = 8 * 24 * 3600_000;

/** Asks the gateway about payment pages still pending; answers how many moved. */
export async function reconcilePendingPayments(now = new Date(), { limit = 100 } = {}): Promise<number> {
  const stale = await Payment.find(
    {
      status: "pending",
      kind: { $ne: "transfer" },
      checkoutRef: { $type: "string" },
      createdAt: { $lte: new Date(now.getTime() - RECONCILE_AFTER_MS), $gte: new Date(now.getTime() - RECONCILE_WITHIN_MS) },
    },
    { _id: 1 },
  )
    // The least recently looked at first, so a long list is worked through over several runs.
    .sort({ updatedAt: 1 })
    .limit(limit)
    .lean();
  let moved = 0;
  for (const p of stale) {
    try {
      if ((await syncPayment(String(p._id))) !== "pending") moved += 1;
      // Still pending: touched, so the next run starts with the others.
      else await Payment.updateOne({ _id: p._id, status: "pending" }, { $set: { updatedAt: new Date() } }, { timestamps: false });
    } catch (err) {
      logger.warn({ payment: String(p._id), err: (err as Error).message }, "payment reconciliation: the gateway did not answer; next run");
    }
  }
  return moved;
}

/**
 * Runs where every purpose's owner is loaded (services/payment-purposes.server.ts re-exports it),
 * because the change it makes lets the owner react in the same transaction.
 */
export const paymentsReconcileJob: Job = {
  name: "payments.reconcile",
  everyMs: 30_000,
  run: async (now) => (await reconcilePendingPayments(now)) || undefined,
};
