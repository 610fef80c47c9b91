import { createHash } from "node:crypto";
import { z } from "zod";
import { env } from "~/utils/env.server.ts";
import { peekSingleton, setSingleton } from "~/utils/singleton.server.ts";

/**
 * The optional embeddings service (docs/decisions/032-optional-embeddings.md): an OpenAI-compatible
 * `POST /v1/embeddings` ({model, input: string[]} → {data: [{embedding, index}]}), asked in batches,
 * with a timeout, its answers validated, and a process cache of text → vector so that a listing
 * whose text did not change (featured, status) and a demand matched again are not embedded twice.
 * Unset EMBEDDINGS_URL: `embeddingsConfig()` is null and nothing here runs.
 */

export interface EmbeddingsConfig {
  /** the full endpoint, …/v1/embeddings */
  endpoint: string;
  model: string;
  apiKey?: string;
  /** configured; otherwise read from the first answer (see `embeddingDimensions`) */
  dimensions?: number;
}

/** The name of the Meilisearch embedder, the key under `_vectors`. */
export const EMBEDDER = "listing";

/** The service from the environment, or null when EMBEDDINGS_URL is unset. */
export function embeddingsConfig(): EmbeddingsConfig | null {
  const e = env();
  if (!e.EMBEDDINGS_URL || !e.EMBEDDINGS_MODEL) return null;
  return {
    endpoint: embeddingsEndpoint(e.EMBEDDINGS_URL),
    model: e.EMBEDDINGS_MODEL,
    apiKey: e.EMBEDDINGS_API_KEY,
    dimensions: e.EMBEDDINGS_DIMENSIONS,
  };
}

/** `http://h:8080`, `http://h:8080/v1` and `http://h:8080/v1/embeddings` all mean the last. */
export function embeddingsEndpoint(url: string): string {
  const base = url.replace(/\/+$/, "");
  if (/\/v1\/embeddings$/.test(base)) return base;
  if (/\/v1$/.test(base)) return `${base}/embeddings`;
  return `${base}/v1/embeddings`;
}

// ---------------------------------------------------------------------------------------------
// The text of a listing

/** Most Chinese embedding models read 512 tokens; a Chinese character is about one. */
export const EMBEDDING_TEXT_MAX = 500;
const DESCRIPTION_START = 300;

/**
 * What a listing's vector stands for: its title, keywords, summary and the start of its
 * description — what it is, not everything it mentions. The same for documents and queries.
 */
export function listingText(l: { title: string; keywords?: readonly string[]; summary?: string; description?: string }): string {
  const parts = [l.title, (l.keywords ?? []).join("，"), l.summary ?? "", (l.description ?? "").slice(0, DESCRIPTION_START)];
  return parts
    .map((p) => p.replace(/\s+/g, " ").trim())
    .filter(Boolean)
    .join("。")
    .slice(0, EMBEDDING_TEXT_MAX);
}

/**
 * What a stored vector was made from: the model and the text, hashed. Kept beside `_vectors` in
 * the document (`embeddingKey`), so a rebuild or a change that leaves the text alone reuses the
 * stored vector instead of asking the service again — across restarts and instances.
 */
export function embeddingKey(config: EmbeddingsConfig, text: string): string {
  return createHash("sha256")
    .update(`${config.model}|${config.dimensions ?? ""}\n${text}`)
    .digest("base64url")
    .slice(0, 32);
}

// ---------------------------------------------------------------------------------------------
// The client

export class EmbeddingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EmbeddingsError";
  }
}

const answerSchema = z.object({
  data: z.array(z.object({ embedding: z.array(z.number().finite()).min(1), index: z.number().int().min(0) })).min(1),
});

/** Inputs per request: OpenAI accepts 2048, self-hosted servers often far fewer. */
export const EMBEDDING_BATCH = 32;
const INDEXING_TIMEOUT_MS = 30_000;
const CACHE_MAX = 5_000;

interface State {
  key: string;
  cache: Map<string, number[]>;
  dimensions?: number;
}

/** Per process and per service (endpoint + model): a vector of another model means nothing. */
function state(config: EmbeddingsConfig): State {
  const key = `${config.endpoint}|${config.model}|${config.dimensions ?? ""}`;
  let s = peekSingleton<State>("embeddings");
  if (s?.key !== key) {
    s = { key, cache: new Map(), dimensions: config.dimensions };
    setSingleton("embeddings", s);
  }
  return s;
}

/** Forget cached vectors and discovered dimensions (tests). */
export function clearEmbeddingsCache(): void {
  setSingleton("embeddings", undefined);
}

const hashOf = (text: string) => createHash("sha256").update(text).digest("base64url");

/**
 * Vectors for these texts, in order. Cached texts are not asked again; the rest go in batches of
 * EMBEDDING_BATCH. Throws EmbeddingsError when the service fails, answers something else than one
 * vector per input, or vectors of the wrong length.
 */
export async function embedTexts(
  texts: readonly string[],
  opts: { config?: EmbeddingsConfig; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<number[][]> {
  const config = opts.config ?? embeddingsConfig();
  if (!config) throw new EmbeddingsError("EMBEDDINGS_URL is not set");
  const s = state(config);
  const out: (number[] | undefined)[] = texts.map((t) => s.cache.get(hashOf(t)));
  const missing = [...new Set(texts.filter((_, i) => !out[i]))];
  for (let i = 0; i < missing.length; i += EMBEDDING_BATCH) {
    const batch = missing.slice(i, i + EMBEDDING_BATCH);
    const vectors = await request(config, batch, opts.signal, opts.timeoutMs ?? INDEXING_TIMEOUT_MS);
    for (const [j, v] of vectors.entries()) {
      if (s.dimensions == null) s.dimensions = v.length;
      if (v.length !== s.dimensions) {
        throw new EmbeddingsError(
          `the embeddings service answered a vector of ${v.length} numbers, expected ${s.dimensions} (EMBEDDINGS_DIMENSIONS)`,
        );
      }
      remember(s, hashOf(batch[j]!), v);
    }
  }
  return texts.map((t, i) => out[i] ?? s.cache.get(hashOf(t))!);
}

function remember(s: State, key: string, v: number[]) {
  s.cache.delete(key);
  s.cache.set(key, v);
  // Oldest first out (a Map keeps insertion order; a hit is re-inserted above).
  if (s.cache.size > CACHE_MAX) s.cache.delete(s.cache.keys().next().value!);
}

async function request(config: EmbeddingsConfig, input: string[], signal: AbortSignal | undefined, timeoutMs: number): Promise<number[][]> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(config.endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify({ model: config.model, input }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : (err as Error).message;
    throw new EmbeddingsError(`the embeddings service at ${config.endpoint} failed: ${why}`);
  }
  const body = await res.text().catch(() => "");
  if (!res.ok) throw new EmbeddingsError(`the embeddings service answered ${res.status}: ${body.slice(0, 200)}`);
  let parsed: z.infer<typeof answerSchema>;
  try {
    parsed = answerSchema.parse(JSON.parse(body));
  } catch {
    throw new EmbeddingsError(`the embeddings service answered something other than {data: [{embedding, index}]}: ${body.slice(0, 200)}`);
  }
  const vectors: number[][] = [];
  for (const d of parsed.data) vectors[d.index] = d.embedding;
  if (parsed.data.length !== input.length || input.some((_, i) => !vectors[i])) {
    throw new EmbeddingsError(`the embeddings service answered ${parsed.data.length} vectors for ${input.length} inputs`);
  }
  return vectors;
}

/**
 * The vectors' length: EMBEDDINGS_DIMENSIONS, or what the service answered (asked once with a
 * short text when nothing was embedded yet). Throws EmbeddingsError when it cannot be known.
 */
export async function embeddingDimensions(config = embeddingsConfig()): Promise<number> {
  if (!config) throw new EmbeddingsError("EMBEDDINGS_URL is not set");
  const s = state(config);
  if (s.dimensions == null) await embedTexts(["技术成果"], { config, timeoutMs: 10_000 });
  return s.dimensions!;
}
