import type { ClientSession } from "mongoose";
import type { LedgerAccount } from "./accounts.ts";
import { post, type PostResult } from "./post.server.ts";

/**
 * A deal's money movements as postings (decision 017, "Postings per movement"), for the modules
 * that own them — contract stages, receipts, payouts, refunds — to call in the transaction that
 * records the change. Each takes the caller's own id of the movement (a stage, a receipt, a
 * Payment), which makes its key: calling again for the same one posts nothing.
 */

type Cash = "stripe" | "bank";
const cashAccount = (via: Cash): LedgerAccount => (via === "stripe" ? "cashStripe" : "cashBank");

/** A stage of the signed contract falls due: the buyer owes it, the seller is owed it. */
export function postStageDue(
  session: ClientSession,
  s: { deal: string; stage: string; buyer: string; seller: string; amountFen: number },
): Promise<PostResult> {
  return post(session, {
    key: `deal:${s.deal}:stage:${s.stage}:due`,
    memo: "合同款到期 Contract stage due",
    movement: "stage-due",
    deal: s.deal,
    lines: [
      { account: "buyerReceivable", debit: s.amountFen, party: s.buyer },
      { account: "sellerPayable", credit: s.amountFen, party: s.seller },
    ],
  });
}

/**
 * Money from the buyer arrived (Checkout paid, a bank receipt recorded): `receipt` is its id;
 * `payment` the Payment record when a gateway moved the money (the reconciliation compares them).
 * `excessFen` (of `amountFen`) is more than the stage was owed: the platform owes it back to the
 * buyer (Cr refunds payable), so only the rest settles the receivable.
 */
export function postPaymentReceived(
  session: ClientSession,
  r: { deal: string; receipt: string; buyer: string; amountFen: number; via: Cash; payment?: string | null; excessFen?: number },
): Promise<PostResult> {
  const excess = Math.min(Math.max(0, r.excessFen ?? 0), r.amountFen);
  const due = r.amountFen - excess;
  return post(session, {
    key: `deal:${r.deal}:received:${r.receipt}`,
    memo: r.via === "stripe" ? "在线收款 Paid online" : "对公转账到账 Bank transfer received",
    movement: "payment-received",
    deal: r.deal,
    lines: [
      { account: cashAccount(r.via), debit: r.amountFen, payment: r.payment ?? null },
      ...(due > 0 ? [{ account: "buyerReceivable" as const, credit: due, party: r.buyer }] : []),
      ...(excess > 0 ? [{ account: "refundsPayable" as const, credit: excess, party: r.buyer }] : []),
    ],
  });
}

/** A paid stage's shares: the broker's commission and the platform's fee come out of what the seller is owed. */
export function postStageShares(
  session: ClientSession,
  s: { deal: string; stage: string; seller: string; broker?: string | null; commissionFen: number; feeFen: number },
): Promise<PostResult | null> {
  const lines = [];
  if (s.commissionFen > 0 && s.broker) {
    lines.push({ account: "sellerPayable" as const, debit: s.commissionFen, party: s.seller });
    lines.push({ account: "brokerPayable" as const, credit: s.commissionFen, party: s.broker });
  }
  if (s.feeFen > 0) {
    lines.push({ account: "sellerPayable" as const, debit: s.feeFen, party: s.seller });
    lines.push({ account: "platformFees" as const, credit: s.feeFen });
  }
  if (!lines.length) return Promise.resolve(null);
  return post(session, {
    key: `deal:${s.deal}:stage:${s.stage}:shares`,
    memo: "佣金与服务费 Commission and fee",
    movement: lines.some((l) => l.account === "brokerPayable") ? "commission" : "fee",
    deal: s.deal,
    lines,
  });
}

/** Money out to the seller or the broker (a Connect transfer — its Payment is `payment` — or a recorded bank payout): `payout` is its id. */
export function postPayout(
  session: ClientSession,
  p: { deal: string; payout: string; to: "seller" | "broker"; party: string; amountFen: number; via: Cash; payment?: string | null },
): Promise<PostResult> {
  return post(session, {
    key: `deal:${p.deal}:payout:${p.payout}`,
    memo: p.to === "seller" ? "付给卖方 Paid to seller" : "付给经纪人 Commission paid",
    movement: "payout",
    deal: p.deal,
    lines: [
      { account: p.to === "seller" ? "sellerPayable" : "brokerPayable", debit: p.amountFen, party: p.party },
      { account: cashAccount(p.via), credit: p.amountFen, payment: p.payment ?? null },
    ],
  });
}

/** A commission taken back (the deal is cancelled): it returns to what the seller's side owes back. */
export function postCommissionReversed(
  session: ClientSession,
  c: { deal: string; stage: string; seller: string; broker: string; amountFen: number },
): Promise<PostResult> {
  return post(session, {
    key: `deal:${c.deal}:stage:${c.stage}:commission-reversed`,
    memo: "佣金冲回 Commission reversed",
    movement: "commission-reversed",
    deal: c.deal,
    lines: [
      { account: "brokerPayable", debit: c.amountFen, party: c.broker },
      { account: "sellerPayable", credit: c.amountFen, party: c.seller },
    ],
  });
}

/** A paid stage is to go back to the buyer (cancellation): the seller is owed it no more. */
export function postRefundDue(
  session: ClientSession,
  r: { deal: string; stage: string; buyer: string; seller: string; amountFen: number },
): Promise<PostResult> {
  return post(session, {
    key: `deal:${r.deal}:stage:${r.stage}:refund-due`,
    memo: "应退买方 Refund due",
    movement: "refund-due",
    deal: r.deal,
    lines: [
      { account: "sellerPayable", debit: r.amountFen, party: r.seller },
      { account: "refundsPayable", credit: r.amountFen, party: r.buyer },
    ],
  });
}

/** The refund went out (a Stripe refund, a recorded bank refund): `refund` is its id. */
export function postRefundPaid(
  session: ClientSession,
  r: { deal: string; refund: string; buyer: string; amountFen: number; via: Cash; payment?: string | null },
): Promise<PostResult> {
  return post(session, {
    key: `deal:${r.deal}:refund:${r.refund}`,
    memo: "退款已付 Refund paid",
    movement: "refund-paid",
    deal: r.deal,
    lines: [
      { account: "refundsPayable", debit: r.amountFen, party: r.buyer },
      { account: cashAccount(r.via), credit: r.amountFen, payment: r.payment ?? null },
    ],
  });
}
