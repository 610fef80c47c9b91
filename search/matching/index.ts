import type { Meilisearch } from "meilisearch";
import { achievementFilter, achievementFromHit, demandFilter, demandFromHit, queryTexts, type Hit } from "./queries.ts";
import { queryOf, relevance, telling, type Query } from "./bm25.ts";
import {
  achievementZones,
  buildCorpus,
  candidateBag,
  corpusSpecificity,
  demandZones,
  loadCorpus,
  queryZones,
  retrieveByWords,
  type Corpus,
} from "./corpus.ts";
import { FUSION_TUNING, reciprocalRankFusion, type RankedList } from "./fusion.ts";
import { addWords } from "./text.ts";
import { achievementHits, loadSpecificity, retrieve, synonymLexicon } from "./retrieve.ts";
import { semanticCandidates, semanticText } from "./semantic.ts";
import { normalize, type Lexicon } from "./terms.ts";
import {
  localBigramWeights,
  MATCH_MIN_SCORE,
  prepareAchievement,
  prepareDemand,
  satisfiesHardConstraints,
  scorePair,
  type Match,
  type MatchAchievement,
  type MatchDemand,
  type PairContext,
  type PairScore,
  type PreparedAchievement,
  type PreparedDemand,
} from "./score.ts";

/**
 * Matching demands (技术需求) with achievements (科技成果).
 *
 * An enterprise writes "老地块种三七烂根死苗"; a lab writes "三七根腐病生物防治菌剂". Matching has to
 * bridge that gap and stay explainable, so it works in two stages:
 *
 * 1. Retrieval (Meilisearch, retrieve.ts with the queries of queries.ts): the listing's concepts, ranked by place and specificity, make up to
 *    six queries sent in one multi-search — all main concepts at once in the researchers' words
 *    (each synonym group's first word), each of the next concepts alone (Meilisearch's "last"
 *    strategy keeps the first word of a query mandatory, so a document that matches only one
 *    decisive concept needs a query of its own), and the keywords as written. Words no
 *    achievement uses are left out. The hard constraints (a shared transaction mode, TRL ≥
 *    minTrl, the demand form's hard rule; not sold) are Meilisearch filters. Before that, one `limit: 0` multi-search counts how many
 *    achievements use each concept (cached for half an hour), which gives its specificity.
 * 2. Scoring (in code, pure: terms.ts and score.ts): the demand's terms — dictionary words (synonym groups and the
 *    platform's keyword vocabulary), otherwise words of Intl.Segmenter — weighted by where they
 *    stand (keyword > title > description) and by how specific they are among the achievements,
 *    are looked up with their synonyms in the achievement's title, keywords, summary and
 *    description. The covered share, how much of the achievement's own core the demand mentions,
 *    and an IDF-weighted overlap of character bigrams (IDF over the candidates, so the crop that
 *    retrieved them all counts little; it catches overlaps no dictionary knows) make the
 *    relevance. Same field, price within budget and TRL add small bonuses or penalties; the hard
 *    constraints are checked again. Each pair gets a score in 0–1 and its reasons.
 *
 * This file composes the two; terms.ts, score.ts and queries.ts do no I/O and are tested alone.
 */

export * from "./bm25.ts";
export { buildCorpus, clearCorpusCache, loadCorpus, RETRIEVAL_LIMITS, warmCorpora, type Corpus } from "./corpus.ts";
export * from "./fusion.ts";
export * from "./queries.ts";
export { clearMatchingCaches, loadSpecificity, synonymLexicon, useSynonymGroups } from "./retrieve.ts";
export * from "./score.ts";
export * from "./terms.ts";

export interface MatchOptions {
  limit?: number;
  minScore?: number;
  vocabulary?: ReadonlySet<string>;
  /** the synonym groups to match with (the live vocabulary); default: the shipped files */
  lexicon?: Lexicon;
  signal?: AbortSignal;
  client?: Meilisearch;
}

const EMPTY_VOCABULARY: ReadonlySet<string> = new Set();

/**
 * How the lists become one (chosen by cross-validation, bench/matching/run.ts --cv):
 * - "rrf": reciprocal rank fusion of the concept matcher's and BM25's rankings orders the
 *   matches; the score shown is the blend below, kept in the list's order.
 * - "blend": the score is the concept score plus `bm25Weight` × the BM25 relevance, and orders.
 */
export const MATCH_FUSION = {
  method: "blend" as "rrf" | "blend",
  /** the BM25 part of the blended score, against the concept score's 1 */
  bm25Weight: 1,
  /** BM25 relevance → 0–1: 1 − e^(−relevance / scale); at `scale` a pair scores 0.63 */
  bm25Scale: 0.05,
  /** the retrievers: "both", or one alone (the bench measures each) */
  use: "both" as "both" | "concept" | "bm25",
};

/** BM25's relevance as a score comparable with the concept score. */
export function bm25Score(relevance: number): number {
  return 1 - Math.exp(-relevance / MATCH_FUSION.bm25Scale);
}

function order<T>(scored: Match<T>[], opts: MatchOptions): Match<T>[] {
  const min = opts.minScore ?? MATCH_MIN_SCORE;
  return scored.filter((m) => m.score >= min).slice(0, opts.limit ?? 10);
}

/**
 * The specificity of every word a pair's score reads. All of them are fetched (cached after): a
 * word left at the default would score the same pair differently depending on what else was
 * asked before (issue 13 point 15).
 */
function specificityOf(words: string[], opts: MatchOptions) {
  return loadSpecificity(words, { client: opts.client, signal: opts.signal, maxFetch: Number.POSITIVE_INFINITY });
}

const taught = new WeakSet<Lexicon>();

/** The lexicon's other words for a word (BM25's query expansion); its words become segmenter words. */
function expander(lexicon: Lexicon) {
  if (!taught.has(lexicon)) {
    addWords(lexicon.groups.flat());
    taught.add(lexicon);
  }
  return (word: string): string[] => {
    const groups = lexicon.groupsOf.get(normalize(word));
    if (!groups) return [];
    const out = new Set<string>();
    for (const g of groups) for (const w of lexicon.groups[g]!) if (w !== word) out.add(w);
    return [...out];
  };
}

/** How many nearest listings the optional semantic list (EMBEDDINGS_URL) contributes. */
const SEMANTIC_LIMIT = 30;

/** Hits of the text queries first, then the semantic list's others (each listing once). */
function withSemantic(hits: Hit[], semantic: Hit[] | null): Hit[] {
  if (!semantic?.length) return hits;
  const seen = new Set(hits.map((h) => h.id));
  return [...hits, ...semantic.filter((h) => !seen.has(h.id))];
}

/** BM25's retrieval queries: its most telling words together (rarest kept first), then the top ones alone. */
function bm25Queries(q: Query, corpus: Corpus): { q: string; limit: number; strategy: "frequency" }[] {
  const top = telling(q, corpus.stats, BM25_RETRIEVAL.words);
  const out: { q: string; limit: number; strategy: "frequency" }[] = [];
  if (top.length) out.push({ q: top.join(" "), limit: BM25_RETRIEVAL.combinedLimit, strategy: "frequency" });
  for (const w of top.slice(0, BM25_RETRIEVAL.alone)) out.push({ q: w, limit: BM25_RETRIEVAL.aloneLimit, strategy: "frequency" });
  return out;
}

export const BM25_RETRIEVAL = {
  words: 12,
  combinedLimit: 100,
  alone: 2,
  aloneLimit: 40,
  limit: 100,
  memoryOnly: 1,
  conceptSingles: 1,
  scoreTop: 40,
  namedFactor: 1,
};

/**
 * One demand's side of its pairs: its candidates from both retrievers (one multi-search), each
 * scored by the concept matcher and by BM25, the two rankings fused. A pair's score is always
 * computed in this context, whichever side asks, so the demand page, the achievement page, the
 * API and the notification agree.
 */
async function demandSide(pd: PreparedDemand, base: Omit<PairContext, "specificity" | "bigramWeights">, opts: MatchOptions) {
  const d = pd.demand;
  // First: the segmenter learns the vocabulary's words before any text is cut.
  const expand = expander(base.lexicon);
  const ready = await loadCorpus("achievement", opts);
  // The words' rarity from the corpus statistics; from Meilisearch hit counts while they are not ready.
  const specificity = ready
    ? corpusSpecificity(ready, base.lexicon)
    : await specificityOf(
        pd.terms.map((t) => t.canonical),
        opts,
      );
  const useBm25 = MATCH_FUSION.use !== "concept" && ready;
  const readyQuery = useBm25 ? queryOf(queryZones(d), ready.stats, ready.canonical, expand) : null;
  // BM25 retrieves in memory when the corpus has its postings (the app), else through Meilisearch.
  const conceptWords = new Map<string, number>();
  for (const t of pd.terms)
    for (const w of t.words) conceptWords.set(w, Math.max(conceptWords.get(w) ?? 0, t.base * (w === t.label ? 1 : 0.7)));
  const inMemory = readyQuery && ready?.postings ? retrieveByWords(ready, readyQuery, d, BM25_RETRIEVAL, conceptWords) : null;
  const queries = [
    ...((MATCH_FUSION.use !== "bm25" && !(inMemory && BM25_RETRIEVAL.memoryOnly)) || !ready
      ? queryTexts(pd.terms, specificity, d).filter((x) => !inMemory || !BM25_RETRIEVAL.conceptSingles || !x.q.includes(" "))
      : []),
    ...(readyQuery && !inMemory ? bm25Queries(readyQuery, ready!) : []),
  ];
  // Semantic list (EMBEDDINGS_URL, docs/decisions/032-optional-embeddings.md): null when unset.
  const [meiliHits, memoryHits, semantic] = await Promise.all([
    queries.length ? retrieve("achievement", queries, achievementFilter(d), opts) : Promise.resolve([]),
    inMemory ? achievementHits(inMemory) : Promise.resolve([]),
    semanticCandidates("achievement", semanticText(d), achievementFilter(d), SEMANTIC_LIMIT, opts),
  ]);
  const seen = new Set<string>();
  const hits = [...meiliHits, ...memoryHits].filter((h) => !seen.has(h.id) && seen.add(h.id));
  const found = withSemantic(hits, semantic).map((h) => achievementFromHit(h));
  // While a large index's statistics are first being built, the candidates' own statistics stand in.
  const corpus = ready ?? buildCorpus(found.map((a) => achievementZones(a)));
  const q = queryOf(queryZones(d), corpus.stats, corpus.canonical, expand);
  // A cascade: BM25 (cheap, the bags are cached) ranks every candidate; the concept matcher scores
  // the best of them and every candidate Meilisearch's concept queries or the semantic list found.
  const named = new Set([...meiliHits.map((h) => h.id), ...(semantic ?? []).map((h) => h.id)]);
  const byBm25 = found
    .map((a) => ({ a, r: relevance(q, candidateBag(a.id, achievementZones(a), corpus), corpus.stats) }))
    .sort((x, y) => y.r - x.r);
  const candidates = byBm25
    .filter((x, i) => i < BM25_RETRIEVAL.scoreTop || (named.has(x.a.id) && i < BM25_RETRIEVAL.scoreTop * BM25_RETRIEVAL.namedFactor))
    .map((x) => prepareAchievement(x.a, base));
  // The achievements' own core words count too.
  const more = ready
    ? specificity
    : await specificityOf(
        candidates.flatMap((c) => c.terms.map((t) => t.canonical)),
        opts,
      );
  const ctx: PairContext = { ...base, specificity: more, bigramWeights: localBigramWeights(candidates.map((c) => c.zoned)) };
  return { pd, scored: fuse(pd, candidates, ctx, q, corpus, semantic?.map((h) => h.id) ?? null) };
}

/** Both rankings of a demand's candidates, fused; best first, every candidate that may be a match. */
function fuse(
  pd: PreparedDemand,
  candidates: PreparedAchievement[],
  ctx: PairContext,
  q: Query,
  corpus: Corpus,
  semanticIds: string[] | null = null,
): Match<MatchAchievement>[] {
  const d = pd.demand;
  const rows: { pa: PreparedAchievement; concept: PairScore; bm25: number }[] = [];
  for (const pa of candidates) {
    // The filter already said so; checked again so that no stale or odd document slips through.
    if (!satisfiesHardConstraints(d, pa.achievement)) continue;
    const a = pa.achievement;
    const bm25 = relevance(q, candidateBag(a.id, achievementZones(a), corpus), corpus.stats);
    rows.push({ pa, concept: scorePair(pd, pa, ctx), bm25 });
  }
  const blend = (r: (typeof rows)[number]) => {
    if (MATCH_FUSION.use === "concept") return r.concept.score;
    if (MATCH_FUSION.use === "bm25") return bm25Score(r.bm25);
    return (r.concept.score + MATCH_FUSION.bm25Weight * bm25Score(r.bm25)) / (1 + MATCH_FUSION.bm25Weight);
  };
  const withScores = rows.map((r) => ({ ...r, blend: blend(r) }));
  let ordered: typeof withScores;
  if (MATCH_FUSION.method === "blend" || MATCH_FUSION.use !== "both") {
    ordered = [...withScores].sort((x, y) => y.blend - x.blend || y.concept.relevance - x.concept.relevance);
  } else {
    const lists: RankedList[] = [
      {
        name: "concept",
        weight: FUSION_TUNING.concept,
        ids: [...withScores].sort((x, y) => y.concept.score - x.concept.score).map((r) => r.pa.achievement.id),
      },
      {
        name: "bm25",
        weight: FUSION_TUNING.bm25,
        ids: [...withScores].sort((x, y) => y.bm25 - x.bm25).map((r) => r.pa.achievement.id),
      },
    ];
    // Semantic list: its own order (vector similarity), among the candidates that passed the checks
    // and score as a match: lifted above better-scored ones, a candidate below the threshold would
    // cap their shown scores (never above the one before) and push them out.
    if (semanticIds?.length) {
      const passed = new Set(withScores.filter((r) => r.blend >= MATCH_MIN_SCORE).map((r) => r.pa.achievement.id));
      lists.push({ name: "semantic", weight: FUSION_TUNING.semantic, ids: semanticIds.filter((id) => passed.has(id)) });
    }
    const fused = reciprocalRankFusion(lists);
    ordered = [...withScores].sort(
      (x, y) => (fused.get(y.pa.achievement.id) ?? 0) - (fused.get(x.pa.achievement.id) ?? 0) || y.blend - x.blend,
    );
  }
  // A candidate is a match when its blended score reaches the threshold (order() applies it).
  const eligible = ordered;
  // The score shown reads in the list's order: never above the one before it.
  let cap = 1;
  return eligible.map((r) => {
    const score = Math.round(Math.min(cap, r.blend) * 1000) / 1000;
    cap = score;
    return { item: r.pa.achievement, ...r.concept, score, bm25: Math.round(r.bm25 * 1000) / 1000 };
  });
}

/** The achievements that can solve this demand, best first. */
export async function matchDemand(d: MatchDemand, opts: MatchOptions = {}): Promise<Match<MatchAchievement>[]> {
  if (d.transactionModes.length === 0) return [];
  const base = { lexicon: opts.lexicon ?? synonymLexicon(), vocabulary: opts.vocabulary ?? EMPTY_VOCABULARY };
  const side = await demandSide(prepareDemand(d, base), base, opts);
  return order(side.scored, opts);
}

/** How far below the threshold a demand may score in the first pass and still be scored in its own context. */
const SHORTLIST_MARGIN = 0.1;
const SHORTLIST_EXTRA = 5;

/**
 * The demands this achievement could serve, best first. A first pass scores the candidate demands
 * among themselves (concept score and BM25 of the achievement's words among the demands); the best
 * of them are then matched as their own demand page matches them, so one pair has one score. A
 * demand whose own matching does not find this achievement is not its match either.
 */
export async function matchAchievement(a: MatchAchievement, opts: MatchOptions = {}): Promise<Match<MatchDemand>[]> {
  if (a.transactionModes.length === 0) return [];
  if (!satisfiesHardConstraints({ transactionModes: a.transactionModes, minTrl: null }, a)) return [];
  const base = { lexicon: opts.lexicon ?? synonymLexicon(), vocabulary: opts.vocabulary ?? EMPTY_VOCABULARY };
  const pa = prepareAchievement(a, base);
  const expand = expander(base.lexicon);
  const [ready, achievements] = await Promise.all([loadCorpus("demand", opts), loadCorpus("achievement", opts)]);
  // Rarity is among the achievements, whichever side asks.
  const specificity = achievements
    ? corpusSpecificity(achievements, base.lexicon)
    : await specificityOf(
        pa.terms.map((t) => t.canonical),
        opts,
      );
  const bm25 = ready ? bm25Queries(queryOf(queryZones(a), ready.stats, ready.canonical, expand), ready) : [];
  const [hits, semantic] = await Promise.all([
    retrieve("demand", [...queryTexts(pa.terms, specificity, a), ...bm25], demandFilter(a), opts),
    // Semantic list (EMBEDDINGS_URL): more candidate demands; each is then matched on its own side.
    semanticCandidates("demand", semanticText(a), demandFilter(a), SEMANTIC_LIMIT, opts),
  ]);
  const candidates = withSemantic(hits, semantic).map((h) => prepareDemand(demandFromHit(h), base));
  const corpus = ready ?? buildCorpus(candidates.map((c) => demandZones(c.demand)));
  const q = queryOf(queryZones(a), corpus.stats, corpus.canonical, expand);
  const more = achievements
    ? specificity
    : await specificityOf(
        candidates.flatMap((c) => c.terms.map((t) => t.canonical)),
        opts,
      );
  const firstPass = { ...base, specificity: more, bigramWeights: localBigramWeights(candidates.map((c) => c.zoned)) };
  const min = opts.minScore ?? MATCH_MIN_SCORE;
  const shortlist = candidates
    .filter((pd) => satisfiesHardConstraints(pd.demand, a))
    .map((pd) => {
      const concept = scorePair(pd, pa, firstPass).score;
      const bm25 = relevance(q, candidateBag(pd.demand.id, demandZones(pd.demand), corpus), corpus.stats);
      return { pd, first: (concept + MATCH_FUSION.bm25Weight * bm25Score(bm25)) / (1 + MATCH_FUSION.bm25Weight) };
    })
    .filter((x) => x.first >= min - SHORTLIST_MARGIN)
    .sort((x, y) => y.first - x.first)
    .slice(0, (opts.limit ?? 10) + SHORTLIST_EXTRA);
  const sides = await Promise.all(shortlist.map((x) => demandSide(x.pd, base, opts)));
  const scored: Match<MatchDemand>[] = [];
  for (const side of sides) {
    const own = side.scored.find((m) => m.item.id === a.id);
    if (!own) continue;
    const { item: _achievement, ...score } = own;
    scored.push({ ...score, item: side.pd.demand });
  }
  return order(
    scored.sort((x, y) => y.score - x.score || y.relevance - x.relevance),
    opts,
  );
}
