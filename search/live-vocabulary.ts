import mongoose from "mongoose";
import { VOCABULARY_STATE_ID, VocabularyGroup, VocabularyState } from "~/models/vocabulary-group.server.ts";
import { synonymLexicon } from "./matching/retrieve.ts";
import { buildLexicon, type Lexicon } from "./matching/terms.ts";
import { loadSynonymGroups } from "./synonyms.ts";

/**
 * The one provider of the vocabulary for everything that reads it: Meilisearch's synonyms
 * (search/settings.ts through indexes.ts) and matching (app/services/matching). The live groups
 * are the active groups in MongoDB (app/models/vocabulary-group.server.ts), the shipped files
 * while MongoDB has none yet (a fresh database before the start-up sync, a script without one).
 *
 * Cached per process and keyed by the version counter every change raises: the counter is read
 * at most every CHECK_MS, so another instance's edit is picked up within that time, and an edit
 * made by this process is seen at once (`forgetLiveVocabulary`).
 */
const CHECK_MS = 30_000;

export interface LiveVocabulary {
  /** the version counter the groups were read at (-1: the shipped files, no live groups) */
  version: number;
  groups: string[][];
  lexicon: Lexicon;
}

let cache: { dbName: string; checkedAt: number; value: LiveVocabulary } | undefined;
let loading: Promise<LiveVocabulary> | undefined;
/** raised by forgetLiveVocabulary, so that a read already under way does not store what it read before */
let generation = 0;

/** The shipped files (matching's own cached lexicon of them, which also honours the bench's `useSynonymGroups`). */
function fromFiles(): LiveVocabulary {
  return { version: -1, groups: loadSynonymGroups(), lexicon: synonymLexicon() };
}

async function currentVersion(): Promise<number> {
  const state = await VocabularyState.findById(VOCABULARY_STATE_ID, { version: 1 }).lean();
  return state?.version ?? 0;
}

async function load(version: number): Promise<LiveVocabulary> {
  const rows = await VocabularyGroup.find({ status: "active" }, { words: 1 }).sort({ groupId: 1 }).lean();
  // No group at all (not even a retired one): the database was never synced from the files.
  if (rows.length === 0 && !(await VocabularyGroup.exists({}))) return fromFiles();
  const groups = rows.map((r) => [...r.words]).filter((w) => w.length >= 2);
  return { version, groups, lexicon: buildLexicon(groups) };
}

/** The live groups and their lexicon; without a database connection, the shipped files. */
export async function liveVocabulary(now = Date.now()): Promise<LiveVocabulary> {
  if (mongoose.connection.readyState !== 1) return fromFiles();
  const dbName = mongoose.connection.name;
  if (cache && cache.dbName === dbName && now - cache.checkedAt < CHECK_MS) return cache.value;
  loading ??= (async () => {
    const gen = generation;
    try {
      const version = await currentVersion();
      if (cache && cache.dbName === dbName && cache.value.version === version) {
        cache.checkedAt = now;
        return cache.value;
      }
      const value = await load(version);
      if (gen === generation) cache = { dbName, checkedAt: now, value };
      return value;
    } finally {
      loading = undefined;
    }
  })();
  return loading;
}

/** The live groups' words (the index settings' synonyms). */
export async function liveSynonymGroups(): Promise<string[][]> {
  return (await liveVocabulary()).groups;
}

/** Read the groups again on the next call (after this process changed them; tests). */
export function forgetLiveVocabulary(): void {
  cache = undefined;
  loading = undefined;
  generation++;
}
