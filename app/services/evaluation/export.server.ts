import { csvText } from "~/utils/csv.server.ts";
import { INDICATOR_NAMES_ZH } from "~/utils/scorecards.ts";
import type { ScorecardKind } from "~/utils/scorecards.ts";
import type { Actor } from "../kernel/actor.ts";
import { scorecard } from "./scorecards.server.ts";

const KIND_ZH: Record<ScorecardKind, string> = { town: "乡镇", enterprise: "企业", commissioner: "科技特派员", broker: "技术经纪人" };

/** One scorecard as CSV (排名, 名称, the indicators, 得分, 计算式) and its file name. */
export async function scorecardCsv(actor: Pick<Actor, "roles">, kind: ScorecardKind, year: number) {
  const card = await scorecard(actor, kind, year);
  const header = ["排名", "名称", ...card.indicators.map((k) => INDICATOR_NAMES_ZH[k]), "得分", "计算式"];
  const body = card.rows.map((r) => [r.rank, r.name, ...card.indicators.map((k) => r.values[k] ?? 0), r.score, r.formula].map(String));
  return {
    csv: csvText(header, body),
    filename: `evaluation-${kind}-${year}.csv`,
    filenameZh: `${year}年${KIND_ZH[kind]}绩效评估.csv`,
  };
}
