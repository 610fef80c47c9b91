import type { StageView } from "~/services/settlement/queries.server.ts";
import { fenToYuan } from "~/utils/money.ts";

/** A stage of a deal's payment schedule in the API (issue 14, point 5): money in yuan (two decimals), dates ISO 8601. */
export function apiStage(s: StageView) {
  return {
    id: s.id,
    number: s.number,
    title: s.title,
    kind: s.kind,
    status: s.status,
    amount: fenToYuan(s.amountFen),
    paid: fenToYuan(s.paidFen),
    outstanding: fenToYuan(s.outstandingFen),
    short: fenToYuan(s.shortFen),
    excess: fenToYuan(s.excessFen),
    late: s.late,
    dueAt: s.dueAt,
    paidAt: s.paidAt,
    reference: s.reference,
    receipts: s.receipts.map((r) => ({
      id: r.id,
      via: r.via,
      amount: fenToYuan(r.amountFen),
      receivedAt: r.receivedAt,
      bankRef: r.bankRef,
      hasProof: r.hasProof,
      recordedAt: r.recordedAt,
    })),
    royaltyReports: s.royaltyReports.map((r) => ({
      id: r.id,
      periodFrom: r.periodFrom,
      periodTo: r.periodTo,
      sales: fenToYuan(r.salesFen),
      ratePercent: r.rateBps / 100,
      due: fenToYuan(r.dueFen),
      reportedAt: r.reportedAt,
      note: r.note,
    })),
  };
}
