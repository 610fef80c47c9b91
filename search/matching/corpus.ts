import type { Meilisearch } from "meilisearch";
import type mongoose from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { PUBLIC_STATUSES } from "~/utils/listing-workflow.ts";
import { indexName, meili } from "../client.ts";
import { INDEXES } from "../settings.ts";
import { TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { bagOf, BM25_TUNING, idf, StatsBuilder, type Bag, type CorpusStats, type Query, type WeightedText } from "./bm25.ts";
import { SOLD_STATUSES, specificityFromCounts, type MatchAchievement, type MatchDemand, type Specificity } from "./score.ts";
import { normalize, type Lexicon } from "./terms.ts";
import { synonymLexicon } from "./retrieve.ts";
import { addWords, normalForm, segmenterVersion } from "./text.ts";
import { canonicalWriting, VariantIndex } from "./variants.ts";

/**
 * The second retriever's view of the whole index (I/O): BM25's corpus statistics and the written
 * variants found among the index's words, built from the public listings in MongoDB (what the
 * index holds; read with a cursor, cut in slices so requests keep being served) and kept per
 * process. They are rebuilt when the index's
 * document count changes (checked at most every few seconds): at once for a small index, in the
 * background for a large one (the old statistics answer meanwhile — a document-frequency a few
 * minutes old changes a ranking very little, as in any search engine whose statistics lag behind
 * its deletions). Each app instance keeps its own copy, so instances scale out independently.
 */

export interface Corpus {
  stats: CorpusStats;
  /** a word → its established writing among the variants the index and the query use */
  canonical: (word: string) => string;
  docCount: number;
  builtAt: number;
  /** the achievements corpus only: which documents use each word, for retrieval without Meilisearch */
  postings?: Postings;
}

/**
 * Word postings of the achievements, with what the hard constraints read. Typed arrays: at 100,000
 * listings of a few hundred words each, some tens of MB.
 */
export interface Postings {
  ids: string[];
  /** bit i set: offers TRANSACTION_MODES[i] */
  modes: Uint8Array;
  trl: Uint8Array;
  /** 1: sold (SOLD_STATUSES), never a match */
  sold: Uint8Array;
  byWord: Map<string, Int32Array>;
}

const MODE_BITS = new Map<string, number>(TRANSACTION_MODES.map((m, i) => [m, 1 << i]));
const modeMask = (modes: readonly string[]) => modes.reduce((m, x) => m | (MODE_BITS.get(x) ?? 0), 0);

type Kind = "achievement" | "demand";

/** A listing's texts and their field weights, as a document (what is ranked). */
export function achievementZones(a: Pick<MatchAchievement, "title" | "keywords" | "summary" | "description">): WeightedText[] {
  return [
    { text: a.title, weight: BM25_TUNING.title },
    { text: a.keywords.join("，"), weight: BM25_TUNING.keywords },
    { text: a.summary, weight: BM25_TUNING.summary },
    { text: a.description, weight: BM25_TUNING.description },
  ];
}

export function demandZones(d: Pick<MatchDemand, "title" | "keywords" | "description">): WeightedText[] {
  return [
    { text: d.title, weight: BM25_TUNING.title },
    { text: d.keywords.join("，"), weight: BM25_TUNING.keywords },
    { text: d.description, weight: BM25_TUNING.description },
  ];
}

/** The same texts as a query: title and keywords weigh double the description. */
export function queryZones(x: { title: string; keywords: string[]; description: string; summary?: string }): WeightedText[] {
  return [
    { text: x.title, weight: 2 },
    { text: x.keywords.join("，"), weight: 2 },
    { text: x.summary ?? "", weight: 1.5 },
    { text: x.description, weight: 1 },
  ];
}

const FIELDS: Record<Kind, string[]> = {
  achievement: ["id", "title", "keywords", "summary", "description", "transactionModes", "trl", "status"],
  demand: ["id", "title", "keywords", "description"],
};
const str = (v: unknown) => (typeof v === "string" ? v : "");
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

function zonesOfDocument(kind: Kind, d: Record<string, unknown>): WeightedText[] {
  return kind === "achievement"
    ? achievementZones({ title: str(d.title), keywords: strs(d.keywords), summary: str(d.summary), description: str(d.description) })
    : demandZones({ title: str(d.title), keywords: strs(d.keywords), description: str(d.description) });
}

/** Statistics and variants of a set of documents' texts (pure; the tests, the bench and the fallback call it). */
export function buildCorpus(documents: Iterable<WeightedText[]>): Corpus {
  const builder = new StatsBuilder();
  for (const zones of documents) builder.add(bagOf(zones));
  const stats = builder.build();
  return finishCorpus(stats, stats.n);
}

/** The written variants among the corpus's words, their document frequencies added up under the established writing. */
function finishCorpus(stats: CorpusStats, docCount: number): Corpus {
  const variants = new VariantIndex();
  for (const w of stats.df.words.keys()) variants.add(w);
  const memo = new Map<string, string>();
  const canonical = (word: string) => {
    let c = memo.get(word);
    if (c === undefined) {
      const others = variants.variantsOf(word);
      c = others.length ? canonicalWriting([word, ...others]) : word;
      if (memo.size < 200_000) memo.set(word, c);
    }
    return c;
  };
  const words = stats.df.words;
  for (const [w, n] of [...words]) {
    const c = canonical(w);
    if (c !== w) words.set(c, (words.get(c) ?? 0) + n);
  }
  return { stats, canonical, docCount, builtAt: Date.now() };
}

/** Documents cut per slice before the event loop gets its turn (a large corpus must not stall requests). */
const SLICE = 300;

/** The public listings' texts from MongoDB (what the index holds), cut in slices. */
async function fetchCorpus(kind: Kind): Promise<Corpus> {
  // The vocabulary's words are words to the segmenter before any listing is cut (烂根 stays whole).
  addWords(synonymLexicon().groups.flat());
  const Model = (kind === "achievement" ? Achievement : Demand) as unknown as mongoose.Model<Record<string, unknown>>;
  const fields = Object.fromEntries(FIELDS[kind].filter((f) => f !== "id").map((f) => [f, 1]));
  const builder = new StatsBuilder();
  const ids: string[] = [];
  const modes: number[] = [];
  const trl: number[] = [];
  const sold: number[] = [];
  const byWord = new Map<string, number[]>();
  let slice = 0;
  for await (const d of Model.find({ status: { $in: PUBLIC_STATUSES } }, fields)
    .lean()
    .cursor({ batchSize: 2000 })) {
    const bag = bagOf(zonesOfDocument(kind, d as Record<string, unknown>));
    builder.add(bag);
    if (kind === "achievement") {
      const i = ids.length;
      ids.push(String(d._id));
      modes.push(modeMask(strs(d.transactionModes)));
      trl.push(typeof d.trl === "number" ? d.trl : 0);
      sold.push(SOLD_STATUSES.includes(str(d.status)) ? 1 : 0);
      for (const w of bag.tf.words.keys()) {
        const list = byWord.get(w);
        if (list) list.push(i);
        else byWord.set(w, [i]);
      }
    }
    if (++slice % SLICE === 0) await new Promise((r) => setImmediate(r));
  }
  const stats = builder.build();
  const corpus = finishCorpus(stats, stats.n);
  if (kind === "achievement") {
    // Variants share one posting list under the established writing, as they share a frequency.
    const merged = new Map<string, number[]>();
    for (const [w, list] of byWord) {
      const c = corpus.canonical(w);
      const into = merged.get(c);
      if (into) into.push(...list);
      else merged.set(c, list);
    }
    const compact = new Map<string, Int32Array>();
    for (const [w, list] of merged) compact.set(w, Int32Array.from(new Set(list)));
    corpus.postings = { ids, modes: Uint8Array.from(modes), trl: Uint8Array.from(trl), sold: Uint8Array.from(sold), byWord: compact };
  }
  return corpus;
}

/** At most this share of the corpus may use a word for it to be used in retrieval (its postings are long and say little). */
export const RETRIEVAL_LIMITS = { maxDfShare: 0.2 };

/**
 * BM25's own retrieval, in memory: the documents that use the query's most telling words, by the
 * sum of weight × IDF of the words they use, restricted by the hard constraints. Ids, best first.
 */
export function retrieveByWords(
  corpus: Corpus,
  q: Query,
  constraints: { transactionModes: readonly string[]; minTrl: number | null },
  opts: { words: number; limit: number },
  /** more words to retrieve by (the concept matcher's terms and their groups), with their weights */
  extra: Map<string, number> = new Map(),
): string[] {
  const p = corpus.postings;
  if (!p) return [];
  const n = p.ids.length;
  const weights = new Map(q.weights.words);
  for (const [w, x] of extra) {
    const c = corpus.canonical(normalForm(w));
    weights.set(c, Math.max(weights.get(c) ?? 0, x));
  }
  const words = [...weights]
    .map(([w, qw]) => ({ list: p.byWord.get(w), weight: qw * idf(corpus.stats, "words", w) }))
    .filter((x): x is { list: Int32Array; weight: number } => !!x.list && x.list.length <= Math.max(50, n * RETRIEVAL_LIMITS.maxDfShare))
    .sort((x, y) => y.weight - x.weight)
    .slice(0, opts.words);
  const acc = new Float32Array(n);
  const touched: number[] = [];
  for (const { list, weight } of words) {
    for (const i of list) {
      if (acc[i] === 0) touched.push(i);
      acc[i] += weight;
    }
  }
  const wanted = modeMask(constraints.transactionModes);
  const minTrl = constraints.minTrl ?? 0;
  return touched
    .filter((i) => (p.modes[i]! & wanted) !== 0 && p.trl[i]! >= minTrl && p.sold[i] === 0)
    .sort((x, y) => acc[y]! - acc[x]!)
    .slice(0, opts.limit)
    .map((i) => p.ids[i]!);
}

/** Up to this many documents the statistics are rebuilt before answering; above, in the background. */
const SYNC_REBUILD_MAX = 3000;
const COUNT_CHECK_MS = 3000;
const LARGE_REBUILD_EVERY_MS = 60_000;

interface Slot {
  corpus: Corpus | null;
  /** the index's document count and newest edit when the corpus was built */
  signature: string;
  checkedAt: number;
  building: Promise<Corpus> | null;
}
const slots = new Map<string, Slot>();

/** Forget the statistics (tests, after bulk changes). */
export function clearCorpusCache(): void {
  slots.clear();
  bagCache.clear();
}

/**
 * The corpus of one index, fresh as described above; null while a large index's first statistics
 * are still being built (the caller then uses its candidates' own statistics).
 */
export async function loadCorpus(kind: Kind, opts: { client?: Meilisearch } = {}): Promise<Corpus | null> {
  const client = opts.client ?? meili();
  const uid = indexName(INDEXES[kind]);
  let slot = slots.get(uid);
  if (!slot) slots.set(uid, (slot = { corpus: null, signature: "", checkedAt: 0, building: null }));
  const s = slot;
  const rebuild = (signature: string) =>
    (s.building ??= fetchCorpus(kind)
      .then((c) => {
        s.corpus = c;
        s.signature = signature;
        return c;
      })
      .finally(() => {
        s.building = null;
      }));
  const now = Date.now();
  // A small corpus is checked at every call (two cheap reads), a large one every few seconds.
  if (s.corpus && s.corpus.docCount > SYNC_REBUILD_MAX && now - s.checkedAt < COUNT_CHECK_MS) return s.corpus;
  if (s.building && !s.corpus) return null;
  s.checkedAt = now;
  // What changed: the index's document count (publications, withdrawals) and the newest edit.
  const Model = (kind === "achievement" ? Achievement : Demand) as unknown as mongoose.Model<{ updatedAt?: Date }>;
  const [{ numberOfDocuments }, newest] = await Promise.all([
    client.index(uid).getStats(),
    Model.findOne({}, { updatedAt: 1 }).sort({ updatedAt: -1 }).lean(),
  ]);
  // …and whether the segmenter learned new vocabulary words since (they must become words in the postings).
  const signature = `${numberOfDocuments}:${newest?.updatedAt ? new Date(newest.updatedAt).getTime() : 0}:${segmenterVersion()}`;
  if (s.corpus && signature === s.signature) return s.corpus;
  if (numberOfDocuments <= SYNC_REBUILD_MAX) return rebuild(signature);
  // A large index: in the background, at most once a minute; the old statistics answer meanwhile.
  if (!s.corpus || now - s.corpus.builtAt > LARGE_REBUILD_EVERY_MS) rebuild(signature).catch(() => {});
  return s.corpus;
}

/** What /healthz says of matching's statistics: documents counted and when, per kind; null while not built. */
export function corpusStatus(): Record<Kind, { documents: number; builtAt: string } | null> {
  const of = (kind: Kind) => {
    const c = slots.get(indexName(INDEXES[kind]))?.corpus;
    return c ? { documents: c.docCount, builtAt: new Date(c.builtAt).toISOString() } : null;
  };
  return { achievement: of("achievement"), demand: of("demand") };
}

/** Start building both corpora (the search worker calls it once the indexes are ready). */
export function warmCorpora(): void {
  for (const kind of ["achievement", "demand"] as const) loadCorpus(kind).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// Bags of the candidates, remembered (most recently used first out)

const BAG_CACHE_MAX = 20_000;
const bagCache = new Map<string, Bag>();

/** The bag of a candidate, from its texts; cached by id and content, per corpus (variants depend on it). */
export function candidateBag(id: string, zones: WeightedText[], corpus: Corpus): Bag {
  const key = `${corpus.builtAt}:${id}:${zones.map((z) => `${z.text.length}:${z.text.slice(0, 32)}`).join("|")}`;
  const hit = bagCache.get(key);
  if (hit) {
    bagCache.delete(key);
    bagCache.set(key, hit);
    return hit;
  }
  const bag = bagOf(zones, corpus.canonical);
  bagCache.set(key, bag);
  if (bagCache.size > BAG_CACHE_MAX) bagCache.delete(bagCache.keys().next().value!);
  return bag;
}

// ---------------------------------------------------------------------------------------------
// Specificity from the corpus (the concept matcher's word rarity, without asking Meilisearch)

/** How many documents use a word: as a segmenter word, else as a bigram, else at most its rarest bigram's count. */
function documentsWith(corpus: Corpus, word: string): number {
  const { df } = corpus.stats;
  const w = df.words.get(corpus.canonical(word));
  if (w !== undefined) return w;
  if (word.length === 2) return df.bigrams.get(word) ?? 0;
  if (word.length === 1) return df.chars.get(word) ?? 0;
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i + 1 < word.length; i++) min = Math.min(min, df.bigrams.get(word.slice(i, i + 2)) ?? 0);
  return Number.isFinite(min) ? min : 0;
}

/**
 * The concept matcher's specificity (score.ts) from the corpus statistics: a concept's document
 * count is that of its words together (capped at the corpus size) — the same question the
 * Meilisearch hit counts answer, from memory.
 */
export function corpusSpecificity(corpus: Corpus, lexicon: Lexicon): Specificity {
  const memo = new Map<string, number>();
  const count = (canonical: string) => {
    let n = memo.get(canonical);
    if (n === undefined) {
      const key = normalize(canonical);
      const groups = lexicon.groupsOf.get(key);
      const words = new Set(groups ? groups.flatMap((g) => lexicon.groups[g]!) : [key]);
      n = 0;
      for (const w of words) n += documentsWith(corpus, normalForm(w));
      n = Math.min(n, corpus.stats.n);
      memo.set(canonical, n);
    }
    return n;
  };
  return {
    of: (term) => specificityFromCounts(count(term.canonical), corpus.stats.n),
    count: (term) => count(term.canonical),
  };
}
