import type { Types } from "mongoose";
import { Payment, type PaymentStatus } from "~/models/payment.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { parseId } from "../kernel/ids.server.ts";
import { gatewayFor } from "./gateway.server.ts";
import { gatewayFailure, kindOf, move, statusOf } from "./records.server.ts";
import type { CheckoutState, HoldState } from "./types.ts";

/**
 * Asking the gateway where a payment stands and applying it. The return page calls this so the
 * payer sees "held" or "paid" at once instead of waiting for the webhook; both paths make the same
 * conditional change, so whichever comes second changes nothing.
 */

/** Applies where the gateway says a hold stands (the return page, release of a pending hold). */
export async function applyHoldState(paymentId: Types.ObjectId, state: HoldState, source: string): Promise<void> {
  const intent = state.intentRef ? { intentRef: state.intentRef } : {};
  switch (state.status) {
    case "held":
      // Also from failed: a decline marks the payment failed, but the payer may still succeed
      // with another card on the same page — then the money is held and our record must say so.
      await move(paymentId, ["pending", "failed"], "held", { source }, intent);
      break;
    case "captured":
      await move(paymentId, ["pending", "failed", "held"], "captured", { source }, intent);
      break;
    case "released":
      await move(paymentId, ["pending", "failed", "held"], "released", { source }, intent);
      break;
    case "failed":
      await move(paymentId, ["pending"], "failed", { source }, { failureReason: "checkout expired" });
      break;
    case "pending":
      break;
  }
}

async function applyCheckoutState(paymentId: Types.ObjectId, state: CheckoutState, source: string): Promise<void> {
  const intent = state.intentRef ? { intentRef: state.intentRef } : {};
  if (state.status === "succeeded") await move(paymentId, ["pending", "failed"], "succeeded", { source }, intent);
  else if (state.status === "failed") await move(paymentId, ["pending"], "failed", { source }, { failureReason: "checkout expired" });
}

const SETTLED: PaymentStatus[] = ["captured", "released", "succeeded", "refunded"];

export async function syncPayment(paymentId: string): Promise<PaymentStatus> {
  const id = parseId(paymentId);
  const p = await Payment.findById(id, { status: 1, checkoutRef: 1, kind: 1, gateway: 1 }).lean();
  if (!p) throw new NotFoundError();
  const kind = kindOf(p);
  if (kind === "transfer" || !p.checkoutRef || SETTLED.includes(p.status as PaymentStatus)) return p.status as PaymentStatus;
  const gateway = gatewayFor(p.gateway);
  try {
    if (kind === "hold") await applyHoldState(id, await gateway.holdState(p.checkoutRef), "sync");
    else await applyCheckoutState(id, await gateway.checkoutState(p.checkoutRef), "sync");
  } catch (e) {
    return gatewayFailure(e, `${kind} state`, paymentId);
  }
  return statusOf(id);
}
