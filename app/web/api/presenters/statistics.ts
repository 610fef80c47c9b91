import type { CountyDashboard, Row } from "~/services/statistics/dashboard.server.ts";
import type { Figures } from "~/services/statistics/figures.ts";
import { fenToYuan } from "~/utils/money.ts";

/** The county dashboard as GET /api/v1/statistics answers it: yuan (two decimals) beside the exact fen. */

function figures(f: Figures & { shareBps: number | null }) {
  return {
    count: f.count,
    contractAmount: fenToYuan(f.contractFen),
    contractAmountFen: f.contractFen,
    technologyAmount: fenToYuan(f.technologyFen),
    technologyAmountFen: f.technologyFen,
    /** 技术交易额 / 成交额, 4 decimals (0.9231); null when nothing was traded. */
    technologyShare: f.shareBps === null ? null : f.shareBps / 10_000,
  };
}

const rows = (list: Row[]) => list.map((r) => ({ key: r.key, name: r.label.zh, nameEn: r.label.en, ...figures(r) }));

export function apiStatistics(d: CountyDashboard) {
  return {
    year: d.year,
    county: d.county,
    currency: "CNY",
    basis: "registered contracts by registration date (China time); cancelled ones excluded",
    total: figures(d.total),
    target: {
      amount: fenToYuan(d.target.targetFen),
      amountFen: d.target.targetFen,
      isDefault: d.target.isDefault,
      technologyAmount: fenToYuan(d.target.technologyFen),
      technologyAmountFen: d.target.technologyFen,
      progress: d.target.progressBps / 10_000,
      remaining: fenToYuan(d.target.remainingFen),
      remainingFen: d.target.remainingFen,
    },
    months: d.months.map((r) => ({ month: Number(r.key), ...figures(r) })),
    towns: rows(d.towns),
    fields: rows(d.fields),
    categories: rows(d.categories),
    entityTypes: rows(d.entityTypes),
    sides: rows(d.sides),
    funnel: d.funnel.map((f) => ({ stage: f.stage, name: f.label.zh, nameEn: f.label.en, count: f.count })),
  };
}
