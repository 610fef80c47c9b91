/**
 * Fusing ranked lists (pure). Each retriever ranks the same candidates its own way; reciprocal
 * rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009) adds w / (k + rank) over the lists, so an
 * item near the top of several lists beats one at the top of a single list, and no list's score
 * scale has to be comparable with another's.
 */

export interface RankedList {
  name: string;
  weight: number;
  /** ids, best first */
  ids: string[];
}

/** The knobs, chosen by cross-validation on the labelled set (bench/matching/run.ts --cv). */
export const FUSION_TUNING = {
  k: 60,
  /** weight of the concept matcher's list */
  concept: 1,
  /** weight of the BM25 list */
  bm25: 1,
  /** weight of the optional semantic list (EMBEDDINGS_URL) */
  semantic: 1,
};

/** id → fused score (higher is better). Items absent from a list get nothing from it. */
export function reciprocalRankFusion(lists: RankedList[], k = FUSION_TUNING.k): Map<string, number> {
  const out = new Map<string, number>();
  for (const list of lists) {
    if (list.weight <= 0) continue;
    list.ids.forEach((id, i) => out.set(id, (out.get(id) ?? 0) + list.weight / (k + i + 1)));
  }
  return out;
}
