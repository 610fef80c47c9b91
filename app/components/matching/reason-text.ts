import type { TFunction } from "i18next";
import type { MatchReason } from "../../../search/matching.ts";

/**
 * One match reason as a sentence in the reader's language: "关键词: 根腐病（≈烂根）", "价格在预算内",
 * "成熟度 TRL 6 ≥ 5". Used by the pages and, in Chinese, by the API's `reasons`.
 */
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
