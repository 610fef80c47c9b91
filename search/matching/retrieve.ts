import fs from "node:fs";
import mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { achievementDocument } from "../documents.ts";
import path from "node:path";
import type { Meilisearch, MultiSearchQuery } from "meilisearch";
import { indexName, meili } from "../client.ts";
import { INDEXES } from "../settings.ts";
import { loadSynonymGroups, VOCABULARY_DIR } from "../synonyms.ts";
import { ACHIEVEMENT_FIELDS, DEMAND_FIELDS, type Hit } from "./queries.ts";
import { specificityFromCounts, type Specificity } from "./score.ts";
import { buildLexicon, type Lexicon } from "./terms.ts";

/**
 * What matching reads from outside, with its process caches: the shipped vocabulary of
 * search/vocabulary/*.json as a lexicon (re-read when a file changes), how many achievements use a
 * word (Meilisearch hit counts, cached for half an hour), and the candidates of a listing (one
 * multi-search of the queries built in queries.ts).
 */

// ---------------------------------------------------------------------------------------------
// The lexicon of search/vocabulary/*.json

let lexiconCache: { checkedAt: number; mtimeMs: number; lexicon: Lexicon } | undefined;

let overrideGroups: { groups: string[][]; lexicon: Lexicon } | null = null;

/**
 * Match with these synonym groups instead of search/vocabulary (null: the files again). For the
 * quality harness, to try additions before they go into the shared file.
 */
export function useSynonymGroups(groups: string[][] | null): void {
  overrideGroups = groups ? { groups, lexicon: buildLexicon(groups) } : null;
}

/** The groups of search/vocabulary/*.json, read once and again only when a file changes. */
export function synonymLexicon(now = Date.now()): Lexicon {
  if (overrideGroups) return overrideGroups.lexicon;
  if (lexiconCache && now - lexiconCache.checkedAt < 30_000) return lexiconCache.lexicon;
  let mtimeMs = 0;
  try {
    for (const f of fs.readdirSync(VOCABULARY_DIR)) mtimeMs = Math.max(mtimeMs, fs.statSync(path.join(VOCABULARY_DIR, f)).mtimeMs);
  } catch {
    // unreadable: loadSynonymGroups below says why
  }
  if (!lexiconCache || lexiconCache.mtimeMs !== mtimeMs) {
    lexiconCache = { checkedAt: now, mtimeMs, lexicon: buildLexicon(loadSynonymGroups()) };
  } else {
    lexiconCache.checkedAt = now;
  }
  return lexiconCache.lexicon;
}

/**
 * Per-request options for Meilisearch. `Accept-Encoding: identity`: with fetch's default
 * (gzip, br) Meilisearch streams a compressed body whose last chunk waits for a delayed TCP ACK,
 * which costs ~40 ms per call on loopback; uncompressed answers come back in 1–3 ms.
 */
function requestInit(signal?: AbortSignal) {
  return { signal, headers: { "Accept-Encoding": "identity" } };
}

// ---------------------------------------------------------------------------------------------
// Specificity: how rare a concept is among the achievements (an IDF from Meilisearch hit counts)

const DF_TTL_MS = 30 * 60_000;
const DF_MAX_ENTRIES = 50_000;
const DEFAULT_SPECIFICITY = 0.6;

interface DfCache {
  indexUid: string;
  total: { value: number; at: number } | null;
  terms: Map<string, { df: number; at: number }>;
}
const dfCaches = new Map<string, DfCache>();

function dfCache(indexUid: string): DfCache {
  let c = dfCaches.get(indexUid);
  if (!c) {
    c = { indexUid, total: null, terms: new Map() };
    dfCaches.set(indexUid, c);
  }
  return c;
}

/** Forget the cached counts (tests, after bulk changes). */
export function clearMatchingCaches(): void {
  dfCaches.clear();
}

/**
 * Hit counts of these words in the achievements index: from the cache, the rest asked in one
 * multi-search of `limit: 0` queries (no filter: a word's rarity is a property of the corpus).
 */
export async function loadSpecificity(
  words: string[],
  opts: { client?: Meilisearch; signal?: AbortSignal; maxFetch?: number } = {},
): Promise<Specificity> {
  const client = opts.client ?? meili();
  const uid = indexName(INDEXES.achievement);
  const cache = dfCache(uid);
  const now = Date.now();
  const missing = [...new Set(words)].filter((w) => {
    const e = cache.terms.get(w);
    return !e || now - e.at > DF_TTL_MS;
  });
  const needTotal = !cache.total || now - cache.total.at > DF_TTL_MS;
  const fetch = missing.slice(0, opts.maxFetch ?? 60);
  if (fetch.length || needTotal) {
    // "all": a word the tokenizer splits (省水 → 省 水) must not count every document with 水.
    const queries: MultiSearchQuery[] = [
      { indexUid: uid, q: "", limit: 0 },
      ...fetch.map((w) => ({ indexUid: uid, q: w, limit: 0, matchingStrategy: "all" as const })),
    ];
    const { results } = await client.multiSearch({ queries }, requestInit(opts.signal));
    const at = Date.now();
    cache.total = { value: results[0]?.estimatedTotalHits ?? 0, at };
    fetch.forEach((w, i) => cache.terms.set(w, { df: results[i + 1]?.estimatedTotalHits ?? 0, at }));
    if (cache.terms.size > DF_MAX_ENTRIES) {
      // Oldest first out (Map keeps insertion order).
      for (const k of [...cache.terms.keys()].slice(0, cache.terms.size - DF_MAX_ENTRIES)) cache.terms.delete(k);
    }
  }
  const total = cache.total?.value ?? 0;
  return {
    of(term) {
      const e = cache.terms.get(term.canonical);
      return e ? specificityFromCounts(e.df, total) : DEFAULT_SPECIFICITY;
    },
    count(term) {
      return cache.terms.get(term.canonical)?.df ?? null;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Candidates

/** The hits of all these queries on one index, each document once (first seen first). */
export async function retrieve(
  indexKind: "achievement" | "demand",
  queries: { q: string; limit: number; strategy?: "last" | "frequency" }[],
  filter: string[],
  opts: { client?: Meilisearch; signal?: AbortSignal } = {},
): Promise<Hit[]> {
  const client = opts.client ?? meili();
  const indexUid = indexName(INDEXES[indexKind]);
  const attributesToRetrieve = indexKind === "achievement" ? ACHIEVEMENT_FIELDS : DEMAND_FIELDS;
  const { results } = await client.multiSearch(
    {
      queries: queries.map((x) => ({
        indexUid,
        q: x.q,
        limit: x.limit,
        filter,
        matchingStrategy: x.strategy ?? ("last" as const),
        attributesToRetrieve,
      })),
    },
    requestInit(opts.signal),
  );
  const byId = new Map<string, Hit>();
  for (const r of results) for (const h of r.hits as Hit[]) if (!byId.has(h.id)) byId.set(h.id, h);
  return [...byId.values()];
}

/**
 * Achievements by id as search hits (the shape of the index's documents), from MongoDB: for the
 * candidates BM25 found in memory. A listing no longer public is left out.
 */
export async function achievementHits(ids: string[]): Promise<Hit[]> {
  if (ids.length === 0) return [];
  const docs = await Achievement.find({ _id: { $in: ids.map((id) => new mongoose.Types.ObjectId(id)) } }).lean();
  const byId = new Map<string, Hit>();
  for (const d of docs) {
    const doc = achievementDocument(d as AchievementDoc & { _id: mongoose.Types.ObjectId });
    if (doc) byId.set(doc.id, doc as unknown as Hit);
  }
  return ids.map((id) => byId.get(id)).filter((h): h is Hit => !!h);
}
