import { Payment } from "~/models/payment.server.ts";
import { ForbiddenError } from "~/utils/errors.ts";
import { can, type RoleHolder } from "~/utils/permissions.ts";
import { accountOfPath, CASH_ACCOUNTS, LEDGER_ACCOUNT_NAMES, LEDGER_ACCOUNTS, normalBalance, type LedgerAccount } from "./accounts.ts";
import { BOOK_NAME, ledgerLines } from "./book.server.ts";

/**
 * Reading the books (decision 017). Every figure is summed from medici's lines (no cached
 * balances), in integer fen. A balance is given on the account's own side (accounts.ts).
 */

export interface AccountBalance {
  account: LedgerAccount;
  debitFen: number;
  creditFen: number;
  balanceFen: number;
}

type Row = { _id: { accounts: string; deal?: string; party?: string; movement?: string; payment?: string }; debit: number; credit: number };

async function sumLines(match: Record<string, unknown>, by: string[]): Promise<Row[]> {
  const id: Record<string, string> = { accounts: "$accounts" };
  for (const k of by) id[k] = `$meta.${k}`;
  return ledgerLines()
    .aggregate<Row>([
      { $match: { book: BOOK_NAME, ...match } },
      { $group: { _id: id, debit: { $sum: "$debit" }, credit: { $sum: "$credit" } } },
    ])
    .exec();
}

function balances(rows: Row[]): AccountBalance[] {
  const out = new Map<LedgerAccount, AccountBalance>();
  for (const r of rows) {
    const account = accountOfPath(r._id.accounts);
    if (!account) continue;
    const b = out.get(account) ?? { account, debitFen: 0, creditFen: 0, balanceFen: 0 };
    b.debitFen += r.debit;
    b.creditFen += r.credit;
    b.balanceFen = normalBalance(account, b.debitFen, b.creditFen);
    out.set(account, b);
  }
  return LEDGER_ACCOUNT_NAMES.filter((a) => out.has(a)).map((a) => out.get(a)!);
}

/** The balance of one account, optionally for one deal and/or one party. */
export async function accountBalance(account: LedgerAccount, filter: { deal?: string; party?: string } = {}): Promise<number> {
  const match: Record<string, unknown> = {};
  if (filter.deal) match["meta.deal"] = filter.deal;
  if (filter.party) match["meta.party"] = filter.party;
  const rows = (await sumLines(match, [])).filter((r) => accountOfPath(r._id.accounts) === account);
  return balances(rows)[0]?.balanceFen ?? 0;
}

export interface DealBooks {
  deal: string;
  accounts: AccountBalance[];
  debitFen: number;
  creditFen: number;
  /** Debits = credits, to the fen. */
  balanced: boolean;
}

/** One deal's books: each account's balance and whether the deal's debits equal its credits. */
export async function dealBooks(dealId: string): Promise<DealBooks> {
  const accounts = balances(await sumLines({ "meta.deal": dealId }, []));
  const debitFen = accounts.reduce((s, a) => s + a.debitFen, 0);
  const creditFen = accounts.reduce((s, a) => s + a.creditFen, 0);
  return { deal: dealId, accounts, debitFen, creditFen, balanced: debitFen === creditFen };
}

export interface BrokerDeal {
  deal: string;
  owedFen: number;
  reversedFen: number;
  paidFen: number;
  outstandingFen: number;
}

/** What a broker was owed (commission), had reversed, and was paid, per deal and in total. */
export async function brokerCommissions(brokerId: string): Promise<{ deals: BrokerDeal[]; total: Omit<BrokerDeal, "deal"> }> {
  const rows = await sumLines({ accounts: "Liabilities:Payable:Brokers", "meta.party": brokerId }, ["deal", "movement"]);
  const byDeal = new Map<string, BrokerDeal>();
  for (const r of rows) {
    const deal = r._id.deal ?? "";
    const d = byDeal.get(deal) ?? { deal, owedFen: 0, reversedFen: 0, paidFen: 0, outstandingFen: 0 };
    d.owedFen += r.credit;
    if (r._id.movement === "payout") d.paidFen += r.debit;
    else d.reversedFen += r.debit;
    d.outstandingFen = d.owedFen - d.reversedFen - d.paidFen;
    byDeal.set(deal, d);
  }
  const deals = [...byDeal.values()].sort((a, b) => a.deal.localeCompare(b.deal));
  const total = { owedFen: 0, reversedFen: 0, paidFen: 0, outstandingFen: 0 };
  for (const d of deals) for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += d[k];
  return { deals, total };
}

/** A broker's own commissions (or any broker's, for an admin); nobody else's. */
export function commissionsOf(actor: RoleHolder & { id: string | null }, brokerId: string) {
  const own = actor.id === brokerId && can(actor, "deal:mediate");
  if (!own && !can(actor, "ledger:view")) throw new ForbiddenError();
  return brokerCommissions(brokerId);
}

/** The platform's balance in every account it has used. */
export async function platformBalances(): Promise<AccountBalance[]> {
  return balances(await sumLines({}, []));
}

export interface ReconciliationDeal {
  deal: string;
  /** Still owed by the buyer. */
  receivableFen: number;
  /** Cash that came in on the deal. */
  receivedFen: number;
  /** Still owed to the seller. */
  payableFen: number;
  /** Cash that went out on the deal (payouts and refunds). */
  paidOutFen: number;
  /** Commission credited to brokers, net of reversals. */
  commissionFen: number;
  debitFen: number;
  creditFen: number;
  balanced: boolean;
}

export interface CashDifference {
  payment: string;
  /** Net cash the ledger has for the payment (in − out). */
  ledgerFen: number;
  /** Net cash the payment record says was taken (captured or paid, less refunds; a transfer out is negative). */
  recordedFen: number;
}

export interface Reconciliation {
  deals: ReconciliationDeal[];
  totals: Omit<ReconciliationDeal, "deal" | "balanced">;
  unbalancedDeals: string[];
  cashDifferences: CashDifference[];
  platform: AccountBalance[];
}

/** Net cash a payment record says moved: what the gateway took, less what went back. */
function recordedCash(p: {
  kind?: string | null;
  status: string;
  amount: number;
  capturedAmount?: number | null;
  refundedAmount?: number | null;
}): number {
  const kind = p.kind ?? "hold";
  if (kind === "transfer") return p.status === "succeeded" ? -p.amount : 0;
  const refunded = p.refundedAmount ?? 0;
  if (kind === "hold") return p.status === "captured" || p.status === "refunded" ? (p.capturedAmount ?? p.amount) - refunded : 0;
  return p.status === "succeeded" || p.status === "refunded" ? p.amount - refunded : 0;
}

/**
 * The admin's reconciliation: per deal what is receivable, received, payable, paid out and the
 * commission; totals; the deals whose books do not balance; and every payment whose cash in the
 * ledger differs from its record (including a payment that took money and has no posting, of a
 * purpose the ledger follows).
 */
export async function reconciliation(actor: RoleHolder): Promise<Reconciliation> {
  if (!can(actor, "ledger:view")) throw new ForbiddenError();
  const rows = await sumLines({ "meta.deal": { $type: "string" } }, ["deal"]);
  const byDeal = new Map<string, ReconciliationDeal>();
  for (const r of rows) {
    const deal = r._id.deal!;
    const d =
      byDeal.get(deal) ??
      ({
        deal,
        receivableFen: 0,
        receivedFen: 0,
        payableFen: 0,
        paidOutFen: 0,
        commissionFen: 0,
        debitFen: 0,
        creditFen: 0,
        balanced: true,
      } as ReconciliationDeal);
    const account = accountOfPath(r._id.accounts);
    d.debitFen += r.debit;
    d.creditFen += r.credit;
    if (account === "buyerReceivable") d.receivableFen += r.debit - r.credit;
    if (account === "sellerPayable") d.payableFen += r.credit - r.debit;
    if (account === "brokerPayable") d.commissionFen += r.credit;
    if (account && CASH_ACCOUNTS.includes(account)) {
      d.receivedFen += r.debit;
      d.paidOutFen += r.credit;
    }
    d.balanced = d.debitFen === d.creditFen;
    byDeal.set(deal, d);
  }
  // Commission reversals lower what the brokers earned.
  for (const r of await sumLines({ accounts: "Liabilities:Payable:Brokers", "meta.movement": "commission-reversed" }, ["deal"])) {
    const d = byDeal.get(r._id.deal ?? "");
    if (d) d.commissionFen -= r.debit;
  }
  const deals = [...byDeal.values()].sort((a, b) => a.deal.localeCompare(b.deal));
  const totals = { receivableFen: 0, receivedFen: 0, payableFen: 0, paidOutFen: 0, commissionFen: 0, debitFen: 0, creditFen: 0 };
  for (const d of deals) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += d[k];

  // Cash per payment: the ledger's lines that name a payment, against the payment records.
  const cashPaths = CASH_ACCOUNTS.map((a) => LEDGER_ACCOUNTS[a].path);
  const cashRows = await sumLines({ accounts: { $in: cashPaths }, "meta.payment": { $type: "string" } }, ["payment"]);
  const ledgerCash = new Map<string, number>();
  for (const r of cashRows) ledgerCash.set(r._id.payment!, (ledgerCash.get(r._id.payment!) ?? 0) + r.debit - r.credit);
  const followed = [...LEDGER_PURPOSES];
  const payments = await Payment.find(
    { $or: [{ _id: { $in: [...ledgerCash.keys()] } }, { purpose: { $in: followed } }] },
    { kind: 1, status: 1, amount: 1, capturedAmount: 1, refundedAmount: 1 },
  ).lean();
  const cashDifferences: CashDifference[] = [];
  const seen = new Set<string>();
  for (const p of payments) {
    const id = String(p._id);
    seen.add(id);
    const recordedFen = recordedCash(p);
    const ledgerFen = ledgerCash.get(id) ?? 0;
    if (recordedFen !== ledgerFen) cashDifferences.push({ payment: id, ledgerFen, recordedFen });
  }
  for (const [id, ledgerFen] of ledgerCash)
    if (!seen.has(id) && ledgerFen !== 0) cashDifferences.push({ payment: id, ledgerFen, recordedFen: 0 });

  return {
    deals,
    totals,
    unbalancedDeals: deals.filter((d) => !d.balanced).map((d) => d.deal),
    cashDifferences,
    platform: await platformBalances(),
  };
}

/** The payment purposes whose money movements post to the ledger: a payment of one without postings is a difference. */
export const LEDGER_PURPOSES = new Set<string>(["auction-deposit", "buy-now-deposit", "deal-stage", "payout"]);
