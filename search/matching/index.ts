import type { Meilisearch } from "meilisearch";
import { achievementFilter, achievementFromHit, demandFilter, demandFromHit, queryTexts } from "./queries.ts";
import { loadSpecificity, retrieve, synonymLexicon } from "./retrieve.ts";
import type { Lexicon } from "./terms.ts";
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

function rank<T>(scored: Match<T>[], opts: MatchOptions): Match<T>[] {
  const min = opts.minScore ?? MATCH_MIN_SCORE;
  return scored
    .filter((m) => m.score >= min)
    .sort((x, y) => y.score - x.score || y.relevance - x.relevance)
    .slice(0, opts.limit ?? 10);
}

/**
 * The specificity of every word a pair's score reads. All of them are fetched (cached after): a
 * word left at the default would score the same pair differently depending on what else was
 * asked before (issue 13 point 15).
 */
function specificityOf(words: string[], opts: MatchOptions) {
  return loadSpecificity(words, { client: opts.client, signal: opts.signal, maxFetch: Number.POSITIVE_INFINITY });
}

/**
 * One demand's side of its pairs: its prepared terms, its candidate achievements and the local
 * bigram weights over them. A pair's score is always computed in this context, whichever side
 * asks, so the demand page, the achievement page, the API and the notification agree.
 */
interface DemandSide {
  pd: PreparedDemand;
  candidates: PreparedAchievement[];
  ctx: PairContext;
}

async function demandSide(
  pd: PreparedDemand,
  base: Omit<PairContext, "specificity" | "bigramWeights">,
  opts: MatchOptions,
): Promise<DemandSide> {
  const d = pd.demand;
  const specificity = await specificityOf(
    pd.terms.map((t) => t.canonical),
    opts,
  );
  const hits = await retrieve("achievement", queryTexts(pd.terms, specificity, d), achievementFilter(d), opts);
  const candidates = hits.map((h) => prepareAchievement(achievementFromHit(h), base));
  // The achievements' own core words count too: their rarity, asked together, from the cache after.
  const more = await specificityOf(
    candidates.flatMap((c) => c.terms.map((t) => t.canonical)),
    opts,
  );
  return { pd, candidates, ctx: { ...base, specificity: more, bigramWeights: localBigramWeights(candidates.map((c) => c.zoned)) } };
}

/** The achievements that can solve this demand, best first. */
export async function matchDemand(d: MatchDemand, opts: MatchOptions = {}): Promise<Match<MatchAchievement>[]> {
  if (d.transactionModes.length === 0) return [];
  const base = { lexicon: opts.lexicon ?? synonymLexicon(), vocabulary: opts.vocabulary ?? EMPTY_VOCABULARY };
  const side = await demandSide(prepareDemand(d, base), base, opts);
  const scored: Match<MatchAchievement>[] = [];
  for (const pa of side.candidates) {
    // The filter already said so; checked again so that no stale or odd document slips through.
    if (!satisfiesHardConstraints(d, pa.achievement)) continue;
    scored.push({ item: pa.achievement, ...scorePair(side.pd, pa, side.ctx) });
  }
  return rank(scored, opts);
}

/** How far below the threshold a demand may score in the first pass and still be scored in its own context. */
const SHORTLIST_MARGIN = 0.1;
const SHORTLIST_EXTRA = 5;

/**
 * The demands this achievement could serve, best first. A first pass scores the candidate demands
 * among themselves; the best of them are then scored as their own demand page scores them (their
 * candidates, their bigram weights), so one pair has one score. A demand whose own retrieval
 * does not find this achievement is not its match either.
 */
export async function matchAchievement(a: MatchAchievement, opts: MatchOptions = {}): Promise<Match<MatchDemand>[]> {
  if (a.transactionModes.length === 0) return [];
  if (!satisfiesHardConstraints({ transactionModes: a.transactionModes, minTrl: null }, a)) return [];
  const base = { lexicon: opts.lexicon ?? synonymLexicon(), vocabulary: opts.vocabulary ?? EMPTY_VOCABULARY };
  const pa = prepareAchievement(a, base);
  const specificity = await specificityOf(
    pa.terms.map((t) => t.canonical),
    opts,
  );
  const hits = await retrieve("demand", queryTexts(pa.terms, specificity, a), demandFilter(a), opts);
  const candidates = hits.map((h) => prepareDemand(demandFromHit(h), base));
  const more = await specificityOf(
    candidates.flatMap((c) => c.terms.map((t) => t.canonical)),
    opts,
  );
  const firstPass = { ...base, specificity: more, bigramWeights: localBigramWeights(candidates.map((c) => c.zoned)) };
  const min = opts.minScore ?? MATCH_MIN_SCORE;
  const shortlist = candidates
    .filter((pd) => satisfiesHardConstraints(pd.demand, a))
    .map((pd) => ({ pd, first: scorePair(pd, pa, firstPass) }))
    .filter((x) => x.first.score >= min - SHORTLIST_MARGIN)
    .sort((x, y) => y.first.score - x.first.score)
    .slice(0, (opts.limit ?? 10) + SHORTLIST_EXTRA);
  const sides = await Promise.all(shortlist.map((x) => demandSide(x.pd, base, opts)));
  const scored: Match<MatchDemand>[] = [];
  for (const side of sides) {
    const own = side.candidates.find((c) => c.achievement.id === a.id);
    if (!own) continue;
    scored.push({ item: side.pd.demand, ...scorePair(side.pd, own, side.ctx) });
  }
  return rank(scored, opts);
}
