import type { MatchFeedbackVerdict } from "~/schemas/match-feedback.ts";
import type { MatchReason } from "~/utils/match-reasons.ts";

/**
 * What people did with a pair, as re-ranking reads it (pure; issue 16 point 5, decision 031).
 * - The pair's verdict is the latest mark (相关 / 不相关) of anyone who may judge it (the demand's
 *   owner organisation, brokers, admins): each person has one mark, and the newest of them counts.
 * - A pair whose verdict is 不相关 is never shown (nor notified); a 相关 pair is always shown to the
 *   demand, and gains MARK_BOOST; each kind of engagement (a room opened from the match, an offer,
 *   a deal) adds ENGAGEMENT_BOOST; the whole boost is at most MAX_BOOST and the score stays ≤ 1.
 */

export const MARK_BOOST = 0.1;
export const ENGAGEMENT_BOOST = 0.05;
export const MAX_BOOST = 0.2;

export type EngagementKind = "room" | "offer" | "deal";

export interface FeedbackRow {
  demand: unknown;
  achievement: unknown;
  kind: "mark" | EngagementKind;
  verdict: MatchFeedbackVerdict;
  by: unknown;
  at: Date;
}

export interface PairSignals {
  /** the latest mark, or null when nobody marked the pair */
  verdict: MatchFeedbackVerdict | null;
  /** who made that latest mark (a user id) and when */
  markedBy: string | null;
  markedAt: Date | null;
  engaged: Set<EngagementKind>;
}

/** The signals of each pair, keyed by the counterpart's id (`side` says which id of a row is the counterpart). */
export function signalsByCounterpart(rows: FeedbackRow[], side: "demand" | "achievement"): Map<string, PairSignals> {
  const out = new Map<string, PairSignals>();
  for (const r of rows) {
    const key = String(side === "demand" ? r.demand : r.achievement);
    let s = out.get(key);
    if (!s) out.set(key, (s = { verdict: null, markedBy: null, markedAt: null, engaged: new Set() }));
    if (r.kind === "mark") {
      if (!s.markedAt || r.at > s.markedAt) {
        s.verdict = r.verdict;
        s.markedBy = String(r.by);
        s.markedAt = r.at;
      }
    } else if (r.verdict === "relevant") {
      s.engaged.add(r.kind);
    }
  }
  return out;
}

/** The bounded boost a pair's positive signals give. */
export function boostOf(s: PairSignals | undefined): number {
  if (!s || s.verdict === "irrelevant") return 0;
  const b = (s.verdict === "relevant" ? MARK_BOOST : 0) + s.engaged.size * ENGAGEMENT_BOOST;
  return Math.min(MAX_BOOST, b);
}

/** A score with the pair's boost, still within 0–1, three decimals. */
export function boosted(score: number, s: PairSignals | undefined): number {
  return Math.round(Math.min(1, score + boostOf(s)) * 1000) / 1000;
}

const ENGAGEMENT_ORDER: EngagementKind[] = ["deal", "offer", "room"];

/** The reason a judged pair shows first among its reasons ("经办人确认相关", "已洽谈"…), or null. */
export function feedbackReason(s: PairSignals | undefined): MatchReason | null {
  if (!s || s.verdict === "irrelevant") return null;
  const marked = s.verdict === "relevant";
  const engaged = ENGAGEMENT_ORDER.find((k) => s.engaged.has(k)) ?? null;
  if (!marked && !engaged) return null;
  return { code: "feedback", marked, engaged };
}
