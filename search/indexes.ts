import type { Meilisearch, Settings } from "meilisearch";
import { logger } from "~/utils/logger.server.ts";
import { indexName, meili } from "./client.ts";
import { EMBEDDER, embeddingDimensions, embeddingsConfig } from "./embeddings.ts";
import { liveSynonymGroups } from "./live-vocabulary.ts";
import { embedderSettings, INDEXES, settingsFor, type IndexKind } from "./settings.ts";

/**
 * Creates the index if needed and applies its settings, with the live vocabulary's synonyms
 * (search/live-vocabulary.ts) unless `groups` are given; safe to run at every start. Returns
 * whether the index is complete: false only with EMBEDDINGS_URL set when its embedder could not
 * be added (the service did not say its dimensions, or documents in the index have no
 * `_vectors.listing` yet — `npm run reindex` rebuilds them); everything else is applied anyway,
 * so search works without the semantic layer (docs/decisions/032-optional-embeddings.md).
 */
export async function ensureIndex(
  kind: IndexKind,
  uid = indexName(INDEXES[kind]),
  client: Meilisearch = meili(),
  groups?: string[][],
): Promise<boolean> {
  const existing = await client.getIndex(uid).catch(() => null);
  if (!existing) {
    const task = await client.createIndex(uid, { primaryKey: "id" }).waitTask({ timeout: 30_000 });
    if (task.status === "failed" && task.error?.code !== "index_already_exists") {
      throw new Error(`cannot create index ${uid}: ${task.error?.message}`);
    }
  }
  const settings = settingsFor(kind, groups ?? (await liveSynonymGroups()));
  const apply = async (s: Settings) => client.index(uid).updateSettings(s).waitTask({ timeout: 60_000 });
  const config = embeddingsConfig();
  if (!config) {
    // Set up while EMBEDDINGS_URL was set: its embedder would refuse documents without vectors.
    if (existing && Object.keys((await client.index(uid).getEmbedders()) ?? {}).length > 0) {
      const reset = await client.index(uid).resetEmbedders().waitTask({ timeout: 60_000 });
      if (reset.status === "failed") throw new Error(`cannot remove the embedder of ${uid}: ${reset.error?.message}`);
    }
  } else {
    const dimensions = await embeddingDimensions(config).catch((err: Error) => {
      logger.warn({ err: err.message, index: uid }, "embeddings service unavailable; index settings applied without its embedder for now");
      return null;
    });
    if (dimensions != null) {
      const task = await apply({ ...settings, ...embedderSettings(EMBEDDER, dimensions) });
      if (task.status === "succeeded") return true;
      logger.warn(
        { err: task.error?.message, index: uid },
        "cannot add the embedder to the index (documents without vectors, or other dimensions): run `npm run reindex`",
      );
    }
  }
  const task = await apply(settings);
  if (task.status === "failed") throw new Error(`cannot apply settings to ${uid}: ${task.error?.message}`);
  return config == null;
}

/** Both indexes; false when one of them still lacks its embedder (see ensureIndex). */
export async function ensureIndexes(): Promise<boolean> {
  const a = await ensureIndex("achievement");
  const d = await ensureIndex("demand");
  return a && d;
}
