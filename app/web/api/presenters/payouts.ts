import type { PayoutView } from "~/services/settlement/payouts.server.ts";
import { fenToYuan } from "~/utils/money.ts";

/** A payout as the API shows it (docs/api.md, "Payouts"): money in yuan. */
export function apiPayout(p: PayoutView) {
  return {
    id: p.id,
    deal: p.deal,
    stage: p.stage,
    stageTitle: p.stageTitle ?? null,
    to: p.to,
    payee: { party: p.party, name: p.partyName, account: p.account },
    amount: fenToYuan(p.amountFen),
    currency: "CNY",
    status: p.status,
    via: p.via,
    attempts: p.attempts,
    failureReason: p.failureReason,
    bankRef: p.bankRef,
    hasProof: p.hasProof,
    paidAt: p.paidAt,
  };
}
