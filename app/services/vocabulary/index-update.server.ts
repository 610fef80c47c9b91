import { VOCABULARY_STATE_ID, VocabularyState } from "~/models/vocabulary-group.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { forgetLiveVocabulary, liveVocabulary } from "../../../search/live-vocabulary.ts";
import { rebuildIndex } from "../../../search/reindex.ts";
import type { Job } from "../kernel/jobs.ts";

/**
 * A vocabulary change reaches Meilisearch without downtime: the synonyms are index settings, so
 * both indexes are rebuilt with the live groups and swapped in (search/reindex.ts
 * `rebuildIndex`); searches keep answering from the old index meanwhile. A job, not the edit's
 * request: debounced (it waits until the vocabulary was quiet for QUIET_MS, so a burst of edits
 * causes one rebuild) and run on one instance at a time (the job runner's lock).
 */
export const VOCABULARY_QUIET_MS = 3_000;

export type VocabularyIndexState =
  | { state: "live"; version: number; indexedAt: string | null }
  | { state: "pending" | "building"; version: number; indexedAt: string | null; lastError: string | null };

/** What the page shows: "索引更新中…" while a change waits or builds, "已生效 <time>" after. */
export async function vocabularyIndexState(): Promise<VocabularyIndexState> {
  const s = await VocabularyState.findById(VOCABULARY_STATE_ID).lean();
  const indexedAt = s?.indexedAt ? s.indexedAt.toISOString() : null;
  if (!s || s.version <= s.indexedVersion) return { state: "live", version: s?.version ?? 0, indexedAt };
  return { state: s.buildingVersion ? "building" : "pending", version: s.version, indexedAt, lastError: s.lastError ?? null };
}

/**
 * One pass: when the vocabulary changed since the last rebuild and has been quiet since, rebuild
 * both indexes with it. Answers the version built, or null when there was nothing to do.
 */
export async function runVocabularyIndexUpdate(
  now = new Date(),
  opts: { quietMs?: number } = {},
): Promise<{ version: number; documents: number } | null> {
  const s = await VocabularyState.findById(VOCABULARY_STATE_ID).lean();
  if (!s || s.version <= s.indexedVersion) return null;
  if (s.changedAt && now.getTime() - s.changedAt.getTime() < (opts.quietMs ?? VOCABULARY_QUIET_MS)) return null;
  await VocabularyState.updateOne({ _id: VOCABULARY_STATE_ID }, { $set: { buildingVersion: s.version, buildingSince: new Date() } });
  try {
    forgetLiveVocabulary();
    const live = await liveVocabulary();
    // The groups were read after the counter: they are at least this version.
    const version = Math.max(s.version, live.version);
    let documents = 0;
    documents += await rebuildIndex("achievement", undefined, live.groups);
    documents += await rebuildIndex("demand", undefined, live.groups);
    await VocabularyState.updateOne(
      { _id: VOCABULARY_STATE_ID },
      { $max: { indexedVersion: version }, $set: { indexedAt: new Date(), buildingVersion: null, buildingSince: null, lastError: null } },
    );
    return { version, documents };
  } catch (err) {
    const message = (err as Error).message?.slice(0, 500) ?? String(err);
    logger.warn({ err: message }, "vocabulary: index update failed; will retry");
    await VocabularyState.updateOne(
      { _id: VOCABULARY_STATE_ID },
      { $set: { buildingVersion: null, buildingSince: null, lastError: message } },
    );
    throw err;
  }
}

/**
 * The indexes' settings were applied with this version's synonyms (at start-up, search/indexes.ts
 * `ensureIndexes` reads the live groups): nothing to rebuild up to it.
 */
export async function markVocabularyIndexed(version: number): Promise<void> {
  await VocabularyState.updateOne(
    { _id: VOCABULARY_STATE_ID, buildingVersion: null },
    { $max: { indexedVersion: version }, $set: { indexedAt: new Date() } },
  );
}

/** The index update, every few seconds (a no-op unless the vocabulary changed). */
export const vocabularyIndexJob: Job = {
  name: "vocabulary.index",
  everyMs: 2_000,
  // A rebuild of a large index takes minutes; another instance must not start a second one.
  lockMs: 30 * 60_000,
  run: (now) => runVocabularyIndexUpdate(now),
};
