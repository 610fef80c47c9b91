import type { ClientSession } from "mongoose";
import { BOOK_NAME, ledgerLines } from "./book.server.ts";
import { post, type PostResult } from "./post.server.ts";

/**
 * Auction deposits in the books (decision 017). An authorised hold moves no money, so holding and
 * releasing post nothing; a capture takes the money into the platform's Stripe balance, which the
 * platform then owes the bidder (deposits held) until it is applied to the deal's first stage,
 * refunded, or forfeited. Called by the deposit's owner (trading/auctions/deposits.server.ts) in
 * the transaction that moves the payment.
 */

export interface DepositMoney {
  paymentId: string;
  registrationId: string;
  payerId: string | null;
}

/** Captured: Dr platform cash (Stripe) / Cr deposits held. Once per payment. */
export function postDepositCaptured(session: ClientSession, d: DepositMoney & { amountFen: number }): Promise<PostResult> {
  const who = { party: d.payerId, payment: d.paymentId, registration: d.registrationId };
  return post(session, {
    key: `payment:${d.paymentId}:captured`,
    memo: "保证金扣款 Deposit captured",
    movement: "deposit-captured",
    lines: [
      { account: "cashStripe", debit: d.amountFen, ...who },
      { account: "depositsHeld", credit: d.amountFen, ...who },
    ],
  });
}

/**
 * Refunded (in part or in full, possibly several times): posts what the payment's refunded total
 * adds to what the ledger already has for it. Dr deposits held / Cr platform cash (Stripe).
 */
export async function postDepositRefunded(
  session: ClientSession,
  d: DepositMoney & { refundedTotalFen: number },
): Promise<PostResult | null> {
  const [done] = await ledgerLines()
    .aggregate<{ fen: number }>([
      { $match: { book: BOOK_NAME, "meta.payment": d.paymentId, "meta.movement": "deposit-refunded", accounts: "Assets:Cash:Stripe" } },
      { $group: { _id: null, fen: { $sum: "$credit" } } },
    ])
    .session(session)
    .exec();
  const delta = d.refundedTotalFen - (done?.fen ?? 0);
  if (delta <= 0) return null;
  const who = { party: d.payerId, payment: d.paymentId, registration: d.registrationId };
  return post(session, {
    key: `payment:${d.paymentId}:refunded-to:${d.refundedTotalFen}`,
    memo: "保证金退款 Deposit refunded",
    movement: "deposit-refunded",
    lines: [
      { account: "depositsHeld", debit: delta, ...who },
      { account: "cashStripe", credit: delta, ...who },
    ],
  });
}

/** Forfeited by a winner who let the deal lapse: Dr deposits held / Cr deposit forfeits (platform income). */
export function postDepositForfeited(
  session: ClientSession,
  d: DepositMoney & { amountFen: number; deal?: string | null },
): Promise<PostResult> {
  const who = { party: d.payerId, payment: d.paymentId, registration: d.registrationId };
  return post(session, {
    key: `payment:${d.paymentId}:forfeited`,
    memo: "保证金没收 Deposit forfeited",
    movement: "deposit-forfeited",
    deal: d.deal ?? null,
    lines: [
      { account: "depositsHeld", debit: d.amountFen, ...who },
      { account: "depositForfeits", credit: d.amountFen, ...who },
    ],
  });
}

/**
 * A captured deposit counts toward the deal's stages (services/settlement/schedule.server.ts):
 * Dr deposits held / Cr buyer receivable, once per stage it is applied to.
 */
export function postDepositApplied(
  session: ClientSession,
  d: { paymentId: string; deal: string; stage: string; payerId: string | null; amountFen: number },
): Promise<PostResult> {
  return post(session, {
    key: `deal:${d.deal}:stage:${d.stage}:deposit-applied`,
    memo: "保证金抵作合同款 Deposit applied to the contract",
    movement: "deposit-applied",
    deal: d.deal,
    lines: [
      { account: "depositsHeld", debit: d.amountFen, party: d.payerId, payment: d.paymentId },
      { account: "buyerReceivable", credit: d.amountFen, party: d.payerId },
    ],
  });
}
