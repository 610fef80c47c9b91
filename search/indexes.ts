import type { Meilisearch } from "meilisearch";
import { indexName, meili } from "./client.ts";
import { liveSynonymGroups } from "./live-vocabulary.ts";
import { INDEXES, settingsFor, type IndexKind } from "./settings.ts";

/**
 * Creates the index if needed and applies its settings, with the live vocabulary's synonyms
 * (search/live-vocabulary.ts) unless `groups` are given; safe to run at every start.
 */
export async function ensureIndex(
  kind: IndexKind,
  uid = indexName(INDEXES[kind]),
  client: Meilisearch = meili(),
  groups?: string[][],
): Promise<void> {
  const existing = await client.getIndex(uid).catch(() => null);
  if (!existing) {
    const task = await client.createIndex(uid, { primaryKey: "id" }).waitTask({ timeout: 30_000 });
    if (task.status === "failed" && task.error?.code !== "index_already_exists") {
      throw new Error(`cannot create index ${uid}: ${task.error?.message}`);
    }
  }
  const task = await client
    .index(uid)
    .updateSettings(settingsFor(kind, groups ?? (await liveSynonymGroups())))
    .waitTask({ timeout: 60_000 });
  if (task.status === "failed") throw new Error(`cannot apply settings to ${uid}: ${task.error?.message}`);
}

export async function ensureIndexes(): Promise<void> {
  await ensureIndex("achievement");
  await ensureIndex("demand");
}
