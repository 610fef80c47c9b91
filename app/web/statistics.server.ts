import { StatisticsQuerySchema } from "~/schemas/statistics.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import type { CountyDashboard, Row } from "~/services/statistics/dashboard.server.ts";
import { formatWan } from "~/utils/money.ts";
import { ValidationError } from "~/utils/errors.ts";
import { errorResponse } from "./actions.server.ts";
import { amountBars, amountColumns, funnelBars, targetGauge } from "./charts.server.ts";

/** The county dashboard's page glue (issue 15, point 5): the year asked for, and its charts as inline SVG. */

/** `?year=` of a dashboard URL; a 400 naming the field when it is not a year. */
export function dashboardYear(request: Request): number | undefined {
  const parsed = StatisticsQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw errorResponse(new ValidationError(flattenZodErrors(parsed.error)));
  return parsed.data.year;
}

export type Lang = "zh" | "en";
export type DashboardCharts = Record<"months" | "target" | "towns" | "fields" | "categories" | "entityTypes" | "sides" | "funnel", string>;

const WORDS = {
  zh: { contract: "成交额", technology: "技术交易额", unit: "万元", progress: "目标完成率" },
  en: { contract: "Turnover", technology: "Technology amount", unit: "10k yuan", progress: "Of the target" },
} as const;

export function dashboardCharts(d: CountyDashboard, lang: Lang, titles: Record<keyof DashboardCharts, string>): DashboardCharts {
  const w = WORDS[lang];
  const points = (rows: Row[]) => rows.map((r) => ({ label: r.label[lang], contractFen: r.contractFen, technologyFen: r.technologyFen }));
  const nonEmpty = (rows: Row[]) => rows.filter((r) => r.count > 0);
  return {
    months: amountColumns(points(d.months), w, titles.months),
    target: targetGauge(
      d.target.progressBps,
      `${w.progress} · ${formatWan(d.target.targetFen, lang === "zh" ? "zh-CN" : "en")}`,
      titles.target,
    ),
    towns: amountBars(points(d.towns.filter((r) => r.count > 0 || /^\d{9}$/.test(r.key))), w, titles.towns),
    fields: amountBars(points(nonEmpty(d.fields)), w, titles.fields),
    categories: amountBars(points(d.categories), w, titles.categories),
    entityTypes: amountBars(points(nonEmpty(d.entityTypes)), w, titles.entityTypes),
    sides: amountBars(points(d.sides), w, titles.sides),
    funnel: funnelBars(
      d.funnel.map((f) => ({ label: f.label[lang], count: f.count })),
      titles.funnel,
    ),
  };
}
