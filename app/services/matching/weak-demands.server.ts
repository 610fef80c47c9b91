import { Demand } from "~/models/demand.server.ts";
import { CLOSED_DEMAND_STATUSES, PUBLIC_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { logger } from "~/utils/logger.server.ts";
import { assertCan } from "~/utils/permissions.ts";
import { loadSpecificity, prepareDemand } from "../../../search/matching/index.ts";
import { liveVocabulary } from "../../../search/live-vocabulary.ts";
import type { Actor } from "../kernel/actor.ts";
import { DEMAND_PROJECTION, matchDemandOf, type DemandRow } from "./listing-rows.ts";
import { rankDemandMatches } from "./matches.server.ts";
import { keywordVocabulary } from "./vocabulary.server.ts";

/**
 * 匹配薄弱的需求 (issue 16 point 4, decision 031): for the people who keep the vocabulary, the open
 * public demands whose best match scores below WEAK_SCORE, newest first, each with the words of
 * the demand that no achievement uses (its terms whose specificity count is 0) — the words a
 * synonym group could connect. Matching runs per demand, so a page checks at most WEAK_PAGE
 * demands; the pages walk through all open demands.
 */

/** A demand whose best match scores below this is weakly matched. */
export const WEAK_SCORE = 0.35;
/** Demands checked per page (matching runs once for each). */
export const WEAK_PAGE = 20;
/** Demands matched at the same time (the machine and Meilisearch are shared). */
const CONCURRENCY = 2;
const TIMEOUT_MS = 5_000;

const OPEN_DEMAND_STATUSES: readonly ListingStatus[] = PUBLIC_STATUSES.filter((s) => !CLOSED_DEMAND_STATUSES.includes(s));

export interface WeakDemand {
  id: string;
  title: string;
  publishedAt: string | null;
  /** the best match's score (0–1), null when nothing matched at all */
  best: number | null;
  /** the demand's words no achievement uses, as the demand writes them */
  unmatchedWords: string[];
}

export type WeakDemandsPage =
  | { status: "ok"; threshold: number; page: number; pageSize: number; total: number; checked: number; items: WeakDemand[] }
  | { status: "unavailable"; threshold: number; page: number; pageSize: number; total: number; checked: 0; items: [] };

/** The demand's words that no achievement uses. */
async function unmatchedWordsOf(d: DemandRow, vocabulary: ReadonlySet<string>, signal: AbortSignal): Promise<string[]> {
  const { lexicon } = await liveVocabulary();
  const pd = prepareDemand(matchDemandOf(d), { lexicon, vocabulary });
  const specificity = await loadSpecificity(
    pd.terms.map((t) => t.canonical),
    { signal, maxFetch: Number.POSITIVE_INFINITY },
  );
  return [...new Set(pd.terms.filter((t) => specificity.count(t) === 0).map((t) => t.label))];
}

async function check(d: DemandRow & { publishedAt?: Date | null }, vocabulary: ReadonlySet<string>): Promise<WeakDemand | null> {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  // The same ranking as the pages (feedback included): a pair people confirmed counts.
  const { items } = await rankDemandMatches(d, { limit: 1, minScore: 0, signal });
  const best = items[0]?.score ?? null;
  if (best !== null && best >= WEAK_SCORE) return null;
  return {
    id: String(d._id),
    title: d.title,
    publishedAt: d.publishedAt ? d.publishedAt.toISOString() : null,
    best,
    unmatchedWords: await unmatchedWordsOf(d, vocabulary, signal),
  };
}

/** One page of weakly matched demands (1-based), for those with "vocabulary:edit" (else 403). */
export async function weakDemands(actor: Actor | null, page = 1): Promise<WeakDemandsPage> {
  assertCan(actor, "vocabulary:edit");
  const p = Math.max(1, Math.trunc(page) || 1);
  const filter = { status: { $in: OPEN_DEMAND_STATUSES } };
  const [total, rows] = await Promise.all([
    Demand.countDocuments(filter),
    Demand.find(filter, { ...DEMAND_PROJECTION, publishedAt: 1 })
      .sort({ publishedAt: -1, _id: -1 })
      .skip((p - 1) * WEAK_PAGE)
      .limit(WEAK_PAGE)
      .lean() as unknown as Promise<(DemandRow & { publishedAt?: Date | null })[]>,
  ]);
  const base = { threshold: WEAK_SCORE, page: p, pageSize: WEAK_PAGE, total };
  try {
    const vocabulary = await keywordVocabulary();
    const found: (WeakDemand | null)[] = new Array(rows.length).fill(null);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < rows.length; i = next++) found[i] = await check(rows[i]!, vocabulary);
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
    return { status: "ok", ...base, checked: rows.length, items: found.filter((x): x is WeakDemand => x !== null) };
  } catch (e) {
    logger.warn({ err: (e as Error).message }, "weak demands: matching failed");
    return { status: "unavailable", ...base, checked: 0, items: [] };
  }
}
