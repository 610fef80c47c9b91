import type { MatchReason } from "~/utils/match-reasons.ts";
import { normalize, termsOf, type Lexicon, type Term, type Zone } from "./terms.ts";

/**
 * Matching, step two (pure): the score of a demand–achievement pair, 0–1, and its reasons. The
 * demand's terms, weighted by place and specificity, are looked up with their synonyms in the
 * achievement; the covered share, how much of the achievement's own core the demand mentions and
 * an IDF-weighted overlap of character bigrams make the relevance; same field, price within
 * budget and TRL add small bonuses or penalties. The hard constraints are checked here too. No
 * I/O: specificity comes in as counts (retrieve.ts asks Meilisearch for them).
 */

export type { MatchReason };

// ---------------------------------------------------------------------------------------------
// What is matched (money in yuan, as in the search index)

export interface MatchDemand {
  id: string;
  externalId: string | null;
  title: string;
  description: string;
  keywords: string[];
  field: string;
  transactionModes: string[];
  minTrl: number | null;
  budgetMax: number | null;
}

export interface MatchAchievement {
  id: string;
  externalId: string | null;
  title: string;
  summary: string;
  description: string;
  keywords: string[];
  field: string;
  trl: number;
  transactionModes: string[];
  priceMode: string;
  price: number | null;
  /** the listing's status when known: a sold achievement (see SOLD_STATUSES) matches nothing */
  status?: string;
}

export interface PairScore {
  score: number;
  relevance: number;
  reasons: MatchReason[];
  /** the second retriever's relevance of the pair, 0–1 (index.ts), for the quality harness */
  bm25?: number;
  /** the parts of the relevance, for the quality harness */
  parts?: { demandCovered: number; achievementCovered: number; bigrams: number; specificHit: number };
}

export interface Match<T> extends PairScore {
  item: T;
}

/** Pairs at or above this score are shown as matches. */
export const MATCH_MIN_SCORE = 0.25;

// ---------------------------------------------------------------------------------------------
// Hard constraints

/**
 * Achievements already sold (a deal closed, a contract signed or registered): public, but no longer
 * on offer, so never a match.
 */
export const SOLD_STATUSES: readonly string[] = ["deal", "contracted", "registered"];

/** Demands already solved (已解决): public, but asking for nothing any more, so never a match. */
export const SOLVED_STATUSES: readonly string[] = ["solved"];

/**
 * The achievement offers a mode the demand accepts, reaches the demand's minimum maturity (the
 * demand form promises "只接受达到该成熟度的成果": a hard rule, no near misses) and is not sold.
 */
export function satisfiesHardConstraints(
  d: Pick<MatchDemand, "transactionModes" | "minTrl">,
  a: Pick<MatchAchievement, "transactionModes" | "trl" | "status">,
): boolean {
  if (!a.transactionModes.some((m) => d.transactionModes.includes(m))) return false;
  if (d.minTrl != null && a.trl < d.minTrl) return false;
  if (a.status != null && SOLD_STATUSES.includes(a.status)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Specificity: how rare a concept is among the achievements (an IDF from Meilisearch hit counts)

export interface Specificity {
  /** 0–1: 1 for a word almost no achievement uses, near 0 for one nearly all use */
  of(term: Pick<Term, "canonical">): number;
  /** how many achievements use it (with its synonyms); null when not known */
  count(term: Pick<Term, "canonical">): number | null;
}

/** A count of achievements using a word, out of all of them, as a specificity 0.15–1. */
export function specificityFromCounts(df: number, total: number): number {
  const n = Math.max(total, 1);
  const idf = Math.log((n + 1) / (Math.min(df, n) + 0.5)) / Math.log((n + 1) / 0.5);
  return 0.15 + 0.85 * Math.max(0, Math.min(1, idf));
}

// ---------------------------------------------------------------------------------------------
// Scoring a pair

/** How much a match counts by where the other listing says it. */
const MATCH_WEIGHT: Record<Zone, number> = { keywords: 1, title: 1, summary: 0.8, description: 0.6 };

export interface Zoned {
  zones: [Zone, string][];
  all: string;
  core: string;
}

function zonedAchievement(a: MatchAchievement): Zoned {
  const zones: [Zone, string][] = [
    ["title", normalize(a.title)],
    ["keywords", normalize(a.keywords.join(" | "))],
    ["summary", normalize(a.summary ?? "")],
    ["description", normalize(a.description ?? "")],
  ];
  return { zones, all: zones.map((z) => z[1]).join(" | "), core: `${zones[0]![1]} | ${zones[1]![1]} | ${zones[2]![1]}` };
}

function zonedDemand(d: MatchDemand): Zoned {
  const zones: [Zone, string][] = [
    ["title", normalize(d.title)],
    ["keywords", normalize(d.keywords.join(" | "))],
    ["description", normalize(d.description ?? "")],
  ];
  return { zones, all: zones.map((z) => z[1]).join(" | "), core: `${zones[0]![1]} | ${zones[1]![1]}` };
}

/** Where (and as which word) a term appears in the other listing; null when it does not. */
function locate(term: Term, other: Zoned): { weight: number; word: string } | null {
  let best: { weight: number; word: string } | null = null;
  for (const [zone, text] of other.zones) {
    const w = MATCH_WEIGHT[zone];
    if (best && best.weight >= w) continue;
    // The listing's own word first, so the reason names it when both sides use it.
    const word = text.includes(term.label) ? term.label : term.words.find((x) => text.includes(x));
    if (word) best = { weight: w, word };
  }
  return best;
}

function bigrams(s: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < s.length; i++) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    // CJK Unified Ideographs (the Han characters of these texts)
    if (a >= 0x4e00 && a <= 0x9fff && b >= 0x4e00 && b <= 0x9fff) out.add(s.slice(i, i + 2));
  }
  return out;
}

const allBigrams = new WeakMap<Zoned, Set<string>>();
/** The bigrams of a listing's whole text, computed once per prepared listing. */
function bigramsOf(z: Zoned): Set<string> {
  let set = allBigrams.get(z);
  if (!set) allBigrams.set(z, (set = bigrams(z.all)));
  return set;
}

/** Share of the demand's core bigrams (title, keywords) found in the achievement's core. */
function bigramOverlap(d: Zoned, a: Zoned): number {
  const db = bigrams(d.core);
  if (db.size === 0) return 0;
  const ab = bigrams(a.core);
  let n = 0;
  for (const b of db) if (ab.has(b)) n++;
  return n / db.size;
}

/**
 * Character bigrams weighted by how rare they are among the candidates (a local IDF): what the
 * candidates all share (the crop that retrieved them) says little, a rarer shared pair (烤房, 煤)
 * says more. Catches overlaps no dictionary knows.
 */
export interface BigramWeights {
  idf(b: string): number;
}

export function localBigramWeights(listings: Zoned[]): BigramWeights {
  const df = new Map<string, number>();
  for (const z of listings) for (const b of bigramsOf(z)) df.set(b, (df.get(b) ?? 0) + 1);
  const n = listings.length;
  return {
    idf: (b) => {
      const k = df.get(b) ?? 0;
      return k === 0 ? 0 : Math.log((n + 1) / (k + 0.5));
    },
  };
}

/** Weighted share of the demand's bigrams (whole text) that the achievement's whole text has. */
function weightedBigramOverlap(d: Zoned, a: Zoned, w: BigramWeights): number {
  let total = 0;
  let shared = 0;
  const ab = bigramsOf(a);
  for (const b of bigramsOf(d)) {
    const x = w.idf(b);
    total += x;
    if (ab.has(b)) shared += x;
  }
  return total > 0 ? shared / total : 0;
}

/** Knobs of the relevance (exported for the quality harness's experiments). */
export const TUNING = {
  demandCovered: 0.6,
  achievementCovered: 0.15,
  bigrams: 0.25,
  /** weight of a demand term no achievement uses, in the share's denominator */
  unusedTermWeight: 0.5,
  /** "core": unweighted share of title/keyword bigrams; "local": local-IDF share over whole texts */
  bigramMode: "local" as "core" | "local",
  specificHitMin: 0.3,
  fieldBonus: 0.04,
  exponent: 0.5,
};

export interface PairContext {
  lexicon: Lexicon;
  vocabulary: ReadonlySet<string>;
  specificity: Specificity;
  /** local IDF of character bigrams over the candidates (see localBigramWeights) */
  bigramWeights?: BigramWeights;
}

/** The prepared side of a pair, reused across its candidates. */
export interface PreparedDemand {
  demand: MatchDemand;
  terms: Term[];
  zoned: Zoned;
}
export interface PreparedAchievement {
  achievement: MatchAchievement;
  /** the achievement's core terms: keywords, title, summary */
  terms: Term[];
  zoned: Zoned;
}

export function prepareDemand(d: MatchDemand, ctx: Pick<PairContext, "lexicon" | "vocabulary">): PreparedDemand {
  return { demand: d, terms: cachedTerms("d", d, ctx, () => termsOf(d, ctx.lexicon, ctx.vocabulary)), zoned: zonedDemand(d) };
}

export function prepareAchievement(a: MatchAchievement, ctx: Pick<PairContext, "lexicon" | "vocabulary">): PreparedAchievement {
  const terms = cachedTerms("a", a, ctx, () =>
    termsOf({ keywords: a.keywords, title: a.title, summary: a.summary, description: "" }, ctx.lexicon, ctx.vocabulary, 12),
  );
  return { achievement: a, terms, zoned: zonedAchievement(a) };
}

/**
 * The terms of the candidates, remembered (most recently used first out) per lexicon and
 * vocabulary: finding terms costs ~0.2 ms a listing, and the same listings come back often.
 */
const TERMS_CACHE_MAX = 20_000;
const termsCaches = new WeakMap<Lexicon, WeakMap<ReadonlySet<string>, Map<string, Term[]>>>();

function cachedTerms(
  kind: "a" | "d",
  item: { id: string; title: string; keywords: string[] } & ({ summary: string } | { description: string }),
  ctx: Pick<PairContext, "lexicon" | "vocabulary">,
  make: () => Term[],
): Term[] {
  let byVocabulary = termsCaches.get(ctx.lexicon);
  if (!byVocabulary) termsCaches.set(ctx.lexicon, (byVocabulary = new WeakMap()));
  let cache = byVocabulary.get(ctx.vocabulary);
  if (!cache) byVocabulary.set(ctx.vocabulary, (cache = new Map()));
  const text = "summary" in item ? item.summary : item.description;
  // The content is part of the key, so an edited listing is never scored with its old terms.
  const key = `${kind}:${item.id}:${item.title}:${item.keywords.join("|")}:${text.length}:${text.slice(0, 64)}:${text.slice(-64)}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const terms = make();
  cache.set(key, terms);
  if (cache.size > TERMS_CACHE_MAX) cache.delete(cache.keys().next().value!);
  return terms;
}

/**
 * The score of one pair, 0–1, and why. It depends on the two listings and, through the bigram
 * weights, a little on the other candidates of the demand's query: matching (index.ts) always
 * scores a pair in its demand's context, so a pair has one score whichever side asks.
 */
export function scorePair(pd: PreparedDemand, pa: PreparedAchievement, ctx: PairContext): PairScore {
  const d = pd.demand;
  const a = pa.achievement;
  // What share of the demand (weighted by place and specificity) the achievement speaks to.
  let total = 0;
  let covered = 0;
  let specificHit = 0;
  const hits: { term: Term; word: string; weight: number }[] = [];
  for (const term of pd.terms) {
    // A word no achievement uses cannot tell achievements apart; it would only dilute the share.
    const unused = ctx.specificity.count(term) === 0;
    if (unused && TUNING.unusedTermWeight === 0) continue;
    const spec = ctx.specificity.of(term);
    const w = term.base * spec * (unused ? TUNING.unusedTermWeight : 1);
    total += w;
    const at = locate(term, pa.zoned);
    if (!at) continue;
    covered += w * at.weight;
    specificHit = Math.max(specificHit, spec * at.weight);
    hits.push({ term, word: at.word, weight: w * at.weight });
  }
  const demandCovered = total > 0 ? covered / total : 0;
  // What share of the achievement's core (keywords, title, summary) the demand mentions.
  let aTotal = 0;
  let aCovered = 0;
  for (const term of pa.terms) {
    const w = term.base * ctx.specificity.of(term);
    aTotal += w;
    const at = locate(term, pd.zoned);
    if (at) aCovered += w * (at.weight === MATCH_WEIGHT.description ? 0.85 : 1);
  }
  const achievementCovered = aTotal > 0 ? aCovered / aTotal : 0;
  const bigramShare =
    TUNING.bigramMode === "local" && ctx.bigramWeights
      ? weightedBigramOverlap(pd.zoned, pa.zoned, ctx.bigramWeights)
      : bigramOverlap(pd.zoned, pa.zoned);
  const e = TUNING.exponent;
  let relevance =
    TUNING.demandCovered * demandCovered ** e + TUNING.achievementCovered * achievementCovered ** e + TUNING.bigrams * bigramShare ** e;
  // Sharing only common words (三七, 种植) is not a match.
  if (specificHit < TUNING.specificHitMin) relevance *= 0.5;

  const reasons: MatchReason[] = [];
  for (const h of hits.sort((x, y) => y.weight - x.weight).slice(0, 3)) {
    reasons.push(h.word === h.term.label ? { code: "keyword", word: h.word } : { code: "keyword", word: h.word, via: h.term.label });
  }
  let bonus = 0;
  // Soft constraint: a fixed or auction price within the budget beats one above it; a
  // negotiable price is as good as one within it.
  if (a.priceMode === "negotiable" || a.price == null) {
    bonus += 0.04;
    reasons.push({ code: "negotiable" });
  } else if (d.budgetMax == null || a.price <= d.budgetMax) {
    bonus += 0.04;
    if (d.budgetMax != null) reasons.push({ code: "withinBudget" });
  } else {
    const over = d.budgetMax > 0 ? (a.price - d.budgetMax) / d.budgetMax : 1;
    bonus -= 0.02 + 0.03 * Math.min(1, over);
    reasons.push({ code: "overBudget" });
  }
  if (d.minTrl == null || a.trl >= d.minTrl) {
    bonus += 0.03;
    if (d.minTrl != null) reasons.push({ code: "trl", trl: a.trl, min: d.minTrl });
  } else {
    bonus -= 0.02;
    reasons.push({ code: "trlBelow", trl: a.trl, min: d.minTrl });
  }
  if (d.field === a.field) {
    bonus += TUNING.fieldBonus;
    reasons.push({ code: "field", field: d.field });
  }
  const modes = a.transactionModes.filter((m) => d.transactionModes.includes(m));
  if (modes.length) reasons.push({ code: "modes", modes });
  relevance = Math.min(1, relevance);
  const score = Math.max(0, Math.min(1, 0.89 * relevance + bonus));
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    score: r3(score),
    relevance: r3(relevance),
    reasons,
    parts: {
      demandCovered: r3(demandCovered),
      achievementCovered: r3(achievementCovered),
      bigrams: r3(bigramShare),
      specificHit: r3(specificHit),
    },
  };
}
