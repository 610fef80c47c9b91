import type { ClientSession, Types } from "mongoose";
import { Deal, type DealPaymentState } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Payout } from "~/models/payout.server.ts";

/**
 * Keeps a deal's `paymentState` (models/deal.server.ts) in step with its stages and payouts, in the
 * caller's transaction: every settlement write that changes what is paid or paid out calls it.
 * A cancelled deal's state is set by the cancellation ("refunded" once everything went back).
 */
export function paymentStateOf(
  stages: readonly { kind: string; status: string; amount: number; paid: number }[],
  payouts: readonly { status: string }[],
): DealPaymentState {
  const live = stages.filter((s) => s.status !== "cancelled");
  if (!live.length) return "none";
  const fixed = live.filter((s) => s.kind === "fixed");
  const anyPaid = live.some((s) => s.paid > 0);
  const allFixedPaid = fixed.length > 0 && fixed.every((s) => s.status === "paid");
  if (!allFixedPaid) return anyPaid ? "partly-paid" : "due";
  const open = payouts.some((p) => p.status === "owed" || p.status === "pending" || p.status === "failed");
  return open || payouts.length === 0 ? "paid" : "paid-out";
}

export async function refreshPaymentState(session: ClientSession, dealId: Types.ObjectId | string): Promise<DealPaymentState> {
  const [stages, payouts] = await Promise.all([
    DealStage.find({ deal: dealId }, { kind: 1, status: 1, amount: 1, paid: 1 }).session(session).lean(),
    Payout.find({ deal: dealId }, { status: 1 }).session(session).lean(),
  ]);
  const state = paymentStateOf(stages, payouts);
  await Deal.updateOne({ _id: dealId, status: "open" }, { $set: { paymentState: state } }, { session });
  return state;
}
