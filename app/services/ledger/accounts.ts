/**
 * The platform's chart of accounts (decision 017). Amounts are integer fen. medici stores one
 * path per line ("Assets:Cash:Stripe"); who and which deal a line belongs to is in its meta
 * (`deal`, `party`, `payment`, `registration`), so "seller payable of deal X to organisation Y" is
 * the account `sellerPayable` filtered by meta.
 *
 * `normal` is the side that increases the account: an asset is debit-normal (what the buyer owes
 * us, the cash we hold), a liability or an income credit-normal (what we owe sellers, brokers,
 * bidders and buyers; what the platform earned).
 */
export const LEDGER_ACCOUNTS = {
  /** 应收买方款: what a buyer owes on a deal's due stages. Meta: deal, party (buyer user). */
  buyerReceivable: { path: "Assets:Receivable:Buyers", normal: "debit" },
  /** 平台资金 · Stripe balance. */
  cashStripe: { path: "Assets:Cash:Stripe", normal: "debit" },
  /** 平台资金 · the platform's bank account (对公转账 in, bank payouts out). */
  cashBank: { path: "Assets:Cash:Bank", normal: "debit" },
  /** 应付卖方款: what the platform owes a seller on a deal. Meta: deal, party (seller organisation or user). */
  sellerPayable: { path: "Liabilities:Payable:Sellers", normal: "credit" },
  /** 应付经纪佣金: a broker's commission on a deal. Meta: deal, party (broker user). */
  brokerPayable: { path: "Liabilities:Payable:Brokers", normal: "credit" },
  /** 应退款: money to return to a buyer (a cancelled deal, an excess payment). Meta: deal, party. */
  refundsPayable: { path: "Liabilities:Payable:Refunds", normal: "credit" },
  /** 代收保证金: captured auction deposits the platform holds for the bidder. Meta: registration, party, payment. */
  depositsHeld: { path: "Liabilities:Deposits:Held", normal: "credit" },
  /** 平台服务费 (a setting, default 0). */
  platformFees: { path: "Income:Fees", normal: "credit" },
  /** 没收保证金: deposits forfeited by a winner who let the deal lapse. */
  depositForfeits: { path: "Income:Forfeits", normal: "credit" },
} as const satisfies Record<string, { path: string; normal: "debit" | "credit" }>;

export type LedgerAccount = keyof typeof LEDGER_ACCOUNTS;
export const LEDGER_ACCOUNT_NAMES = Object.keys(LEDGER_ACCOUNTS) as LedgerAccount[];
export const CASH_ACCOUNTS: readonly LedgerAccount[] = ["cashStripe", "cashBank"];

const BY_PATH = new Map<string, LedgerAccount>(LEDGER_ACCOUNT_NAMES.map((a) => [LEDGER_ACCOUNTS[a].path, a]));
export const accountOfPath = (path: string): LedgerAccount | null => BY_PATH.get(path) ?? null;

/** What each posting is, stored on every line (meta.movement): the reads tell a payout from a reversal by it. */
export const LEDGER_MOVEMENTS = [
  "stage-due", // Dr buyerReceivable, Cr sellerPayable
  "payment-received", // Dr cash, Cr buyerReceivable
  "commission", // Dr sellerPayable, Cr brokerPayable
  "fee", // Dr sellerPayable, Cr platformFees
  "payout", // Dr sellerPayable | brokerPayable, Cr cash
  "commission-reversed", // Dr brokerPayable, Cr sellerPayable
  "refund-due", // Dr sellerPayable (| buyerReceivable reversed), Cr refundsPayable
  "refund-paid", // Dr refundsPayable, Cr cash
  "deposit-captured", // Dr cashStripe, Cr depositsHeld
  "deposit-refunded", // Dr depositsHeld, Cr cashStripe
  "deposit-applied", // Dr depositsHeld, Cr buyerReceivable
  "deposit-forfeited", // Dr depositsHeld, Cr depositForfeits
  "adjustment",
] as const;
export type LedgerMovement = (typeof LEDGER_MOVEMENTS)[number];

/** A balance as the account's own side sees it: debits − credits for an asset, credits − debits otherwise. */
export function normalBalance(account: LedgerAccount, debitFen: number, creditFen: number): number {
  return LEDGER_ACCOUNTS[account].normal === "debit" ? debitFen - creditFen : creditFen - debitFen;
}
