import { Payment, type PaymentStatus } from "~/models/payment.server.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { gatewayFor } from "./gateway.server.ts";
import { gatewayFailure, recordRefund, refundBase } from "./records.server.ts";
import { PaymentGatewayError } from "./types.ts";

/**
 * Refunds: money a payer paid (a checkout) or had captured (a hold) goes back, all of it or part,
 * as often as there is some left. The caller names each refund with a key of its own (e.g. the
 * cancelled instalment): asking again with the same key refunds once — locally the key is on the
 * recorded refund, at the gateway it is the idempotency key `refund:<paymentId>:<key>`.
 */

export interface RefundOptions {
  /** The caller's name for this refund, stable across retries (letters, digits, `.:_-`). */
  key: string;
  /** Omitted: all that is left. */
  amountFen?: number;
  reason?: "requested_by_customer" | "duplicate" | "fraudulent";
}

export interface RefundResult {
  status: PaymentStatus;
  refundedAmountFen: number;
}

export async function refundPayment(paymentId: string, opts: RefundOptions): Promise<RefundResult> {
  const id = parseId(paymentId);
  if (!/^[\w.:-]{1,100}$/.test(opts.key ?? "")) throw new ValidationError({ key: ["errors.invalidInput"] });
  const p = await Payment.findById(id).lean();
  if (!p) throw new NotFoundError();
  const done = (q: { status: string; refundedAmount?: number | null }): RefundResult => ({
    status: q.status as PaymentStatus,
    refundedAmountFen: q.refundedAmount ?? 0,
  });
  if ((p.refunds ?? []).some((r) => r.key === opts.key)) return done(p); // this refund was made already
  if (!["captured", "succeeded", "refunded"].includes(p.status) || !p.intentRef) throw new ConflictError("payments.notRefundable");
  const left = refundBase(p) - (p.refundedAmount ?? 0);
  if (left <= 0) throw new ConflictError("payments.alreadyRefunded");
  const amount = opts.amountFen ?? left;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > left)
    throw new ValidationError({ amountFen: ["payments.refundAmountInvalid"] });

  let done_;
  try {
    done_ = await gatewayFor(p.gateway).refund({
      intentRef: p.intentRef,
      paymentId,
      amountFen: amount,
      reason: opts.reason,
      idempotencyKey: `refund:${paymentId}:${opts.key}`,
    });
  } catch (e) {
    // The gateway knows better than our record (a refund made elsewhere): say so, without retrying.
    if (e instanceof PaymentGatewayError && e.code === "charge_already_refunded") throw new ConflictError("payments.alreadyRefunded");
    if (e instanceof PaymentGatewayError && e.code === "amount_too_large")
      throw new ValidationError({ amountFen: ["payments.refundAmountInvalid"] });
    return gatewayFailure(e, "refund", paymentId);
  }
  await withTransaction((session) =>
    recordRefund(
      session,
      id,
      {
        refundRef: done_.refundRef,
        amountFen: done_.amountFen,
        refundedTotalFen: done_.refundedTotalFen,
        key: opts.key,
        reason: opts.reason,
      },
      { source: "refund" },
    ),
  );
  // The refund's own webhook may have recorded it first (without the key): the key goes on it now.
  await Payment.updateOne(
    { _id: id, refunds: { $elemMatch: { ref: done_.refundRef, key: null } } },
    { $set: { "refunds.$.key": opts.key } },
  );
  return done((await Payment.findById(id, { status: 1, refundedAmount: 1 }).lean())!);
}
