import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";
import * as OpenCC from "opencc-js";
import { isStopWord } from "./terms.ts";
import { partOfSpeech } from "./variants.ts";

/**
 * Chinese text as the second retriever reads it (pure, no I/O): one normal form — NFKC, lower
 * case, traditional characters as simplified (opencc-js, Taiwan and Hong Kong variants included)
 * — then three kinds of token: words of a dictionary segmenter (@node-rs/jieba with its bundled
 * dictionary), character bigrams, and single characters. Words catch meaning, bigrams catch the
 * compounds the dictionary does not know (根腐, 热泵), single characters catch what is left (芋 in
 * 磨芋 and 魔芋).
 */

let jieba: Jieba | undefined;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const added = new Set<string>();
let taught = 0;
/** Raised whenever the segmenter learns words: text cut before was cut without them. */
export function segmenterVersion(): number {
  return taught;
}
/**
 * Teach the segmenter words it does not know (the vocabulary's: 烂根, 以电代柴), so that they stay
 * whole. Words are only ever added: a retired vocabulary word stays a word, which is harmless.
 */
export function addWords(list: Iterable<string>): void {
  const lines: string[] = [];
  for (const raw of list) {
    const w = normalForm(raw).trim();
    if (w.length < 2 || w.length > 20 || /\s/.test(w) || added.has(w)) continue;
    added.add(w);
    lines.push(`${w} 20 n`);
  }
  if (lines.length) {
    segmenter().loadDict(Buffer.from(lines.join("\n"), "utf8"));
    taught++;
  }
}

let toSimplified: ((s: string) => string) | undefined;
/** Traditional (Taiwan, Hong Kong, generic) → simplified, as mainland China writes. */
export function simplified(s: string): string {
  toSimplified ??= OpenCC.Converter({ from: "t", to: "cn" });
  return toSimplified(s);
}

/** The one normal form: NFKC (full-width letters and digits to ASCII), lower case, simplified characters. */
export function normalForm(s: string): string {
  return simplified(s.normalize("NFKC").toLowerCase());
}

const HAN = /^\p{Script=Han}+$/u;
const ALNUM = /^[a-z0-9][a-z0-9.+-]*$/;
/** Characters that glue words together and say nothing alone. */
const FUNCTION_CHARS = new Set(
  "的了得地着过是在有和与及或也都就还又很太最更不没被把让给对向从到为以而但么吗呢吧啊呀个些这那其之所一上下里中大小多少能会要想求请找好我你他她它们咋个整晓".split(
    "",
  ),
);

export interface Tokens {
  words: string[];
  bigrams: string[];
  chars: string[];
}

/**
 * Parts of speech that say nothing about a subject (jieba's dictionary tags): numerals and
 * measure words (两天, 四十多), time words, adverbs (正好, 根本), pronouns, conjunctions,
 * prepositions, particles, directions, idioms and set phrases (一不小心), interjections.
 */
const NO_SUBJECT_POS = /^(m|mq|q|t|tg|d|dg|r|rr|rz|c|p|u|uj|ul|uz|ud|ug|uv|f|l|y|e|o|z|zg)$/;
/** Counts written in words: 四十多, 二三十, 几百, 十几. */
const COUNT = /^[零一二两三四五六七八九十百千万几多余来]+[多余来个斤亩头户天年]?$/;

function subjectWord(w: string): boolean {
  if (w.length < 2 || isStopWord(w)) return false;
  // The vocabulary's words always count (三七 is a numeral to the dictionary, a crop here).
  if (added.has(w)) return true;
  if (COUNT.test(w)) return false;
  return !NO_SUBJECT_POS.test(partOfSpeech(w));
}

/** Words of the segmenter: Han words of ≥ 2 characters that can name a subject, and Latin/number words. */
export function words(normal: string): string[] {
  const out: string[] = [];
  for (const w of segmenter().cut(normal, false)) {
    if (HAN.test(w)) {
      if (subjectWord(w)) out.push(w);
    } else if (ALNUM.test(w) && w.length >= 2 && !/^[\d.+-]+$/.test(w)) {
      out.push(w);
    }
  }
  return out;
}

/** Han character bigrams inside runs of Han characters (never across punctuation or Latin). */
export function bigrams(normal: string): string[] {
  const out: string[] = [];
  for (const run of normal.match(/\p{Script=Han}{2,}/gu) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
  }
  return out;
}

/** Han characters that are not function characters. */
export function chars(normal: string): string[] {
  const out: string[] = [];
  for (const c of normal) if (HAN.test(c) && !FUNCTION_CHARS.has(c)) out.push(c);
  return out;
}

/** The three kinds of token of an already normalised text. */
export function tokenize(normal: string): Tokens {
  return { words: words(normal), bigrams: bigrams(normal), chars: chars(normal) };
}
