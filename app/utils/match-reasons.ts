import type { TFunction } from "i18next";

/**
 * Why a demand and an achievement match (search/matching/score.ts gives the reasons), and each
 * reason as a sentence in the reader's language: "关键词: 根腐病（≈烂根）", "价格在预算内",
 * "成熟度 TRL 6 ≥ 5". A pure function of `t`, so the pages (components/matching) and, in Chinese,
 * the API's `reasons` (web/api/presenters/matching.ts) say the same.
 */
export type MatchReason =
  | { code: "keyword"; word: string; via?: string }
  | { code: "field"; field: string }
  | { code: "withinBudget" }
  | { code: "overBudget" }
  | { code: "negotiable" }
  | { code: "trl"; trl: number; min: number }
  | { code: "trlBelow"; trl: number; min: number }
  | { code: "modes"; modes: string[] }
  /** people said so (issue 16 point 5): marked 相关 by the demand's side or a broker, and/or engaged (a room, an offer, a deal) */
  | { code: "feedback"; marked: boolean; engaged: "room" | "offer" | "deal" | null };

export function reasonText(r: MatchReason, t: TFunction): string {
  switch (r.code) {
    case "keyword":
      return r.via ? t("matching.reasons.keywordVia", { word: r.word, via: r.via }) : t("matching.reasons.keyword", { word: r.word });
    case "field":
      return t("matching.reasons.field", { field: t(`listing.fields.${r.field}`) });
    case "modes":
      return t("matching.reasons.modes", {
        modes: r.modes.map((m) => t(`listing.modes.${m}`)).join(t("matching.listSeparator")),
      });
    case "feedback": {
      const parts: string[] = [];
      if (r.marked) parts.push(t("matching.reasons.feedbackMarked"));
      if (r.engaged) parts.push(t(`matching.reasons.feedbackEngaged.${r.engaged}`));
      return parts.join(t("matching.listSeparator"));
    }
    case "trl":
    case "trlBelow":
      return t(`matching.reasons.${r.code}`, { trl: r.trl, min: r.min });
    default:
      return t(`matching.reasons.${r.code}`);
  }
}

/** 0.823 → 82 */
export function scorePercent(score: number): number {
  return Math.round(score * 100);
}
