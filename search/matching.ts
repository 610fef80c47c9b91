import fs from "node:fs";
import type { Meilisearch, MultiSearchQuery } from "meilisearch";
import { indexName, meili } from "./client.ts";
import { INDEXES } from "./settings.ts";
import { loadSynonymGroups, SYNONYMS_FILE } from "./synonyms.ts";

/**
 * Matching demands (技术需求) with achievements (科技成果).
 *
 * An enterprise writes "老地块种三七烂根死苗"; a lab writes "三七根腐病生物防治菌剂". Matching has to
 * bridge that gap and stay explainable, so it works in two stages:
 *
 * 1. Retrieval (Meilisearch): the listing's concepts, ranked by place and specificity, make up to
 *    six queries sent in one multi-search — all main concepts at once in the researchers' words
 *    (each synonym group's first word), each of the next concepts alone (Meilisearch's "last"
 *    strategy keeps the first word of a query mandatory, so a document that matches only one
 *    decisive concept needs a query of its own), and the keywords as written. Words no
 *    achievement uses are left out. The hard constraints (a shared transaction mode, TRL ≥
 *    minTrl − 1) are Meilisearch filters. Before that, one `limit: 0` multi-search counts how many
 *    achievements use each concept (cached for half an hour), which gives its specificity.
 * 2. Scoring (here, in code): the demand's terms — dictionary words (synonym groups and the
 *    platform's keyword vocabulary), otherwise words of Intl.Segmenter — weighted by where they
 *    stand (keyword > title > description) and by how specific they are among the achievements,
 *    are looked up with their synonyms in the achievement's title, keywords, summary and
 *    description. The covered share, how much of the achievement's own core the demand mentions,
 *    and an IDF-weighted overlap of character bigrams (IDF over the candidates, so the crop that
 *    retrieved them all counts little; it catches overlaps no dictionary knows) make the
 *    relevance. Same field, price within budget and TRL add small bonuses or penalties; the hard
 *    constraints are checked again. Each pair gets a score in 0–1 and its reasons.
 */

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
}

export type MatchReason =
  | { code: "keyword"; word: string; via?: string }
  | { code: "field"; field: string }
  | { code: "withinBudget" }
  | { code: "overBudget" }
  | { code: "negotiable" }
  | { code: "trl"; trl: number; min: number }
  | { code: "trlBelow"; trl: number; min: number }
  | { code: "modes"; modes: string[] };

export interface PairScore {
  score: number;
  relevance: number;
  reasons: MatchReason[];
  /** the parts of the relevance, for the quality harness */
  parts?: { demandCovered: number; achievementCovered: number; bigrams: number; specificHit: number };
}

export interface Match<T> extends PairScore {
  item: T;
}

/** Pairs at or above this score are shown as matches. */
export const MATCH_MIN_SCORE = 0.25;
/** Pairs at or above this score are worth telling both owners about. */
export const NOTIFY_MIN_SCORE = 0.45;

// ---------------------------------------------------------------------------------------------
// Hard constraints

/** The achievement offers a mode the demand accepts, and its TRL is at most one below minTrl. */
export function satisfiesHardConstraints(
  d: Pick<MatchDemand, "transactionModes" | "minTrl">,
  a: Pick<MatchAchievement, "transactionModes" | "trl">,
): boolean {
  if (!a.transactionModes.some((m) => d.transactionModes.includes(m))) return false;
  if (d.minTrl != null && a.trl < d.minTrl - 1) return false;
  return true;
}

const quote = (s: string) => JSON.stringify(s);

/** The same constraints as a Meilisearch filter on the achievements index. */
export function achievementFilter(d: Pick<MatchDemand, "transactionModes" | "minTrl">): string[] {
  const f = [`transactionModes IN [${d.transactionModes.map(quote).join(", ")}]`];
  if (d.minTrl != null) f.push(`trl >= ${d.minTrl - 1}`);
  return f;
}

/** …and on the demands index, seen from an achievement. */
export function demandFilter(a: Pick<MatchAchievement, "transactionModes" | "trl">): string[] {
  return [
    `transactionModes IN [${a.transactionModes.map(quote).join(", ")}]`,
    `(minTrl IS NULL OR minTrl NOT EXISTS OR minTrl <= ${a.trl + 1})`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Lexicon: the synonym groups (cached; re-read when the file changes) and stop words

export interface Lexicon {
  groups: string[][];
  /** word → indexes of the groups it belongs to */
  groupsOf: Map<string, number[]>;
}

let lexiconCache: { checkedAt: number; mtimeMs: number; lexicon: Lexicon } | undefined;

export function buildLexicon(groups: string[][]): Lexicon {
  const groupsOf = new Map<string, number[]>();
  groups.forEach((g, i) => {
    for (const w of g) {
      const key = normalize(w);
      const list = groupsOf.get(key) ?? [];
      if (!list.includes(i)) list.push(i);
      groupsOf.set(key, list);
    }
  });
  return { groups: groups.map((g) => g.map(normalize)), groupsOf };
}

let overrideGroups: { groups: string[][]; lexicon: Lexicon } | null = null;

/**
 * Match with these synonym groups instead of search/synonyms.json (null: the file again). For the
 * quality harness, to try additions before they go into the shared file.
 */
export function useSynonymGroups(groups: string[][] | null): void {
  overrideGroups = groups ? { groups, lexicon: buildLexicon(groups) } : null;
}

/** The synonym groups of search/synonyms.json, read once and again only when the file changes. */
export function synonymLexicon(now = Date.now()): Lexicon {
  if (overrideGroups) return overrideGroups.lexicon;
  if (lexiconCache && now - lexiconCache.checkedAt < 30_000) return lexiconCache.lexicon;
  let mtimeMs = 0;
  try {
    mtimeMs = fs.statSync(SYNONYMS_FILE).mtimeMs;
  } catch {
    // unreadable: loadSynonymGroups below says why
  }
  if (!lexiconCache || lexiconCache.mtimeMs !== mtimeMs) {
    lexiconCache = { checkedAt: now, mtimeMs, lexicon: buildLexicon(loadSynonymGroups()) };
  } else {
    lexiconCache.checkedAt = now;
  }
  return lexiconCache.lexicon;
}

/**
 * Words that say nothing about the subject of a listing: function words, the verbs of asking and
 * offering, and the vocabulary every listing shares (技术, 企业, 提高…).
 */
const STOP_WORDS = new Set(
  (
    "我们 我们的 你们 他们 这个 那个 这些 那些 这种 那种 一个 一种 一些 一批 以及 或者 还是 并且 而且 但是 不过 因为 所以 如果 虽然 " +
    "已经 正在 目前 现在 现有 当前 今后 以后 之前 之后 需要 需求 希望 想要 想把 想 要求 求 请 寻求 寻找 引进 引入 提供 进行 开展 " +
    "实现 达到 通过 利用 采用 使用 应用 可以 可能 能够 没有 不能 不会 不好 不够 很多 较多 较大 较高 较低 比较 非常 特别 主要 相关 " +
    "有关 方面 情况 问题 办法 方法 方案 技术 技能 工作 研究 开发 研发 合作 单位 企业 公司 有限公司 合作社 专业 基地 项目 产品 " +
    "生产 能力 水平 提高 提升 改善 改进 解决 降低 减少 增加 影响 效果 效率 成熟 成果 全县 本县 我县 县里 当地 本地 县内 地区 " +
    "农户 农民 群众 具有 具备 拥有 形成 完成 适合 适用 适宜 推广 示范 以上 以下 左右 其中 同时 另外 此外 整体 全部 部分 一定 " +
    "大量 大幅 显著 明显 有效 服务 支持 帮助 欢迎 考察 资金 投资 投入 预算 费用 价格 万元 元 每年 一年 多年 今年 去年 我们县 " +
    "自己 大家 全靠 只能 总是 经常 一直 还有 又有 既能 能不能 怎么 如何 什么 哪些 为了 对于 关于 根据 按照 以便 进一步 " +
    "能否 是否 可否 本项目 本技术 本成果 该技术 该成果 该项目 项目组 团队 我司 本公司 贵单位 有意 意向 洽谈 联系 电话 地址 " +
    "文山 文山州 西畴 西畴县 云南 云南省 全国 国内 国际 行业 市场 前景 良好 优势 特点 核心 关键 重要 主要是 方式 模式化 " +
    "实际 困难 急需 迫切 尽快 一年内 年内 投产 达产 见效 配套 场地 试验 条件 要 能 会 有 是 的 了 等 和 与 及 为 在 对 将 把 被 就 都 也"
  ).split(/\s+/),
);

/**
 * Words of the trade that many listings share whatever their subject (种植, 防治, 设备, 品质…). They
 * count, but at half weight: in a small corpus the hit counts cannot tell that they are common.
 */
const GENERIC_WORDS = new Set(
  (
    "种植 栽培 种植技术 栽培技术 防治 病害 虫害 病虫害 病虫 防控 成本 节本 降本 省钱 产量 增产 高产 亩产 管理 系统 设备 工艺 " +
    "技术体系 模式 加工 生产线 加工线 流水线 质量 品质 处理 利用 改造 机械 机器 农业 产业 安全 稳定 智能 自动化 综合 集成 " +
    "检测 检验 标准 规程 高效 绿色 生态 环保 节能 新型 优质 提质 增效 效益 收益 经济 收入 农产品 原料 材料 平台 装置 方法"
  ).split(/\s+/),
);

export function isStopWord(w: string): boolean {
  return STOP_WORDS.has(w);
}

/** NFKC (full-width letters and digits to ASCII), lower case. */
export function normalize(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

const CJK = /\p{Script=Han}/u;
const WORDISH = /^[\p{Script=Han}a-z0-9][\p{Script=Han}a-z0-9.+-]*$/u;

function usableWord(w: string): boolean {
  if (w.length < 2 || w.length > 12) return false;
  if (!WORDISH.test(w)) return false;
  if (/^[\d.+-]+$/.test(w)) return false; // numbers
  if (/\d/.test(w) && CJK.test(w)) return false; // 98%、3年、500亩
  return !STOP_WORDS.has(w);
}

// ---------------------------------------------------------------------------------------------
// Terms

export type Zone = "keywords" | "title" | "summary" | "description";

/** How much a term counts by where the listing says it. */
const ZONE_WEIGHT: Record<Zone, number> = { keywords: 1, title: 0.9, summary: 0.7, description: 0.45 };
/** How much a match counts by where the other listing says it. */
const MATCH_WEIGHT: Record<Zone, number> = { keywords: 1, title: 1, summary: 0.8, description: 0.6 };

export interface Term {
  /** "g:<group>" for a synonym concept, "w:<word>" otherwise */
  key: string;
  /** the word as this listing writes it */
  label: string;
  /** every word that expresses it (the whole synonym group) */
  words: string[];
  /** the word a query uses: the group's first (researchers') word, or the word itself */
  canonical: string;
  /** position weight before specificity, 0–1 */
  base: number;
  zones: Zone[];
  known: boolean;
}

const MAX_DICT_WORD = 10;
/** Characters that glue words together and are never part of a subject word when standing alone. */
const FUNCTION_CHARS =
  /[的了得地着过是在有和与及或也都就还又很太最更不没被把让给对向从到为以而但么吗呢吧啊呀个些这那其之所一上下里中大小多少能会要想求请找好]/u;
const MAX_SCAN = 2000;

let segmenter: Intl.Segmenter | undefined;
function segments(text: string): string[] {
  segmenter ??= new Intl.Segmenter("zh", { granularity: "word" });
  const out: string[] = [];
  for (const s of segmenter.segment(text)) if (s.isWordLike) out.push(s.segment);
  return out;
}

interface Occurrence {
  word: string;
  start: number;
  end: number;
  known: boolean;
}

/**
 * The terms of one piece of text: every dictionary word it contains (synonym words and the
 * platform's keyword vocabulary, longest first where they overlap), then the words the segmenter
 * finds outside them (≥ 2 characters, no stop words; runs of single characters glued back
 * together, since the segmenter splits domain words such as 根腐病 into 根/腐/病).
 */
export function findTerms(
  raw: string,
  lexicon: Lexicon,
  vocabulary: ReadonlySet<string>,
  { segment = true }: { segment?: boolean } = {},
): { word: string; known: boolean; inner: boolean }[] {
  const text = normalize(raw).slice(0, MAX_SCAN);
  const found: Occurrence[] = [];
  for (let i = 0; i < text.length; i++) {
    for (let len = Math.min(MAX_DICT_WORD, text.length - i); len >= 2; len--) {
      const w = text.slice(i, i + len);
      if (lexicon.groupsOf.has(w) || (vocabulary.has(w) && !STOP_WORDS.has(w))) {
        found.push({ word: w, start: i, end: i + len, known: true });
      }
    }
    // A verb and its result with 不/得 between them is still the word: 晒不干 → 晒干, 烘得干 → 烘干.
    const mid = text[i + 1];
    if ((mid === "不" || mid === "得") && i + 2 < text.length) {
      const w = text[i]! + text[i + 2]!;
      if (lexicon.groupsOf.has(w)) found.push({ word: w, start: i, end: i + 3, known: true });
    }
  }
  // A dictionary word inside a longer one (三七 in 三七花) is an "inner" occurrence.
  const isInner = (o: Occurrence) =>
    found.some((p) => p !== o && p.start <= o.start && p.end >= o.end && p.end - p.start > o.end - o.start);
  const covered = new Uint8Array(text.length);
  for (const o of found) for (let i = o.start; i < o.end; i++) covered[i] = 1;

  const result = new Map<string, { word: string; known: boolean; inner: boolean }>();
  for (const o of found) {
    const inner = isInner(o);
    const prev = result.get(o.word);
    if (!prev) result.set(o.word, { word: o.word, known: true, inner });
    else if (!inner) prev.inner = false;
  }

  if (!segment) return [...result.values()];
  // The segmenter's words, outside what the dictionary already explained.
  let pos = 0;
  let run = "";
  let runStart = 0;
  const flushRun = () => {
    // Split at function characters: 的地, 烂得, 死了 are not words.
    let start = runStart;
    for (const part of run.split(FUNCTION_CHARS)) {
      if (part.length >= 2 && part.length <= 3 && usableWord(part) && !overlaps(covered, start, start + part.length)) {
        if (!result.has(part)) result.set(part, { word: part, known: false, inner: false });
      }
      start += part.length + 1;
    }
    run = "";
  };
  for (const seg of segments(text)) {
    const start = text.indexOf(seg, pos);
    if (start < 0) continue;
    pos = start + seg.length;
    if (seg.length === 1 && CJK.test(seg)) {
      if (run && runStart + run.length !== start) flushRun();
      if (!run) runStart = start;
      run += seg;
      continue;
    }
    flushRun();
    if (usableWord(seg) && !gluedWord(seg) && !overlaps(covered, start, start + seg.length) && !result.has(seg)) {
      result.set(seg, { word: seg, known: false, inner: false });
    }
  }
  flushRun();
  return [...result.values()];
}

const LEADING_FUNCTION = "想要能会不没很太最更都就还又也把被让给对向从到在是的";
const TRAILING_FUNCTION = "的了得地着过是在和与";
/** 想在, 不想, 烂得, 都是: a word of the segmenter that is a particle or a modal glued to something. */
function gluedWord(w: string): boolean {
  return CJK.test(w) && (LEADING_FUNCTION.includes(w[0]!) || TRAILING_FUNCTION.includes(w[w.length - 1]!));
}

function overlaps(covered: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (covered[i]) return true;
  return false;
}

const conceptCache = new WeakMap<Lexicon, Map<string, { key: string; words: string[]; canonical: string }>>();

function conceptOf(word: string, lexicon: Lexicon): { key: string; words: string[]; canonical: string } {
  let cache = conceptCache.get(lexicon);
  if (!cache) conceptCache.set(lexicon, (cache = new Map()));
  let c = cache.get(word);
  if (!c) {
    c = computeConcept(word, lexicon);
    if (cache.size < 100_000) cache.set(word, c);
  }
  return c;
}

function computeConcept(word: string, lexicon: Lexicon): { key: string; words: string[]; canonical: string } {
  const groups = lexicon.groupsOf.get(word);
  if (!groups?.length) return { key: `w:${word}`, words: [word], canonical: word };
  const words = new Set<string>();
  for (const g of groups) for (const w of lexicon.groups[g]!) words.add(w);
  return { key: `g:${groups[0]}`, words: [...words], canonical: lexicon.groups[groups[0]!]![0]! };
}

export interface ListingText {
  keywords: string[];
  title: string;
  summary?: string;
  description: string;
}

/**
 * A listing's terms, merged by concept (烂根 and 根腐病 are one), each with the weight of the most
 * prominent place it appears in (a little more when it appears in several places).
 */
export function termsOf(listing: ListingText, lexicon: Lexicon, vocabulary: ReadonlySet<string>, maxTerms = 16): Term[] {
  const byKey = new Map<string, Term & { inner: boolean }>();
  const add = (word: string, zone: Zone, known: boolean, inner: boolean) => {
    const c = conceptOf(word, lexicon);
    const t = byKey.get(c.key);
    if (!t) {
      byKey.set(c.key, { ...c, label: word, base: 0, zones: [zone], known, inner });
      return;
    }
    // Keep the word the listing uses most prominently (the first one there).
    const best = Math.max(...t.zones.map((z) => ZONE_WEIGHT[z]));
    if (ZONE_WEIGHT[zone] > best || (known && !t.known)) t.label = word;
    if (!t.zones.includes(zone)) t.zones.push(zone);
    if (known) t.known = true;
    if (!inner) t.inner = false;
  };
  for (const k of listing.keywords) {
    const kw = normalize(k).trim();
    if (!kw) continue;
    // A keyword is short: its dictionary words are enough, no segmenter.
    const inside = findTerms(kw, lexicon, vocabulary, { segment: false });
    const coveredChars = inside.filter((t) => !t.inner).reduce((n, t) => n + t.word.length, 0);
    // A keyword the dictionary does not explain is a term of its own (木霉, 芽孢杆菌).
    if (usableWord(kw) && coveredChars < kw.length * 0.6) add(kw, "keywords", vocabulary.has(kw) || lexicon.groupsOf.has(kw), false);
    for (const t of inside) add(t.word, "keywords", true, t.inner);
  }
  for (const zone of ["title", "summary", "description"] as const) {
    const text = listing[zone];
    if (!text) continue;
    for (const t of findTerms(text, lexicon, vocabulary)) add(t.word, zone, t.known, t.inner);
  }
  const terms = [...byKey.values()].map(({ inner, ...t }) => {
    const top = Math.max(...t.zones.map((z) => ZONE_WEIGHT[z]));
    let base = Math.min(1, top + 0.1 * (t.zones.length - 1));
    if (!t.known) base *= 0.7;
    if (GENERIC_WORDS.has(t.label) || GENERIC_WORDS.has(t.canonical)) base *= 0.5;
    if (inner) base *= 0.5;
    return { ...t, base };
  });
  return terms.sort((a, b) => b.base - a.base || b.label.length - a.label.length).slice(0, maxTerms);
}

/**
 * Per-request options for Meilisearch. `Accept-Encoding: identity`: with fetch's default
 * (gzip, br) Meilisearch streams a compressed body whose last chunk waits for a delayed TCP ACK,
 * which costs ~40 ms per call on loopback; uncompressed answers come back in 1–3 ms.
 */
function requestInit(signal?: AbortSignal) {
  return { signal, headers: { "Accept-Encoding": "identity" } };
}

// ---------------------------------------------------------------------------------------------
// Specificity: how rare a concept is among the achievements (an IDF from Meilisearch hit counts)

export interface Specificity {
  /** 0–1: 1 for a word almost no achievement uses, near 0 for one nearly all use */
  of(term: Pick<Term, "canonical">): number;
  /** how many achievements use it (with its synonyms); null when not known */
  count(term: Pick<Term, "canonical">): number | null;
}

const DF_TTL_MS = 30 * 60_000;
const DF_MAX_ENTRIES = 50_000;
const DEFAULT_SPECIFICITY = 0.6;

interface DfCache {
  indexUid: string;
  total: { value: number; at: number } | null;
  terms: Map<string, { df: number; at: number }>;
}
const dfCaches = new Map<string, DfCache>();

function dfCache(indexUid: string): DfCache {
  let c = dfCaches.get(indexUid);
  if (!c) {
    c = { indexUid, total: null, terms: new Map() };
    dfCaches.set(indexUid, c);
  }
  return c;
}

/** Forget the cached counts (tests, after bulk changes). */
export function clearMatchingCaches(): void {
  dfCaches.clear();
}

export function specificityFromCounts(df: number, total: number): number {
  const n = Math.max(total, 1);
  const idf = Math.log((n + 1) / (Math.min(df, n) + 0.5)) / Math.log((n + 1) / 0.5);
  return 0.15 + 0.85 * Math.max(0, Math.min(1, idf));
}

/**
 * Hit counts of these words in the achievements index: from the cache, the rest asked in one
 * multi-search of `limit: 0` queries (no filter: a word's rarity is a property of the corpus).
 */
export async function loadSpecificity(
  words: string[],
  opts: { client?: Meilisearch; signal?: AbortSignal; maxFetch?: number } = {},
): Promise<Specificity> {
  const client = opts.client ?? meili();
  const uid = indexName(INDEXES.achievement);
  const cache = dfCache(uid);
  const now = Date.now();
  const missing = [...new Set(words)].filter((w) => {
    const e = cache.terms.get(w);
    return !e || now - e.at > DF_TTL_MS;
  });
  const needTotal = !cache.total || now - cache.total.at > DF_TTL_MS;
  const fetch = missing.slice(0, opts.maxFetch ?? 60);
  if (fetch.length || needTotal) {
    // "all": a word the tokenizer splits (省水 → 省 水) must not count every document with 水.
    const queries: MultiSearchQuery[] = [
      { indexUid: uid, q: "", limit: 0 },
      ...fetch.map((w) => ({ indexUid: uid, q: w, limit: 0, matchingStrategy: "all" as const })),
    ];
    const { results } = await client.multiSearch({ queries }, requestInit(opts.signal));
    const at = Date.now();
    cache.total = { value: results[0]?.estimatedTotalHits ?? 0, at };
    fetch.forEach((w, i) => cache.terms.set(w, { df: results[i + 1]?.estimatedTotalHits ?? 0, at }));
    if (cache.terms.size > DF_MAX_ENTRIES) {
      // Oldest first out (Map keeps insertion order).
      for (const k of [...cache.terms.keys()].slice(0, cache.terms.size - DF_MAX_ENTRIES)) cache.terms.delete(k);
    }
  }
  const total = cache.total?.value ?? 0;
  return {
    of(term) {
      const e = cache.terms.get(term.canonical);
      return e ? specificityFromCounts(e.df, total) : DEFAULT_SPECIFICITY;
    },
    count(term) {
      return cache.terms.get(term.canonical)?.df ?? null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Scoring a pair

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
 * weights, a little on the other candidates of the same query, so a pair can score slightly
 * differently seen from the demand and from the achievement.
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

// ---------------------------------------------------------------------------------------------
// Retrieval

const ACHIEVEMENT_FIELDS = [
  "id",
  "externalId",
  "title",
  "summary",
  "description",
  "keywords",
  "field",
  "trl",
  "transactionModes",
  "priceMode",
  "price",
];
const DEMAND_FIELDS = ["id", "externalId", "title", "description", "keywords", "field", "transactionModes", "minTrl", "budgetMax"];

/** At most this many words per combined query (Meilisearch reads the first ten words of a query). */
const COMBINED_WORDS = 6;
const CONCEPT_QUERIES = 4;

/**
 * The queries for one listing, at most six. Meilisearch's "last" strategy drops words from the end
 * until something matches, so the combined query lists the most telling words first; words no
 * achievement uses are left out (they would only make the query fail). Each of the most specific
 * concepts also gets a query of its own: a document that matches only that one word would
 * otherwise never be a candidate.
 */
export function queryTexts(terms: Term[], spec: Specificity, raw: { keywords: string[] }): { q: string; limit: number }[] {
  const useful = terms.filter((t) => spec.count(t) !== 0);
  const ranked = [...new Set([...useful].sort((x, y) => y.base * spec.of(y) - x.base * spec.of(x)).map((t) => t.canonical))];
  const out: { q: string; limit: number }[] = [];
  const seen = new Set<string>();
  const push = (q: string, limit: number) => {
    const s = q.trim();
    if (s && !seen.has(s) && out.length < 6) {
      seen.add(s);
      out.push({ q: s, limit });
    }
  };
  // Everything at once; with "last" its first word is required, so it also stands for that concept.
  push(ranked.slice(0, COMBINED_WORDS).join(" "), 50);
  // The next concepts alone.
  for (const c of ranked.slice(1, 1 + CONCEPT_QUERIES)) push(c, 30);
  // The listing's own keywords as written (Meilisearch applies the synonyms to them too).
  push(raw.keywords.slice(0, COMBINED_WORDS).join(" "), 30);
  for (const c of ranked.slice(1 + CONCEPT_QUERIES)) push(c, 20);
  return out;
}

export interface MatchOptions {
  limit?: number;
  minScore?: number;
  vocabulary?: ReadonlySet<string>;
  signal?: AbortSignal;
  client?: Meilisearch;
}

type Hit = Record<string, unknown> & { id: string };

async function retrieve(
  indexKind: "achievement" | "demand",
  queries: { q: string; limit: number }[],
  filter: string[],
  opts: MatchOptions,
): Promise<Hit[]> {
  const client = opts.client ?? meili();
  const indexUid = indexName(INDEXES[indexKind]);
  const attributesToRetrieve = indexKind === "achievement" ? ACHIEVEMENT_FIELDS : DEMAND_FIELDS;
  const { results } = await client.multiSearch(
    {
      queries: queries.map((x) => ({
        indexUid,
        q: x.q,
        limit: x.limit,
        filter,
        matchingStrategy: "last" as const,
        attributesToRetrieve,
      })),
    },
    requestInit(opts.signal),
  );
  const byId = new Map<string, Hit>();
  for (const r of results) for (const h of r.hits as Hit[]) if (!byId.has(h.id)) byId.set(h.id, h);
  return [...byId.values()];
}

const str = (v: unknown) => (typeof v === "string" ? v : "");
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function achievementFromHit(h: Hit): MatchAchievement {
  return {
    id: h.id,
    externalId: (h.externalId as string | null) ?? null,
    title: str(h.title),
    summary: str(h.summary),
    description: str(h.description),
    keywords: strs(h.keywords),
    field: str(h.field),
    trl: num(h.trl) ?? 0,
    transactionModes: strs(h.transactionModes),
    priceMode: str(h.priceMode) || "negotiable",
    price: num(h.price),
  };
}

export function demandFromHit(h: Hit): MatchDemand {
  return {
    id: h.id,
    externalId: (h.externalId as string | null) ?? null,
    title: str(h.title),
    description: str(h.description),
    keywords: strs(h.keywords),
    field: str(h.field),
    transactionModes: strs(h.transactionModes),
    minTrl: num(h.minTrl),
    budgetMax: num(h.budgetMax),
  };
}

const EMPTY_VOCABULARY: ReadonlySet<string> = new Set();

function rank<T>(scored: Match<T>[], opts: MatchOptions): Match<T>[] {
  const min = opts.minScore ?? MATCH_MIN_SCORE;
  return scored
    .filter((m) => m.score >= min)
    .sort((x, y) => y.score - x.score || y.relevance - x.relevance)
    .slice(0, opts.limit ?? 10);
}

/** The achievements that can solve this demand, best first. */
export async function matchDemand(d: MatchDemand, opts: MatchOptions = {}): Promise<Match<MatchAchievement>[]> {
  if (d.transactionModes.length === 0) return [];
  const lexicon = synonymLexicon();
  const vocabulary = opts.vocabulary ?? EMPTY_VOCABULARY;
  const pd = prepareDemand(d, { lexicon, vocabulary });
  const specificity = await loadSpecificity(
    pd.terms.map((t) => t.canonical),
    { client: opts.client, signal: opts.signal },
  );
  const hits = await retrieve("achievement", queryTexts(pd.terms, specificity, d), achievementFilter(d), opts);
  const ctx: PairContext = { lexicon, vocabulary, specificity };
  const candidates = hits.map((h) => prepareAchievement(achievementFromHit(h), ctx));
  // The achievements' own core words count too: their rarity, asked together, from the cache after.
  const more = await loadSpecificity(
    candidates.flatMap((c) => c.terms.map((t) => t.canonical)),
    { client: opts.client, signal: opts.signal },
  );
  const bigramWeights = localBigramWeights(candidates.map((c) => c.zoned));
  const scored: Match<MatchAchievement>[] = [];
  for (const pa of candidates) {
    // The filter already said so; checked again so that no stale or odd document slips through.
    if (!satisfiesHardConstraints(d, pa.achievement)) continue;
    scored.push({ item: pa.achievement, ...scorePair(pd, pa, { ...ctx, specificity: more, bigramWeights }) });
  }
  return rank(scored, opts);
}

/** The demands this achievement could serve, best first. */
export async function matchAchievement(a: MatchAchievement, opts: MatchOptions = {}): Promise<Match<MatchDemand>[]> {
  if (a.transactionModes.length === 0) return [];
  const lexicon = synonymLexicon();
  const vocabulary = opts.vocabulary ?? EMPTY_VOCABULARY;
  const pa = prepareAchievement(a, { lexicon, vocabulary });
  const specificity = await loadSpecificity(
    pa.terms.map((t) => t.canonical),
    { client: opts.client, signal: opts.signal },
  );
  const hits = await retrieve("demand", queryTexts(pa.terms, specificity, a), demandFilter(a), opts);
  const ctx: PairContext = { lexicon, vocabulary, specificity };
  const candidates = hits.map((h) => prepareDemand(demandFromHit(h), ctx));
  const more = await loadSpecificity(
    candidates.flatMap((c) => c.terms.map((t) => t.canonical)),
    { client: opts.client, signal: opts.signal },
  );
  const bigramWeights = localBigramWeights(candidates.map((c) => c.zoned));
  const scored: Match<MatchDemand>[] = [];
  for (const pd of candidates) {
    if (!satisfiesHardConstraints(pd.demand, a)) continue;
    scored.push({ item: pd.demand, ...scorePair(pd, pa, { ...ctx, specificity: more, bigramWeights }) });
  }
  return rank(scored, opts);
}
