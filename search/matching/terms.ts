/**
 * Matching, step one (pure): a listing's text as weighted terms. The lexicon (synonym groups) and
 * the platform's keyword vocabulary find the dictionary words; Intl.Segmenter finds the others;
 * stop words and generic words of the trade count for nothing or for less. No I/O: the caller
 * brings the lexicon (retrieve.ts reads search/vocabulary) and the vocabulary.
 */

// ---------------------------------------------------------------------------------------------
// Lexicon: the synonym groups and stop words

export interface Lexicon {
  groups: string[][];
  /** word → indexes of the groups it belongs to */
  groupsOf: Map<string, number[]>;
}

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
