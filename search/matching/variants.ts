import { dict } from "@node-rs/jieba/dict.js";
import { pinyin } from "pinyin-pro";

/**
 * Written variants (pure, no I/O): words written differently that read the same — 磨芋 / 魔芋,
 * 苞谷 / 包谷 — are one word to matching. Sound alone is not enough: 地里 (in the
 * field) and 地理 (geography) read the same and mean different things. The rule, checked against
 * the general-language frequencies of jieba's dictionary (a word's frequency says how established
 * a way of writing it is):
 *
 * 1. same length (2–4 Han characters) and the same toneless pinyin, every reading of every
 *    character considered (磨 is mó and mò);
 * 2. at least one character in common at the same place (a spelling variant changes a character,
 *    it does not make a new word: 工事 and 攻势 share none);
 * 3. both are nouns, or unknown to the dictionary (a place word such as 地里 is not a noun);
 * 4. at most one of them is an established word: the other is rare or unknown to the dictionary
 *    (frequency ≤ 15 — 磨芋 3, 苞谷 11 — against 魔芋 74, 包谷 120). 地里 572 and 地理 8066 are
 *    both established, and so are 菌种 41 and 军种 348: they stay apart.
 */

interface DictEntry {
  freq: number;
  pos: string;
}

let dictionary: Map<string, DictEntry> | undefined;
function entry(word: string): DictEntry | undefined {
  if (!dictionary) {
    dictionary = new Map();
    for (const line of Buffer.from(dict).toString("utf8").split("\n")) {
      const [w, f, p] = line.split(" ");
      if (w && w.length >= 2 && w.length <= 4) dictionary.set(w, { freq: Number(f) || 0, pos: p ?? "" });
    }
  }
  return dictionary.get(word);
}

/** The word's part of speech in jieba's dictionary ("" when unknown). */
export function partOfSpeech(word: string): string {
  return entry(word)?.pos ?? "";
}

/** At or below this frequency a way of writing is rare: a candidate variant. */
export const RARE_WRITING_FREQ = 15;
const HAN = /^\p{Script=Han}{2,4}$/u;

const readingsCache = new Map<string, string[]>();
/** Every toneless reading of a character (pinyin-pro's heteronyms). */
function readings(ch: string): string[] {
  let r = readingsCache.get(ch);
  if (!r) {
    r = [...new Set(pinyin(ch, { toneType: "none", multiple: true, type: "array" }))];
    readingsCache.set(ch, r);
  }
  return r;
}

/** The word's sound key: its most common toneless reading (for indexing). */
export function soundKey(word: string): string {
  return pinyin(word, { toneType: "none", type: "array" }).join(" ");
}

function sameSound(a: string, b: string): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const ra = readings(a[i]!);
    if (!readings(b[i]!).some((x) => ra.includes(x))) return false;
  }
  return true;
}

const nounish = (e: DictEntry | undefined) => !e || e.pos.startsWith("n") || e.pos === "j" || e.pos === "nz";

/** Whether two words are written variants of one word (the rule above). */
export function areVariants(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length || !HAN.test(a) || !HAN.test(b)) return false;
  let shared = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) shared++;
  if (shared === 0) return false;
  const ea = entry(a);
  const eb = entry(b);
  if (!nounish(ea) || !nounish(eb)) return false;
  const fa = ea?.freq ?? 0;
  const fb = eb?.freq ?? 0;
  if (Math.min(fa, fb) > RARE_WRITING_FREQ) return false;
  return sameSound(a, b);
}

/**
 * Groups of variants among a set of words (the corpus's words and the query's): words are
 * bucketed by sound key (each character's readings tried through its first reading) and checked
 * pairwise with the rule. Returns word → the canonical writing (the most established one).
 */
export class VariantIndex {
  private byKey = new Map<string, Set<string>>();

  add(word: string): void {
    if (!HAN.test(word)) return;
    const key = soundKey(word);
    let set = this.byKey.get(key);
    if (!set) this.byKey.set(key, (set = new Set()));
    set.add(word);
  }

  /** The other writings of this word known to the index (not including itself). */
  variantsOf(word: string): string[] {
    if (!HAN.test(word)) return [];
    const set = this.byKey.get(soundKey(word));
    if (!set) return [];
    return [...set].filter((w) => w !== word && areVariants(word, w));
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** The established writing among variants: the most frequent in the dictionary, then the first. */
export function canonicalWriting(words: string[]): string {
  return [...words].sort((x, y) => (entry(y)?.freq ?? 0) - (entry(x)?.freq ?? 0) || x.localeCompare(y))[0]!;
}
