import { Payment } from "~/models/payment.server.ts";
import { releasePayment } from "~/services/payments/holds.server.ts";
import { refundPayment } from "~/services/payments/refunds.server.ts";
import { logger } from "~/utils/logger.server.ts";

/**
 * A deposit goes back to a buyer whose request did not become the deal: released while it is only
 * held (no money moved), refunded once captured (the ledger posts the refund through the purpose's
 * handler). Idempotent: the release and the refund carry their own keys.
 */
export async function returnDeposit(paymentId: string): Promise<string> {
  const p = await Payment.findById(paymentId, { status: 1, refundedAmount: 1, capturedAmount: 1, amount: 1 }).lean();
  if (!p) return "none";
  if (p.status === "pending" || p.status === "held") {
    const status = await releasePayment(paymentId).catch(async (e: unknown) => {
      // Captured in that very moment: refund it instead.
      const now = await Payment.findById(paymentId, { status: 1 }).lean();
      if (now?.status === "captured") return "captured";
      throw e;
    });
    if (status !== "captured") return status;
  }
  const fresh = await Payment.findById(paymentId, { status: 1 }).lean();
  if (fresh?.status === "captured") {
    return (await refundPayment(paymentId, { key: "buy-request-returned", reason: "requested_by_customer" })).status;
  }
  return fresh?.status ?? "none";
}

/** `returnDeposit` after a commit, logged rather than thrown: the expiry job retries what failed. */
export function returnDepositLater(paymentId: string): void {
  void returnDeposit(paymentId).catch((e: unknown) =>
    logger.warn({ err: e instanceof Error ? e.message : String(e), payment: paymentId }, "buy-now deposit: return failed"),
  );
}
