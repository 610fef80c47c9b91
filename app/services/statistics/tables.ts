import { STATISTICS_TABLES } from "~/schemas/statistics.ts";
import { bpsText } from "./figures.ts";
import type { CountyDashboard, Row } from "./dashboard.server.ts";

/**
 * The dashboard's tables as rows of text, for the CSV downloads (Chinese headers, amounts in yuan
 * with two decimals). Pure.
 */
export const TABLE_KEYS = STATISTICS_TABLES;
export type TableKey = (typeof TABLE_KEYS)[number];

export const TABLE_TITLES: Record<TableKey, { zh: string; en: string }> = {
  months: { zh: "按月份", en: "By month" },
  towns: { zh: "按乡镇", en: "By town" },
  fields: { zh: "按技术领域", en: "By technical field" },
  categories: { zh: "按合同类别", en: "By contract category" },
  entityTypes: { zh: "按法人类型", en: "By legal-entity type" },
  sides: { zh: "输出与吸纳", en: "Output and intake" },
  funnel: { zh: "平台转化漏斗", en: "Platform funnel" },
};

/** Fen as yuan text with two decimals, exactly: 12345601 → "123456.01". */
export function yuanText(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

const FIGURE_HEADER = ["合同数", "成交额（元）", "技术交易额（元）", "技术交易额占成交额"];
const figureCells = (r: Row) => [String(r.count), yuanText(r.contractFen), yuanText(r.technologyFen), bpsText(r.shareBps)];

export function dashboardTable(d: CountyDashboard, key: TableKey): { header: string[]; rows: string[][] } {
  if (key === "funnel") {
    return { header: ["年度", "环节", "数量"], rows: d.funnel.map((f) => [String(d.year), f.label.zh, String(f.count)]) };
  }
  const first: Record<Exclude<TableKey, "funnel">, string> = {
    months: "月份",
    towns: "乡镇",
    fields: "技术领域",
    categories: "合同类别",
    entityTypes: "法人类型",
    sides: "方向",
  };
  const list = d[key];
  const rows = list.map((r) => [String(d.year), r.label.zh, ...figureCells(r)]);
  if (key !== "sides")
    rows.push([String(d.year), "合计", ...figureCells({ key: "total", label: { zh: "合计", en: "Total" }, ...d.total })]);
  return { header: ["年度", first[key], ...FIGURE_HEADER], rows };
}
