import type { Types } from "mongoose";
import { DealStage, type DealStageDoc } from "~/models/deal-stage.server.ts";
import { assertCan } from "~/utils/permissions.ts";
import type { ContractAccess } from "../contracts/access.server.ts";
import { partySideOf } from "../contracts/access.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { platformSettings } from "../settings/settings.server.ts";
import { loadStageFor } from "./receipts.server.ts";
import { loadDealFor } from "../contracts/access.server.ts";
import { normalizeReference, stageFigures, type StageFigures } from "./rules.ts";

/** What the stage pages and the API show of a deal's payment schedule (issue 14, point 5). Money in fen. */

export interface ReceiptView {
  id: string;
  via: string;
  amountFen: number;
  receivedAt: Date;
  bankRef: string | null;
  hasProof: boolean;
  proofFile: string | null;
  recordedBy: string | null;
  recordedAt: Date;
}

export interface RoyaltyReportView {
  id: string;
  periodFrom: Date;
  periodTo: Date;
  salesFen: number;
  rateBps: number;
  dueFen: number;
  reportedBy: string | null;
  reportedAt: Date;
  note: string | null;
}

export interface StageView extends StageFigures {
  id: string;
  number: number;
  title: string;
  kind: string;
  amountFen: number;
  paidFen: number;
  status: string;
  dueAt: Date | null;
  paidAt: Date | null;
  reference: string;
  receipts: ReceiptView[];
  royaltyReports: RoyaltyReportView[];
}

type StoredStage = DealStageDoc & { _id: Types.ObjectId };

export function stageView(s: StoredStage, now: Date): StageView {
  return {
    id: String(s._id),
    number: s.number,
    title: s.title,
    kind: s.kind,
    amountFen: s.amount,
    paidFen: s.paid,
    status: s.status,
    dueAt: s.dueAt ?? null,
    paidAt: s.paidAt ?? null,
    reference: s.reference,
    ...stageFigures(s, now),
    receipts: (s.receipts ?? []).map((r) => ({
      id: String(r._id),
      via: r.via,
      amountFen: r.amount,
      receivedAt: r.receivedAt,
      bankRef: r.bankRef ?? null,
      hasProof: !!r.proofFile,
      proofFile: r.proofFile ? String(r.proofFile) : null,
      recordedBy: r.recordedBy?.name ?? null,
      recordedAt: r.recordedAt,
    })),
    royaltyReports: (s.royaltyReports ?? []).map((r) => ({
      id: String(r._id),
      periodFrom: r.periodFrom,
      periodTo: r.periodTo,
      salesFen: r.salesFen,
      rateBps: r.rateBps,
      dueFen: r.dueFen,
      reportedBy: r.reportedBy?.name ?? null,
      reportedAt: r.reportedAt,
      note: r.note ?? null,
    })),
  };
}

export interface DealStages {
  deal: { id: string; title: string; status: string; paymentState: string; royaltyPercent: number | null };
  access: ContractAccess;
  /** The buyer side: may pay and report. */
  payer: boolean;
  stages: StageView[];
}

/** What the stage pages show of the deal itself. */
function dealHead(deal: Awaited<ReturnType<typeof loadDealFor>>["deal"]) {
  return {
    id: String(deal._id),
    title: deal.listingTitle,
    status: deal.status,
    paymentState: deal.paymentState ?? "none",
    royaltyPercent: deal.terms.royaltyPercent ?? null,
  };
}

/** A deal's stages for anyone who may see the deal (parties, its brokers, admins, the bureau); others 404. */
export async function dealStages(actor: Actor, dealId: string, now = new Date()): Promise<DealStages> {
  const { deal, access } = await loadDealFor(actor, dealId);
  const stages = (await DealStage.find({ deal: deal._id }).sort({ number: 1 }).lean()) as StoredStage[];
  return {
    deal: dealHead(deal),
    access,
    payer: partySideOf(actor, deal) === "buyer",
    stages: stages.map((s) => stageView(s, now)),
  };
}

export interface StagePage {
  deal: DealStages["deal"];
  access: ContractAccess;
  payer: boolean;
  /** The buyer may pay now (something is due on an open stage of an open deal). */
  canPay: boolean;
  /** The buyer may report sales (an open royalty stage). */
  canReport: boolean;
  stage: StageView;
  bankAccount: { name: string; bank: string; number: string };
}

export async function stagePage(actor: Actor, dealId: string, number: number, now = new Date()): Promise<StagePage> {
  const { deal, access, stage } = await loadStageFor(actor, dealId, number);
  const view = stageView(stage as StoredStage, now);
  const payer = partySideOf(actor, deal) === "buyer";
  const open = deal.status === "open" && stage.status !== "cancelled";
  const settings = await platformSettings();
  return {
    deal: dealHead(deal),
    access,
    payer,
    canPay: payer && open && view.outstandingFen > 0,
    canReport: payer && open && stage.kind === "royalty",
    stage: view,
    bankAccount: settings.bankAccount,
  };
}

export interface ReceiptRow extends ReceiptView {
  dealId: string;
  stageNumber: number;
  stageTitle: string;
  reference: string;
}

/** The admin's receipts page: the stage with `reference` (if any) and the latest receipts. */
export async function receiptsOverview(
  actor: Actor,
  opts: { reference?: string | null; limit?: number } = {},
  now = new Date(),
): Promise<{ found: (StageView & { dealId: string }) | null; searched: string | null; recent: ReceiptRow[] }> {
  assertCan(actor, "settlement:record");
  const searched = opts.reference ? normalizeReference(opts.reference) : null;
  const hit = searched ? ((await DealStage.findOne({ reference: searched }).lean()) as StoredStage | null) : null;
  const rows = await DealStage.aggregate<{
    _id: Types.ObjectId;
    deal: Types.ObjectId;
    number: number;
    title: string;
    reference: string;
    r: StoredStage["receipts"][number];
  }>([
    { $match: { "receipts.0": { $exists: true } } },
    { $unwind: "$receipts" },
    { $sort: { "receipts.recordedAt": -1 } },
    { $limit: opts.limit ?? 30 },
    { $project: { deal: 1, number: 1, title: 1, reference: 1, r: "$receipts" } },
  ]);
  return {
    found: hit ? { ...stageView(hit, now), dealId: String(hit.deal) } : null,
    searched,
    recent: rows.map((x) => ({
      id: String(x.r._id),
      via: x.r.via,
      amountFen: x.r.amount,
      receivedAt: x.r.receivedAt,
      bankRef: x.r.bankRef ?? null,
      hasProof: !!x.r.proofFile,
      proofFile: x.r.proofFile ? String(x.r.proofFile) : null,
      recordedBy: x.r.recordedBy?.name ?? null,
      recordedAt: x.r.recordedAt,
      dealId: String(x.deal),
      stageNumber: x.number,
      stageTitle: x.title,
      reference: x.reference,
    })),
  };
}

/** How many payment stages of deals there are in each status (for /metrics; an operator's view, no actor). */
export async function countStagesByStatus(): Promise<{ status: string; count: number }[]> {
  const rows = await DealStage.aggregate<{ _id: string; count: number }>([{ $group: { _id: "$status", count: { $sum: 1 } } }]);
  return rows.map((r) => ({ status: r._id, count: r.count }));
}
