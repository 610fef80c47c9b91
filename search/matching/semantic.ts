import type { Meilisearch } from "meilisearch";
import { logger } from "~/utils/logger.server.ts";
import { indexName, meili } from "../client.ts";
import { EMBEDDER, embeddingsConfig, embedTexts, listingText } from "../embeddings.ts";
import { INDEXES } from "../settings.ts";
import { ACHIEVEMENT_FIELDS, DEMAND_FIELDS, type Hit } from "./queries.ts";

/**
 * The optional semantic list of matching (docs/decisions/032-optional-embeddings.md): the query
 * text embedded by the EMBEDDINGS_URL service, then a Meilisearch vector search (the
 * `userProvided` embedder "listing", semanticRatio 1) under the same hard-constraint filter as the
 * text retrieval. Best first; each hit carries `_rankingScore`, (1 + cosine) / 2.
 *
 * Returns null when there is no semantic layer: EMBEDDINGS_URL unset, or the service or the index
 * failed (said once in the log; for a short while after a failure it is not asked at all, so a
 * slow or dead service does not slow every match). Matching then ranks with its text lists alone.
 */

/** A query waits this long for its vector; matching must stay fast. */
const QUERY_TIMEOUT_MS = 2_000;
/** After a failure the layer rests this long. */
const REST_MS = 30_000;
/**
 * More similar than unrelated: cosine > 0. Also leaves out documents without a vector, which a
 * vector search returns last with score 0.
 */
const MIN_SCORE = 0.5;

/** The query text of a listing: the text its own vector was made of. */
export function semanticText(l: { title: string; keywords: readonly string[]; summary?: string; description: string }): string {
  return listingText(l);
}

let restingUntil = 0;
let failing = false;

/** Let the next call try again at once (tests). */
export function wakeSemanticLayer(): void {
  restingUntil = 0;
}

export async function semanticCandidates(
  kind: "achievement" | "demand",
  text: string,
  filter: string[],
  limit: number,
  opts: { signal?: AbortSignal; client?: Meilisearch } = {},
): Promise<Hit[] | null> {
  const config = embeddingsConfig();
  if (!config || !text.trim() || limit <= 0) return config ? [] : null;
  if (Date.now() < restingUntil) return null;
  try {
    const [vector] = await embedTexts([text], { config, signal: opts.signal, timeoutMs: QUERY_TIMEOUT_MS });
    const client = opts.client ?? meili();
    const res = await client.index(indexName(INDEXES[kind])).search(
      null,
      {
        vector,
        hybrid: { embedder: EMBEDDER, semanticRatio: 1 },
        filter,
        limit,
        rankingScoreThreshold: MIN_SCORE,
        showRankingScore: true,
        attributesToRetrieve: kind === "achievement" ? ACHIEVEMENT_FIELDS : DEMAND_FIELDS,
      },
      { signal: opts.signal, headers: { "Accept-Encoding": "identity" } },
    );
    if (failing) logger.info("semantic matching available again");
    failing = false;
    return res.hits as Hit[];
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    if (!failing) logger.warn({ err: (err as Error).message }, "semantic matching unavailable; matching with text alone for now");
    failing = true;
    restingUntil = Date.now() + REST_MS;
    return null;
  }
}
