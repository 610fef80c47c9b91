import { Payment, type PaymentStatus } from "~/models/payment.server.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { parseId } from "../kernel/ids.server.ts";
import { gatewayFor } from "./gateway.server.ts";
import { gatewayFailure, kindOf, move, statusOf } from "./records.server.ts";
import { applyHoldState, syncPayment } from "./sync.server.ts";
import { PaymentGatewayError, type HoldState } from "./types.ts";

/**
 * Settling a hold: capture (take the held money, all or less) or release (let it go back). Both are
 * idempotent: the gateway call carries `capture:<id>` / `release:<id>`, and the status moves
 * conditionally, so two processes settling the same payment, or a retry after a crash, move the
 * money once and both end with the same answer. A gateway answer `payment_intent_unexpected_state`
 * with the money already canceled (release) or succeeded (capture) counts as done.
 */

/**
 * Takes held money. Idempotent: capturing a captured payment returns "captured" without calling
 * the gateway. Refused with `payments.notHeld` for a payment that is not held (pending, failed,
 * released, or not a hold at all).
 */
export async function capturePayment(paymentId: string, opts: { amountFen?: number } = {}): Promise<PaymentStatus> {
  const id = parseId(paymentId);
  const fields = { status: 1, amount: 1, intentRef: 1, kind: 1, gateway: 1 };
  let p = await Payment.findById(id, fields).lean();
  if (!p) throw new NotFoundError();
  if (kindOf(p) !== "hold") throw new ConflictError("payments.notHeld");
  if (p.status === "captured") return "captured";
  // The webhook may not have arrived yet: ask before refusing.
  if (p.status === "pending" || p.status === "failed") {
    await syncPayment(paymentId);
    p = (await Payment.findById(id, fields).lean())!;
    if (p.status === "captured") return "captured";
  }
  if (p.status !== "held" || !p.intentRef) throw new ConflictError("payments.notHeld");
  const amount = opts.amountFen ?? p.amount;
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > p.amount) {
    throw new ValidationError({ amountFen: ["payments.captureAmountInvalid"] });
  }
  try {
    await gatewayFor(p.gateway).capture(p.intentRef, {
      idempotencyKey: `capture:${paymentId}`,
      ...(opts.amountFen !== undefined ? { amountFen: amount } : {}),
    });
  } catch (e) {
    const state = e instanceof PaymentGatewayError && e.code === "payment_intent_unexpected_state" ? e.intentStatus : null;
    if (state === "canceled") {
      // Released at the gateway (another process, or the authorisation lapsed): record it, refuse.
      await move(id, ["held"], "released", { source: "capture" });
      throw new ConflictError("payments.notHeld");
    }
    // "succeeded": captured already (another process, or an earlier try whose local update was lost).
    if (state !== "succeeded") return gatewayFailure(e, "capture", paymentId);
  }
  await move(id, ["held"], "captured", { source: "capture" }, { capturedAmount: amount });
  return statusOf(id);
}

/**
 * Lets held money go back to the payer. Idempotent: releasing a released or failed payment changes
 * nothing and calls nobody. A payment still pending (the payer never finished) has its payment page
 * closed and becomes failed; if the payer finished in that very moment, the now-held money is
 * released. Refused with `payments.alreadyCaptured` once the money was taken.
 */
export async function releasePayment(paymentId: string): Promise<PaymentStatus> {
  const id = parseId(paymentId);
  const p = await Payment.findById(id, { status: 1, checkoutRef: 1, intentRef: 1, kind: 1, gateway: 1 }).lean();
  if (!p) throw new NotFoundError();
  if (kindOf(p) !== "hold") throw new ConflictError("payments.notHeld");
  const gateway = gatewayFor(p.gateway);
  switch (p.status as PaymentStatus) {
    case "released":
    case "failed":
      return p.status as PaymentStatus;
    case "captured":
    case "refunded":
      throw new ConflictError("payments.alreadyCaptured");
    case "pending": {
      if (p.checkoutRef && gateway.cancelHold) {
        let state: HoldState;
        try {
          state = await gateway.cancelHold(p.checkoutRef);
        } catch (e) {
          return gatewayFailure(e, "cancel hold", paymentId);
        }
        if (state.status === "failed" || state.status === "pending") {
          await move(id, ["pending"], "failed", { source: "release" }, { failureReason: "released before payment" });
          return statusOf(id);
        }
        await applyHoldState(id, state, "release");
        if (state.status === "captured") throw new ConflictError("payments.alreadyCaptured");
        if (state.status === "released") return statusOf(id);
        break; // held: release the money below
      }
      await move(id, ["pending"], "failed", { source: "release" }, { failureReason: "released before payment" });
      return statusOf(id);
    }
    default:
      break;
  }

  const held = await Payment.findById(id, { status: 1, intentRef: 1 }).lean();
  if (!held) throw new NotFoundError();
  if (held.status !== "held") return releasePayment(paymentId); // moved meanwhile: decide again
  if (!held.intentRef) throw new ConflictError("payments.notHeld");
  try {
    await gateway.release(held.intentRef, { idempotencyKey: `release:${paymentId}` });
  } catch (e) {
    const state = e instanceof PaymentGatewayError && e.code === "payment_intent_unexpected_state" ? e.intentStatus : null;
    if (state === "succeeded") {
      await move(id, ["held"], "captured", { source: "release" });
      throw new ConflictError("payments.alreadyCaptured");
    }
    // "canceled": released already — by another process, or an earlier try whose update was lost.
    if (state !== "canceled") return gatewayFailure(e, "release", paymentId);
  }
  await move(id, ["held"], "released", { source: "release" });
  return statusOf(id);
}
