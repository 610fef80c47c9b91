import { normalForm, tokenize, type Tokens } from "./text.ts";

/**
 * The second retriever's ranker (pure, no I/O): BM25 over three kinds of token — segmenter words,
 * character bigrams, single characters (text.ts) — with field weights (BM25F: a word in the title
 * counts more than one in the description) and corpus statistics (document frequencies, average
 * lengths) that corpus.ts keeps. Written variants are one token (the `canonical` function maps 磨芋
 * to 魔芋), and the vocabulary's groups can expand a query word with its group's other words at a
 * lower weight.
 */

export type TokenKind = keyof Tokens;
export const TOKEN_KINDS: readonly TokenKind[] = ["words", "bigrams", "chars"];

/** A document's tokens: weighted term frequencies and weighted lengths per kind. */
export interface Bag {
  tf: Record<TokenKind, Map<string, number>>;
  len: Record<TokenKind, number>;
}

export interface CorpusStats {
  /** documents counted */
  n: number;
  avgLen: Record<TokenKind, number>;
  df: Record<TokenKind, Map<string, number>>;
}

export interface WeightedText {
  text: string;
  weight: number;
}

/** The knobs, chosen by cross-validation on the labelled set (bench/matching/run.ts --cv). */
export const BM25_TUNING = {
  k1: 1.2,
  b: 0.75,
  /** field weights of an achievement's texts */
  title: 3,
  keywords: 3,
  summary: 1.5,
  description: 1,
  /** how much each kind of token counts in the combined relevance */
  words: 0.3,
  bigrams: 0.3,
  chars: 0.4,
  /** weight of a word reached only through a vocabulary group, against the word itself */
  expansion: 0.5,
};

type Canonical = (word: string) => string;
const same: Canonical = (w) => w;

function emptyBag(): Bag {
  return { tf: { words: new Map(), bigrams: new Map(), chars: new Map() }, len: { words: 0, bigrams: 0, chars: 0 } };
}

/** The bag of a document's weighted zones. */
export function bagOf(zones: WeightedText[], canonical: Canonical = same): Bag {
  const bag = emptyBag();
  for (const z of zones) {
    if (!z.text || z.weight <= 0) continue;
    const t = tokenize(normalForm(z.text));
    for (const kind of TOKEN_KINDS) {
      const list = kind === "words" ? t.words.map(canonical) : t[kind];
      const m = bag.tf[kind];
      for (const tok of list) m.set(tok, (m.get(tok) ?? 0) + z.weight);
      bag.len[kind] += list.length * z.weight;
    }
  }
  return bag;
}

/** Corpus statistics from bags (every document counted once). */
export class StatsBuilder {
  private n = 0;
  private lenSum: Record<TokenKind, number> = { words: 0, bigrams: 0, chars: 0 };
  private df: Record<TokenKind, Map<string, number>> = { words: new Map(), bigrams: new Map(), chars: new Map() };

  add(bag: Bag): void {
    this.n++;
    for (const kind of TOKEN_KINDS) {
      this.lenSum[kind] += bag.len[kind];
      const df = this.df[kind];
      for (const tok of bag.tf[kind].keys()) df.set(tok, (df.get(tok) ?? 0) + 1);
    }
  }

  build(): CorpusStats {
    const avg = (k: TokenKind) => (this.n ? this.lenSum[k] / this.n : 1) || 1;
    return { n: this.n, avgLen: { words: avg("words"), bigrams: avg("bigrams"), chars: avg("chars") }, df: this.df };
  }
}

/** Inverse document frequency (BM25's, never negative); a token the corpus never saw is rare. */
export function idf(stats: CorpusStats, kind: TokenKind, tok: string): number {
  const df = Math.min(stats.df[kind].get(tok) ?? 0, stats.n);
  return Math.log(1 + (stats.n - df + 0.5) / (df + 0.5));
}

/** A query: the weight of each token per kind (a word's group words carry `expansion` weight). */
export interface Query {
  weights: Record<TokenKind, Map<string, number>>;
  /** the best possible score per kind (every token present, saturated): for a 0–1 relevance */
  ceiling: Record<TokenKind, number>;
}

/**
 * The query of a demand's (or an achievement's) texts. A token's weight is its strongest zone's
 * weight, a little more when it appears in several zones; words a vocabulary group links to the
 * query's words join at `expansion` times that weight.
 */
export function queryOf(
  zones: WeightedText[],
  stats: CorpusStats,
  canonical: Canonical = same,
  expand: (word: string) => string[] = () => [],
): Query {
  const weights: Record<TokenKind, Map<string, number>> = { words: new Map(), bigrams: new Map(), chars: new Map() };
  const put = (kind: TokenKind, tok: string, w: number) => {
    const m = weights[kind];
    const prev = m.get(tok) ?? 0;
    m.set(tok, prev === 0 ? w : Math.min(Math.max(prev, w) + 0.1 * Math.min(prev, w), 1.5 * Math.max(prev, w)));
  };
  for (const z of zones) {
    if (!z.text || z.weight <= 0) continue;
    const t = tokenize(normalForm(z.text));
    const seen = { words: new Set<string>(), bigrams: new Set<string>(), chars: new Set<string>() };
    for (const kind of TOKEN_KINDS) {
      const list = kind === "words" ? t.words.map(canonical) : t[kind];
      for (const tok of list) {
        if (seen[kind].has(tok)) continue;
        seen[kind].add(tok);
        put(kind, tok, z.weight);
      }
    }
  }
  if (BM25_TUNING.expansion > 0) {
    for (const [w, qw] of [...weights.words]) {
      for (const other of expand(w)) {
        const c = canonical(other);
        if (!weights.words.has(c)) put("words", c, qw * BM25_TUNING.expansion);
      }
    }
  }
  const k1 = BM25_TUNING.k1;
  const ceiling = { words: 0, bigrams: 0, chars: 0 };
  for (const kind of TOKEN_KINDS) {
    for (const [tok, w] of weights[kind]) ceiling[kind] += w * idf(stats, kind, tok) * (k1 + 1);
  }
  return { weights, ceiling };
}

/** BM25 of one kind of token. */
function scoreKind(q: Query, bag: Bag, stats: CorpusStats, kind: TokenKind): number {
  const { k1, b } = BM25_TUNING;
  const norm = k1 * (1 - b + (b * bag.len[kind]) / stats.avgLen[kind]);
  const tfs = bag.tf[kind];
  let s = 0;
  for (const [tok, w] of q.weights[kind]) {
    const tf = tfs.get(tok);
    if (!tf) continue;
    s += w * idf(stats, kind, tok) * ((tf * (k1 + 1)) / (tf + norm));
  }
  return s;
}

/**
 * The relevance of a document to a query, 0–1: per kind, the BM25 score over the best possible
 * one (every query token present and saturated), mixed by the kinds' weights.
 */
export function relevance(q: Query, bag: Bag, stats: CorpusStats): number {
  let sum = 0;
  let wsum = 0;
  for (const kind of TOKEN_KINDS) {
    const w = BM25_TUNING[kind];
    if (w <= 0 || q.ceiling[kind] <= 0) continue;
    sum += (w * scoreKind(q, bag, stats, kind)) / q.ceiling[kind];
    wsum += w;
  }
  return wsum > 0 ? sum / wsum : 0;
}

/** The query's words with the most weight × rarity first (for the retrieval queries). */
export function telling(q: Query, stats: CorpusStats, n: number): string[] {
  return [...q.weights.words]
    .map(([w, qw]) => [w, qw * idf(stats, "words", w)] as const)
    .filter(([w]) => (stats.df.words.get(w) ?? 0) > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([w]) => w);
}
