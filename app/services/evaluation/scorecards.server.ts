import { assertCan } from "~/utils/permissions.ts";
import {
  formulaShape,
  formulaText,
  INDICATORS,
  round2,
  scoreOf,
  type Indicator,
  type ScorecardKind,
  type ScorecardWeights,
} from "~/utils/scorecards.ts";
import type { Actor } from "../kernel/actor.ts";
import { readSettings } from "../settings/settings.server.ts";
import { subjectsOf } from "./indicators.server.ts";

/**
 * 绩效评估 (issue 15, point 6): one year's scorecard of one kind — every subject's figures, its
 * score under the bureau's weights with the formula written out, and the ranking (equal scores
 * share a rank, then names in order).
 */
export interface ScorecardRow {
  rank: number;
  id: string;
  name: string;
  values: Record<string, number>;
  score: number;
  formula: string;
}

export interface Scorecard {
  kind: ScorecardKind;
  year: number;
  indicators: readonly Indicator[];
  weights: Record<string, number>;
  /** "0.4×登记技术交易额(万元) + 0.2×成交数 + …" */
  shape: string;
  rows: ScorecardRow[];
}

export function rankRows(
  subjects: { id: string; name: string; values: Record<string, number> }[],
  indicators: readonly Indicator[],
  weights: Record<string, number>,
): ScorecardRow[] {
  const scored = subjects.map((s) => {
    const values = Object.fromEntries(indicators.map((k) => [k, round2(s.values[k] ?? 0)]));
    return {
      id: s.id,
      name: s.name,
      values,
      score: scoreOf(weights, indicators, values),
      formula: formulaText(weights, indicators, values),
    };
  });
  scored.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name, "zh-CN"));
  let rank = 0;
  return scored.map((r, i) => {
    if (i === 0 || r.score !== scored[i - 1]!.score) rank = i + 1;
    return { rank, ...r };
  });
}

export async function scorecard(actor: Pick<Actor, "roles">, kind: ScorecardKind, year: number): Promise<Scorecard> {
  assertCan(actor, "evaluation:manage");
  const [settings, subjects] = await Promise.all([readSettings(), subjectsOf(kind, year)]);
  const weights = (settings.scorecardWeights as ScorecardWeights)[kind] as Record<string, number>;
  const indicators = INDICATORS[kind];
  return { kind, year, indicators, weights, shape: formulaShape(weights, indicators), rows: rankRows(subjects, indicators, weights) };
}
