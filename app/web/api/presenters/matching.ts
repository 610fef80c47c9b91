import type { MatchView } from "~/services/matching/matches.server.ts";
import { createI18n } from "~/utils/i18n.ts";
import { reasonText, type MatchReason } from "~/utils/match-reasons.ts";

/** A match as the open API answers it: the reasons as Chinese sentences. */
export interface ApiMatch {
  id: string;
  externalId: string | null;
  title: string;
  score: number;
  reasons: string[];
}

let zhT: ReturnType<typeof createI18n>["t"] | undefined;
export function reasonsInChinese(reasons: MatchReason[]): string[] {
  if (!zhT) {
    const i18n = createI18n("zh-CN");
    zhT = i18n.t.bind(i18n);
  }
  return reasons.map((r) => reasonText(r, zhT!));
}

export function toApiMatch(m: MatchView): ApiMatch {
  return { id: m.id, externalId: m.externalId, title: m.title, score: m.score, reasons: reasonsInChinese(m.reasons) };
}
