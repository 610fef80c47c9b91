import type { Meilisearch } from "meilisearch";
import { logger } from "~/utils/logger.server.ts";
import { meili } from "./client.ts";
import { EMBEDDER, EMBEDDING_BATCH, embeddingKey, embeddingsConfig, embedTexts, EmbeddingsError, listingText } from "./embeddings.ts";

/**
 * Listing documents with their vectors, for the outbox and the rebuild. With a `userProvided`
 * embedder Meilisearch refuses a whole batch if one document lacks `_vectors.listing`, so every
 * document gets the key: its vector, or null when the service failed (the caller queues those
 * for a later try). Search and matching work either way; a document without a vector is only
 * missing from the vector query. Beside it, `embeddingKey` says what the vector was made from.
 */
export type VectorDoc<T> = T & { embeddingKey: string; _vectors: { [EMBEDDER]: number[] | null } };

interface ListingLike {
  id: string;
  title: string;
  keywords?: string[];
  summary?: string;
  description?: string;
}

/**
 * The vectors already in this index for these documents, where they were made from the same
 * model and text (their `embeddingKey`). A failure only means nothing is reused.
 */
async function storedVectors(
  indexUid: string,
  ids: string[],
  client: Meilisearch,
): Promise<Map<string, { key: string; vector: number[] }>> {
  const out = new Map<string, { key: string; vector: number[] }>();
  try {
    const { results } = await client
      .index(indexUid)
      .getDocuments({ ids, retrieveVectors: true, fields: ["id", "embeddingKey"], limit: ids.length });
    for (const d of results as unknown as Record<string, unknown>[]) {
      const v = (d._vectors as Record<string, { embeddings?: number[][] } | undefined> | undefined)?.[EMBEDDER]?.embeddings?.[0];
      if (typeof d.embeddingKey === "string" && v?.length) out.set(String(d.id), { key: d.embeddingKey, vector: v });
    }
  } catch (err) {
    logger.debug({ err: (err as Error).message, index: indexUid }, "stored vectors not read");
  }
  return out;
}

/**
 * The documents as they are when EMBEDDINGS_URL is unset; otherwise with `_vectors` and
 * `embeddingKey`, and the ids of those that got no vector. A vector stored in `reuseFrom` (the
 * live index) for the same model and text is reused; the rest are embedded. After the first
 * failing batch the rest are not tried (a service that is down would cost its timeout per batch).
 */
export async function withVectors<T extends ListingLike>(
  docs: T[],
  reuseFrom?: string,
  client: Meilisearch = meili(),
): Promise<{ docs: T[] | VectorDoc<T>[]; missing: string[] }> {
  const config = embeddingsConfig();
  if (!config || docs.length === 0) return { docs, missing: [] };
  const texts = docs.map(listingText);
  const keys = texts.map((t) => embeddingKey(config, t));
  const stored = reuseFrom
    ? await storedVectors(
        reuseFrom,
        docs.map((d) => d.id),
        client,
      )
    : new Map<string, { key: string; vector: number[] }>();
  const vectors: (number[] | null)[] = docs.map((d, i) => {
    const s = stored.get(d.id);
    return s && s.key === keys[i] ? s.vector : null;
  });
  const todo = docs.map((_, i) => i).filter((i) => vectors[i] == null);
  for (let b = 0; b < todo.length; b += EMBEDDING_BATCH) {
    const batch = todo.slice(b, b + EMBEDDING_BATCH);
    try {
      const got = await embedTexts(
        batch.map((i) => texts[i]!),
        { config },
      );
      got.forEach((v, j) => (vectors[batch[j]!] = v));
    } catch (err) {
      if (!(err instanceof EmbeddingsError)) throw err;
      logger.warn({ err: err.message, documents: todo.length - b }, "listings indexed without vectors; they will be tried again");
      break;
    }
  }
  return {
    docs: docs.map((d, i) => ({ ...d, embeddingKey: keys[i]!, _vectors: { [EMBEDDER]: vectors[i] ?? null } })),
    missing: docs.filter((_, i) => vectors[i] == null).map((d) => d.id),
  };
}
