import type { ContractPage, ContractView, SignatureView } from "~/services/contracts/queries.server.ts";
import type { DiffLine } from "~/services/contracts/rules.ts";
import type { DealWorkspace } from "~/services/settlement/workspace.server.ts";
import type { DealView } from "~/services/trading/deals/views.ts";
import { fenToYuan } from "~/utils/money.ts";
import { apiDeal } from "./trading.ts";

/**
 * What the deals API shows of a deal's workspace (issue 14, point 11; docs/api.md): the contract,
 * the payment schedule, the deal's books and its timeline. Money in yuan, like the rest of the API.
 */

const yuan = fenToYuan;

function apiSignature(s: SignatureView) {
  // The signer's IP stays on the printable contract; the API names who, for whom, when and what.
  return {
    side: s.side,
    name: s.name,
    organizationName: s.organizationName,
    at: s.at,
    textHash: s.textHash,
    version: s.version,
    voidedAt: s.voidedAt,
  };
}

/** The contract as `GET /api/v1/deals/:id` shows it (no text). */
export function apiContractSummary(c: ContractView) {
  return {
    id: c.id,
    status: c.status,
    category: c.category,
    subCategory: c.subCategory,
    paidInShares: c.paidInShares,
    amounts: {
      contractAmount: yuan(c.contractAmount),
      technologyAmount: yuan(c.technologyAmount),
      nonTechItems: c.nonTechItems.map((i) => ({ label: i.label, amount: yuan(i.amount) })),
    },
    textHash: c.textHash,
    version: c.version,
    signatures: c.signatures.map(apiSignature),
    voidedSignatures: c.voidedSignatures.map(apiSignature),
    distribution: c.distribution,
    signedAt: c.signedAt,
  };
}

/** `GET /api/v1/deals/:id/contract`: the current text and clauses, every version, what the caller may do. */
export function apiContractPage(p: ContractPage) {
  return {
    dealId: p.dealId,
    access: p.access,
    canEdit: p.canEdit,
    signAs: p.signAs,
    needsDistribution: p.needsDistribution,
    inventors: p.inventors,
    contract: p.contract
      ? {
          ...apiContractSummary(p.contract),
          clauses: p.contract.clauses,
          text: p.contract.text,
          versions: p.contract.versions.map((v) => ({ number: v.number, authorName: v.authorName, at: v.at, hash: v.hash })),
        }
      : null,
    /** What a draft starts from when there is no contract yet. */
    proposal: p.contract
      ? null
      : {
          category: p.proposal.category,
          subCategory: p.proposal.subCategory,
          contractAmount: yuan(p.proposal.contractAmount),
          technologyAmount: yuan(p.proposal.technologyAmount),
          clauses: p.proposal.clauses,
        },
  };
}

export function apiDiff(from: number, to: number, lines: DiffLine[]) {
  return { from, to, lines };
}

/** `GET /api/v1/deals/:id`: the deal with its contract, schedule, books and timeline. */
export function apiDealWorkspace(d: DealView, w: DealWorkspace) {
  const wd = w.deal;
  return {
    ...apiDeal(d),
    status: wd.status,
    ended: wd.ended,
    signBy: wd.signBy,
    contractState: wd.contractState,
    paymentState: wd.paymentState,
    terms: {
      ...wd.terms,
      price: yuan(wd.terms.price),
      milestones: wd.terms.milestones.map((m) => ({ ...m, amount: yuan(m.amount) })),
    },
    broker: wd.broker,
    brokers: wd.brokers,
    commissionBps: wd.commissionBps,
    feeBps: wd.feeBps,
    access: w.access,
    contract: w.contract.contract ? apiContractSummary(w.contract.contract) : null,
    schedule: {
      totals: {
        due: yuan(w.totals.dueFen),
        paid: yuan(w.totals.paidFen),
        paidOut: yuan(w.totals.paidOutFen),
        commission: yuan(w.totals.commissionFen),
        fee: yuan(w.totals.feeFen),
      },
      stages: w.stages.map((s) => ({
        id: s.id,
        number: s.number,
        title: s.title,
        kind: s.kind,
        amountDue: yuan(s.amount),
        paid: yuan(s.paid),
        status: s.status,
        dueAt: s.dueAt,
        paidAt: s.paidAt,
        late: s.late,
        paidLate: s.paidLate,
        short: yuan(s.shortFen),
        excess: yuan(s.excessFen),
        paidOut: yuan(s.paidOutFen),
        commission: yuan(s.commissionFen),
        fee: yuan(s.feeFen),
        reference: s.reference,
        payouts: s.payouts.map((p) => ({
          id: p.id,
          to: p.to,
          partyName: p.partyName,
          amount: yuan(p.amount),
          status: p.status,
          via: p.via,
          paidAt: p.paidAt,
          failureReason: p.failureReason,
        })),
      })),
    },
    ledger: {
      accounts: w.books.accounts.map((a) => ({
        account: a.account,
        debit: yuan(a.debitFen),
        credit: yuan(a.creditFen),
        balance: yuan(a.balanceFen),
      })),
      debit: yuan(w.books.debitFen),
      credit: yuan(w.books.creditFen),
      balanced: w.books.balanced,
    },
    timeline: w.timeline.map((e) => ({
      at: e.at,
      source: e.source,
      action: e.action,
      actorName: e.actorName,
      via: e.via,
      from: e.from,
      to: e.to,
      reason: e.reason,
      amount: e.amountFen == null ? null : yuan(e.amountFen),
    })),
  };
}
