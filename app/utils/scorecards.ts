/**
 * 绩效评估 (issue 15, point 6): the scorecards' kinds, their indicators and the default weights.
 * A score is Σ weight × indicator over raw yearly figures (docs/decisions/029-commissioners-and-evaluation.md),
 * so anyone can redo it by hand from the formula shown next to it.
 */
export const SCORECARD_KINDS = ["town", "enterprise", "commissioner", "broker"] as const;
export type ScorecardKind = (typeof SCORECARD_KINDS)[number];

export const INDICATORS = {
  town: ["registeredTechWan", "deals", "matchesTakenUp", "listings", "demands", "commissionerActivities", "peopleReached"],
  enterprise: ["registeredTechWan", "deals", "matchesTakenUp", "listings", "demands"],
  commissioner: ["assignments", "activities", "peopleReached"],
  broker: ["dealsBrokered", "brokeredTechWan", "roomsJoined"],
} as const satisfies Record<ScorecardKind, readonly string[]>;
export type Indicator = (typeof INDICATORS)[ScorecardKind][number];

export type ScorecardWeights = { [K in ScorecardKind]: Record<(typeof INDICATORS)[K][number], number> };

export const DEFAULT_SCORECARD_WEIGHTS: ScorecardWeights = {
  town: {
    registeredTechWan: 0.4,
    deals: 0.2,
    matchesTakenUp: 0.1,
    listings: 0.1,
    demands: 0.05,
    commissionerActivities: 0.1,
    peopleReached: 0.01,
  },
  enterprise: { registeredTechWan: 0.4, deals: 0.3, matchesTakenUp: 0.1, listings: 0.1, demands: 0.1 },
  commissioner: { assignments: 0.3, activities: 0.5, peopleReached: 0.02 },
  broker: { dealsBrokered: 0.5, brokeredTechWan: 0.3, roomsJoined: 0.2 },
};

/** The Chinese names of the indicators, as the formula writes them (the locales carry the English). */
export const INDICATOR_NAMES_ZH: Readonly<Record<Indicator, string>> = {
  registeredTechWan: "登记技术交易额(万元)",
  brokeredTechWan: "经纪成交技术交易额(万元)",
  deals: "成交数",
  dealsBrokered: "经纪成交数",
  matchesTakenUp: "匹配转洽谈数",
  listings: "发布成果与需求数",
  demands: "技术需求数",
  commissionerActivities: "特派员服务次数",
  activities: "服务次数",
  peopleReached: "服务人次",
  assignments: "派驻对象数",
  roomsJoined: "参与洽谈数",
};

/** Highest weight the bureau may give one indicator; weights have at most four decimals. */
export const WEIGHT_MAX = 1000;

/** Rounds a figure for showing and for the score (two decimals; 万元 figures come from whole fen). */
export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** A number as the formula prints it: no trailing zeros beyond what it has ("0.4", "12.5", "3"). */
export function formulaNumber(n: number): string {
  return String(round2(n));
}

/** The score of one row under these weights. */
export function scoreOf(weights: Record<string, number>, indicators: readonly string[], values: Record<string, number>): number {
  let total = 0;
  for (const k of indicators) total += (weights[k] ?? 0) * (values[k] ?? 0);
  return round2(total);
}

/**
 * The formula with the row's figures, e.g. "0.4×登记技术交易额(万元) 12.5 + 0.2×成交数 3 = 5.6". Weights of 0
 * are left out (they do not count); with every weight 0 the formula is "0".
 */
export function formulaText(weights: Record<string, number>, indicators: readonly Indicator[], values: Record<string, number>): string {
  const terms = indicators
    .filter((k) => (weights[k] ?? 0) !== 0)
    .map((k) => `${formulaNumber(weights[k]!)}×${INDICATOR_NAMES_ZH[k]} ${formulaNumber(values[k] ?? 0)}`);
  return `${terms.length ? terms.join(" + ") : "0"} = ${formulaNumber(scoreOf(weights, indicators, values))}`;
}

/** The formula without figures, for the page's heading: "0.4×登记技术交易额(万元) + 0.2×成交数 + …". */
export function formulaShape(weights: Record<string, number>, indicators: readonly Indicator[]): string {
  const terms = indicators.filter((k) => (weights[k] ?? 0) !== 0).map((k) => `${formulaNumber(weights[k]!)}×${INDICATOR_NAMES_ZH[k]}`);
  return terms.length ? terms.join(" + ") : "0";
}

/** Stored weights over the defaults: an indicator added later gets its default, an unknown key is dropped. */
export function weightsWithDefaults(stored: unknown): ScorecardWeights {
  const out = structuredClone(DEFAULT_SCORECARD_WEIGHTS) as Record<ScorecardKind, Record<string, number>>;
  const src = (stored && typeof stored === "object" ? stored : {}) as Record<string, unknown>;
  for (const kind of SCORECARD_KINDS) {
    const given = (src[kind] && typeof src[kind] === "object" ? src[kind] : {}) as Record<string, unknown>;
    for (const k of INDICATORS[kind]) {
      const v = given[k];
      if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= WEIGHT_MAX) out[kind][k] = v;
    }
  }
  return out as ScorecardWeights;
}

/** A weight as typed ("0.4", "1", "0.025"): a number 0…WEIGHT_MAX with at most four decimals, or null. */
export function parseWeight(v: string): number | null {
  const t = v.trim();
  if (!/^\d{1,4}(\.\d{1,4})?$/.test(t)) return null;
  const n = Number(t);
  return n <= WEIGHT_MAX ? n : null;
}
