import mongoose from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { PUBLIC_STATUSES } from "~/utils/listing-workflow.ts";
import { normalize } from "../../../search/matching/terms.ts";

/**
 * The platform's keyword vocabulary: words people here actually use, to find terms in free text
 * (search/matching/terms.ts). The distinct keywords of public listings, cached per process.
 */

const VOCABULARY_TTL_MS = 10 * 60_000;
const VOCABULARY_MAX = 200_000;
let vocabulary: { words: Set<string>; at: number; dbName: string } | undefined;
let vocabularyLoading: Promise<Set<string>> | undefined;

async function loadVocabulary(): Promise<Set<string>> {
  const filter = { status: { $in: PUBLIC_STATUSES } };
  const [a, d] = await Promise.all([Achievement.distinct("keywords", filter), Demand.distinct("keywords", filter)]);
  const words = new Set<string>();
  for (const k of [...a, ...d] as string[]) {
    const w = normalize(String(k)).trim();
    if (w.length >= 2 && w.length <= 10) words.add(w);
    if (words.size >= VOCABULARY_MAX) break;
  }
  return words;
}

/** Cached; refreshed in the background once stale (the first call waits for it). */
export async function keywordVocabulary(): Promise<Set<string>> {
  const dbName = mongoose.connection.name;
  const fresh = vocabulary && vocabulary.dbName === dbName;
  if (fresh && Date.now() - vocabulary!.at < VOCABULARY_TTL_MS) return vocabulary!.words;
  vocabularyLoading ??= loadVocabulary()
    .then((words) => {
      vocabulary = { words, at: Date.now(), dbName };
      return words;
    })
    .finally(() => {
      vocabularyLoading = undefined;
    });
  if (fresh) {
    vocabularyLoading.catch(() => {});
    return vocabulary!.words;
  }
  return vocabularyLoading;
}

/** Forget the cached vocabulary (tests, the bench after an import). */
export function resetMatchingVocabulary(): void {
  vocabulary = undefined;
}
