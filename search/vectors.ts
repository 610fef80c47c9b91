import { logger } from "~/utils/logger.server.ts";
import { EMBEDDER, EMBEDDING_BATCH, embeddingsConfig, embedTexts, EmbeddingsError, listingText } from "./embeddings.ts";

/**
 * Listing documents with their vectors, for the outbox and the rebuild. With a `userProvided`
 * embedder Meilisearch refuses a whole batch if one document lacks `_vectors.listing`, so every
 * document gets the key: its vector, or null when the service failed (the caller queues those
 * for a later try). Search and matching work either way; a document without a vector is only
 * missing from the vector query.
 */
export type VectorDoc<T> = T & { _vectors: { [EMBEDDER]: number[] | null } };

interface ListingLike {
  id: string;
  title: string;
  keywords?: string[];
  summary?: string;
  description?: string;
}

/**
 * The documents as they are when EMBEDDINGS_URL is unset; otherwise with `_vectors`, and the ids
 * of those that got none. After the first failing batch the rest are not tried (a service that is
 * down would cost its timeout once per batch).
 */
export async function withVectors<T extends ListingLike>(docs: T[]): Promise<{ docs: T[] | VectorDoc<T>[]; missing: string[] }> {
  const config = embeddingsConfig();
  if (!config || docs.length === 0) return { docs, missing: [] };
  const vectors: (number[] | null)[] = docs.map(() => null);
  for (let i = 0; i < docs.length; i += EMBEDDING_BATCH) {
    const batch = docs.slice(i, i + EMBEDDING_BATCH);
    try {
      const got = await embedTexts(batch.map(listingText), { config });
      got.forEach((v, j) => (vectors[i + j] = v));
    } catch (err) {
      if (!(err instanceof EmbeddingsError)) throw err;
      logger.warn({ err: err.message, documents: docs.length - i }, "listings indexed without vectors; they will be tried again");
      break;
    }
  }
  return {
    docs: docs.map((d, i) => ({ ...d, _vectors: { [EMBEDDER]: vectors[i] ?? null } })),
    missing: docs.filter((_, i) => vectors[i] == null).map((d) => d.id),
  };
}
