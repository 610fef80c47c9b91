import type { DealContractState, DealPaymentState, DealSource, DealStatus } from "~/models/deal.server.ts";
import { DealStage, type StageKind, type StageStatus } from "~/models/deal-stage.server.ts";
import { Payout, type PayoutStatus, type PayoutTo, type PayoutVia } from "~/models/payout.server.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import { canWrite, loadDealFor, partySideOf, type ContractAccess } from "../contracts/access.server.ts";
import { getContractPage, type ContractPage } from "../contracts/queries.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { auditTrail } from "../kernel/audit.server.ts";
import { dealBooks, type DealBooks } from "../ledger/queries.server.ts";
import { paymentEventsFor } from "../payments/queries.server.ts";
import { dealBrokers } from "../rooms/deal-brokers.server.ts";

/**
 * A deal's workspace (issue 14, point 1): everything about one deal in one read — parties,
 * brokers, agreed terms, the contract, the payment schedule with what was due, paid and paid out,
 * commissions and fees, the deal's books, and the timeline of every event. For the parties, the
 * deal's brokers, admins and the bureau (read only); anyone else gets a 404 (contracts/access).
 * It reads what the settlement commands write (stages, payouts, audit entries of subject type
 * "deal"), so a new kind of event shows without a change here.
 */

export interface WorkspacePayout {
  id: string;
  to: PayoutTo;
  partyName: string;
  amount: number;
  status: PayoutStatus;
  via: PayoutVia | null;
  paidAt: string | null;
  failureReason: string | null;
  attempts: number;
}

export interface WorkspaceStage {
  id: string;
  number: number;
  title: string;
  kind: StageKind;
  /** fen due (a royalty stage: the sum of its reports). */
  amount: number;
  paid: number;
  status: StageStatus;
  dueAt: string | null;
  paidAt: string | null;
  reference: string;
  /** Unpaid (in full) after its due date. */
  late: boolean;
  /** Paid in full, but after its due date. */
  paidLate: boolean;
  /** Something came in, less than due: what is missing (fen), else 0. */
  shortFen: number;
  /** More came in than due: the excess (fen), else 0. */
  excessFen: number;
  receipts: number;
  royaltyReports: number;
  /** What the payouts of this stage paid out (fen). */
  paidOutFen: number;
  /** The broker's commission on this stage: the broker payout's amount, or what the rate gives when none exists yet. */
  commissionFen: number;
  /** The platform's fee on this stage at the deal's rate (fen). */
  feeFen: number;
  payouts: WorkspacePayout[];
}

export interface TimelineEntry {
  at: string;
  /** "deal" | "contract" | "payment": where the entry comes from. */
  source: "deal" | "contract" | "payment";
  action: string;
  actorName: string;
  via: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  /** A payment's amount (fen), for payment entries. */
  amountFen: number | null;
}

export interface DealWorkspace {
  deal: {
    id: string;
    status: DealStatus;
    listing: { id: string; title: string };
    seller: { name: string; organizationName: string | null };
    buyer: { name: string; organizationName: string | null };
    source: DealSource;
    offerId: string | null;
    auctionId: string | null;
    terms: {
      price: number;
      currency: string;
      transactionMode: TransactionMode;
      licenseExclusivity: LicenseExclusivity | null;
      territory: string | null;
      termMonths: number | null;
      royaltyPercent: number | null;
      milestones: { title: string; amount: number; dueInDays: number | null }[];
    };
    deposit: { amount: number } | null;
    endsTrading: boolean;
    signBy: string | null;
    contractState: DealContractState;
    paymentState: DealPaymentState;
    broker: { id: string | null; name: string } | null;
    /** The brokers of the deal's rooms. */
    brokers: { id: string; name: string }[];
    commissionBps: number | null;
    feeBps: number | null;
    ended: { at: string | null; byName: string | null; reason: string | null } | null;
    createdAt: string;
  };
  access: ContractAccess;
  /** May act (draft, sign, pay …): a party, the deal's broker or an admin — never the bureau. */
  canWrite: boolean;
  isParty: boolean;
  contract: ContractPage;
  stages: WorkspaceStage[];
  totals: { dueFen: number; paidFen: number; paidOutFen: number; commissionFen: number; feeFen: number };
  books: DealBooks;
  timeline: TimelineEntry[];
}

/** A share of an amount in basis points, rounded half up to the fen (integers only: no float drift). */
export function bpsOf(amountFen: number, bps: number): number {
  return Math.floor((amountFen * bps + 5_000) / 10_000);
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** The stage's markers: late, short, excess, from what is due, paid and when. */
export function stageMarkers(
  s: { amount: number; paid: number; status: string; dueAt?: Date | null; paidAt?: Date | null },
  now: Date,
): { late: boolean; paidLate: boolean; shortFen: number; excessFen: number } {
  const open = s.status === "due" || s.status === "partly-paid";
  const late = open && !!s.dueAt && s.dueAt.getTime() < now.getTime();
  const paidLate = s.status === "paid" && !!s.dueAt && !!s.paidAt && s.paidAt.getTime() > s.dueAt.getTime();
  const shortFen = s.paid > 0 && s.paid < s.amount ? s.amount - s.paid : 0;
  const excessFen = s.paid > s.amount ? s.paid - s.amount : 0;
  return { late, paidLate, shortFen, excessFen };
}

export async function getDealWorkspace(actor: Actor, dealId: string, now = new Date()): Promise<DealWorkspace> {
  const { deal, access } = await loadDealFor(actor, dealId);
  const id = String(deal._id);
  const [contract, stageRows, payoutRows, books, brokers, dealTrail] = await Promise.all([
    getContractPage(actor, id),
    DealStage.find({ deal: deal._id }).sort({ number: 1 }).lean(),
    Payout.find({ deal: deal._id }).sort({ createdAt: 1, to: -1, _id: 1 }).lean(),
    dealBooks(id),
    dealBrokers(deal),
    auditTrail("deal", deal._id),
  ]);
  const contractTrail = contract.contract ? await auditTrail("contract", contract.contract.id) : [];
  const subjects = [...stageRows.map((s) => String(s._id)), ...payoutRows.map((p) => String(p._id))];
  if (deal.deposit?.payment) subjects.push(String(deal.deposit.payment));
  const payments = await paymentEventsFor(subjects);

  const commissionBps = deal.commissionBps ?? null;
  const feeBps = deal.feeBps ?? null;
  // Who is paid what is for the seller's side, admins and the bureau; a broker sees their own
  // commission, the buyer only the totals (the rule of services/settlement/payouts.server.ts payoutsOfDeal).
  const shown = (p: (typeof payoutRows)[number]) =>
    access === "buyer" ? false : access === "broker" ? p.to === "broker" && p.party === actor.id : true;
  const stages: WorkspaceStage[] = stageRows.map((s) => {
    const own = payoutRows.filter((p) => String(p.stage) === String(s._id));
    const broker = own.find((p) => p.to === "broker");
    return {
      id: String(s._id),
      number: s.number,
      title: s.title,
      kind: s.kind as StageKind,
      amount: s.amount,
      paid: s.paid,
      status: s.status as StageStatus,
      dueAt: iso(s.dueAt),
      paidAt: iso(s.paidAt),
      reference: s.reference,
      ...stageMarkers(s, now),
      receipts: (s.receipts ?? []).length,
      royaltyReports: (s.royaltyReports ?? []).length,
      paidOutFen: own.filter((p) => p.status === "paid").reduce((sum, p) => sum + p.amount, 0),
      commissionFen: broker ? broker.amount : deal.broker?.user && commissionBps ? bpsOf(s.amount, commissionBps) : 0,
      feeFen: feeBps ? bpsOf(s.amount, feeBps) : 0,
      payouts: own.filter(shown).map((p) => ({
        id: String(p._id),
        to: p.to as PayoutTo,
        partyName: p.partyName,
        amount: p.amount,
        status: p.status as PayoutStatus,
        via: (p.via as PayoutVia | undefined) ?? null,
        paidAt: iso(p.paidAt),
        failureReason: p.failureReason ?? null,
        attempts: p.attempts ?? 0,
      })),
    };
  });
  const live = stages.filter((s) => s.status !== "cancelled");
  const totals = {
    dueFen: live.reduce((sum, s) => sum + s.amount, 0),
    paidFen: stages.reduce((sum, s) => sum + s.paid, 0),
    paidOutFen: stages.reduce((sum, s) => sum + s.paidOutFen, 0),
    commissionFen: live.reduce((sum, s) => sum + s.commissionFen, 0),
    feeFen: live.reduce((sum, s) => sum + s.feeFen, 0),
  };

  // The timeline follows the same rule: who was paid what (a payout entry's reason, a payout's own
  // payment history) only for the readers who see every payout; the buyer and a broker still see
  // that a payout was owed and paid.
  const seesAllPayouts = access !== "buyer" && access !== "broker";
  const payoutIds = new Set(payoutRows.map((p) => String(p._id)));
  const timeline: TimelineEntry[] = [
    ...dealTrail.map((e) => ({ ...e, source: "deal" as const })),
    ...contractTrail.map((e) => ({ ...e, source: "contract" as const })),
  ].map((e) => ({
    at: e.at,
    source: e.source,
    action: e.action,
    actorName: e.actorName,
    via: e.via,
    from: e.from ?? null,
    to: e.to ?? null,
    // A signature's reason is the text's hash: shown in the contract section, not as a sentence here.
    reason:
      (e.source === "contract" && e.action.startsWith("contract.sign.")) || (!seesAllPayouts && e.action.startsWith("payout."))
        ? null
        : (e.reason ?? null),
    amountFen: null,
  }));
  for (const p of payments) {
    if (!seesAllPayouts && payoutIds.has(p.subjectId)) continue;
    timeline.push({
      at: p.at,
      source: "payment",
      action: `payment.${p.status}`,
      actorName: p.kind === "transfer" ? "系统" : (p.payerName ?? "系统"),
      via: p.source,
      from: null,
      to: p.status,
      reason: p.purpose,
      amountFen: p.amountFen,
    });
  }
  // Newest last; entries of the same instant keep their source order (deal, contract, payment).
  timeline.sort((a, b) => a.at.localeCompare(b.at));

  const terms = normalizeTerms(deal.terms as Terms);
  return {
    deal: {
      id,
      status: deal.status as DealStatus,
      listing: { id: String(deal.listing), title: deal.listingTitle },
      seller: { name: deal.seller.name, organizationName: deal.seller.organizationName ?? null },
      buyer: { name: deal.buyer.name, organizationName: deal.buyer.organizationName ?? null },
      source: deal.source as DealSource,
      offerId: deal.offer ? String(deal.offer) : null,
      auctionId: deal.auction ? String(deal.auction) : null,
      terms: {
        price: terms.price,
        currency: terms.currency,
        transactionMode: terms.transactionMode,
        licenseExclusivity: terms.licenseExclusivity ?? null,
        territory: terms.territory ?? null,
        termMonths: terms.termMonths ?? null,
        royaltyPercent: terms.royaltyPercent ?? null,
        milestones: terms.milestones.map((m) => ({ title: m.title, amount: m.amount, dueInDays: m.dueInDays ?? null })),
      },
      deposit: deal.deposit?.amount ? { amount: deal.deposit.amount } : null,
      endsTrading: deal.endsTrading !== false,
      signBy: iso(deal.signBy),
      contractState: (deal.contractState ?? "none") as DealContractState,
      paymentState: (deal.paymentState ?? "none") as DealPaymentState,
      broker:
        deal.broker?.name || deal.broker?.user
          ? { id: deal.broker.user ? String(deal.broker.user) : null, name: deal.broker.name ?? "" }
          : null,
      brokers,
      commissionBps,
      feeBps,
      ended: deal.ended?.at
        ? { at: iso(deal.ended.at), byName: deal.ended.byName ?? null, reason: deal.ended.reason ?? null }
        : deal.status !== "open"
          ? { at: null, byName: null, reason: null }
          : null,
      createdAt: deal.createdAt.toISOString(),
    },
    access,
    canWrite: canWrite(access) && deal.status === "open",
    isParty: !!partySideOf(actor, deal),
    contract,
    stages,
    totals,
    books,
    timeline,
  };
}
