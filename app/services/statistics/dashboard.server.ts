import { platformSettings } from "~/services/settings/settings.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { CONTRACT_CATEGORIES } from "~/utils/contracts.ts";
import { assertCan } from "~/utils/permissions.ts";
import { regionName, townsOf } from "~/utils/regions.server.ts";
import { ENTITY_TYPES } from "~/utils/registration.ts";
import { technicalFieldName } from "~/utils/technical-fields.ts";
import { NO_FIGURES, technologyShareBps, type Figures } from "./figures.ts";
import { FUNNEL_STAGES, platformFunnel, type FunnelStage } from "./funnel.server.ts";
import { currentChinaYear } from "./period.ts";
import { NO_TOWN, OUTSIDE, registeredOfYear, type Breakdown } from "./registered.server.ts";
import { targetProgress, type TargetProgress } from "./target.ts";

/**
 * The county dashboard of one year (issue 15, point 5): the registered contracts' figures with
 * their breakdowns, named; the target's progress; the platform's funnel. For the page, its CSV
 * tables and GET /api/v1/statistics alike, so they always agree.
 */
export interface Label {
  zh: string;
  en: string;
}
export interface Row extends Figures {
  key: string;
  label: Label;
  /** 技术交易额 / 成交额, basis points; null when nothing was traded. */
  shareBps: number | null;
}
export interface CountyDashboard {
  year: number;
  /** Years with registered contracts, and the current one, newest first. */
  years: number[];
  county: { code: string; name: string };
  total: Figures & { shareBps: number | null };
  target: TargetProgress;
  months: Row[];
  towns: Row[];
  fields: Row[];
  categories: Row[];
  entityTypes: Row[];
  sides: Row[];
  funnel: { stage: FunnelStage; label: Label; count: number }[];
}

const CATEGORY_LABELS: Record<string, Label> = {
  development: { zh: "技术开发", en: "Development" },
  transfer: { zh: "技术转让", en: "Transfer" },
  license: { zh: "技术许可", en: "Licence" },
  consulting: { zh: "技术咨询", en: "Consulting" },
  service: { zh: "技术服务", en: "Service" },
};
const SIDE_LABELS: Record<"output" | "intake" | "within", Label> = {
  output: { zh: "技术输出（卖方在本县）", en: "Output (seller in the county)" },
  intake: { zh: "技术吸纳（买方在本县）", en: "Intake (buyer in the county)" },
  within: { zh: "其中：买卖双方均在本县", en: "of which both parties in the county" },
};
const FUNNEL_LABELS: Record<FunnelStage, Label> = {
  listings: { zh: "发布成果与需求", en: "Listings published" },
  matches: { zh: "智能匹配", en: "Matches" },
  rooms: { zh: "洽谈室", en: "Deal rooms" },
  deals: { zh: "成交", en: "Deals" },
  contracts: { zh: "签订合同", en: "Contracts signed" },
  registrations: { zh: "认定登记", en: "Registered" },
};

const same = (s: string): Label => ({ zh: s, en: s });
const row = (key: string, label: Label, f: Figures): Row => ({ key, label, ...f, shareBps: technologyShareBps(f) });
const byKey = (list: Breakdown[]) => new Map(list.map((b) => [b.key, b]));
const byAmount = (a: Row, b: Row) => b.technologyFen - a.technologyFen || b.contractFen - a.contractFen || a.key.localeCompare(b.key);

export async function countyDashboard(actor: Pick<Actor, "roles">, year = currentChinaYear()): Promise<CountyDashboard> {
  assertCan(actor, "statistics:view");
  const settings = await platformSettings();
  const county = settings.countyCode;
  const [{ figures, years }, funnel] = await Promise.all([registeredOfYear(year, county), platformFunnel(year)]);

  const months = byKey(figures.months);
  const towns = byKey(figures.towns);
  const categories = byKey(figures.categories);
  const countyTowns = townsOf(county);
  const townRows = countyTowns.map((t) => row(t.code, same(t.name), towns.get(t.code) ?? NO_FIGURES));
  // Towns of other counties (a party recorded with a county code but another county's town), then the rest.
  for (const b of figures.towns) {
    if (countyTowns.some((t) => t.code === b.key) || b.key === NO_TOWN || b.key === OUTSIDE) continue;
    townRows.push(row(b.key, same(regionName(b.key) ?? b.key), b));
  }
  if (towns.has(NO_TOWN)) townRows.push(row(NO_TOWN, { zh: "未注明乡镇", en: "Town not recorded" }, towns.get(NO_TOWN)!));
  if (towns.has(OUTSIDE)) townRows.push(row(OUTSIDE, { zh: "县外（双方均不在本县）", en: "Outside the county" }, towns.get(OUTSIDE)!));

  return {
    year,
    years: [...new Set([currentChinaYear(), year, ...years])].sort((a, b) => b - a),
    county: { code: county, name: regionName(county) ?? county },
    total: { ...figures.total, shareBps: technologyShareBps(figures.total) },
    target: targetProgress(settings, year, figures.total.technologyFen),
    months: Array.from({ length: 12 }, (_, i) =>
      row(String(i + 1), { zh: `${i + 1}月`, en: `${i + 1}` }, months.get(String(i + 1)) ?? NO_FIGURES),
    ),
    towns: townRows,
    fields: figures.fields.map((b) => row(b.key, { zh: technicalFieldName(b.key), en: technicalFieldName(b.key, "en") }, b)).sort(byAmount),
    categories: CONTRACT_CATEGORIES.map((c) => row(c, CATEGORY_LABELS[c]!, categories.get(c) ?? NO_FIGURES)),
    entityTypes: figures.entityTypes
      .map((b) => row(b.key, same((ENTITY_TYPES as Record<string, string>)[b.key] ?? b.key), b))
      .sort(byAmount),
    sides: (["output", "intake", "within"] as const).map((s) => row(s, SIDE_LABELS[s], figures.sides[s])),
    funnel: FUNNEL_STAGES.map((stage) => ({ stage, label: FUNNEL_LABELS[stage], count: funnel[stage] })),
  };
}
