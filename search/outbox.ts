import { randomUUID } from "node:crypto";
import mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import { SearchOutbox } from "~/models/search-outbox.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { indexName, meili } from "./client.ts";
import { achievementDocument, demandDocument } from "./documents.ts";
import { embeddingsConfig } from "./embeddings.ts";
import { warmCorpora } from "./matching/corpus.ts";
import { ensureIndexes } from "./indexes.ts";
import { INDEXES, type IndexKind } from "./settings.ts";
import { withVectors } from "./vectors.ts";

/**
 * Applies the search outbox to Meilisearch. Each pass claims a batch of due entries, reads the
 * listings' current state from MongoDB, upserts public ones and deletes the rest, waits until
 * Meilisearch has applied the change, and only then removes the entries. A failure leaves the
 * entries for a later pass with a growing delay, so the index catches up once Meilisearch is back.
 */
const WORKER_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;
const BATCH = 500;
/** With EMBEDDINGS_URL each document is embedded too: smaller passes stay well inside the claim. */
const BATCH_WITH_EMBEDDINGS = 100;
const CLAIM_MS = 60_000;

function backoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.min(attempts, 6), 60_000);
}

/** A listing indexed without its vector is tried again after 30 s, then less often, at most hourly. */
function vectorRetryMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.min(attempts, 7), 3_600_000);
}

/**
 * Queues these listings again for when the embeddings service may be back: the entry re-syncs the
 * listing (its current text), so an edit in between is not lost either.
 */
export async function enqueueVectorRetry(kind: IndexKind, ids: string[], attempts = new Map<string, number>()): Promise<void> {
  if (ids.length === 0) return;
  const now = Date.now();
  await SearchOutbox.insertMany(
    ids.map((id) => {
      const n = (attempts.get(id) ?? 0) + 1;
      return {
        kind,
        listingId: new mongoose.Types.ObjectId(id),
        attempts: n,
        dueAt: new Date(now + vectorRetryMs(n - 1)),
        createdAt: new Date(now),
        lastError: "indexed without its vector (embeddings service unavailable)",
      };
    }),
    { lean: true },
  );
}

/** One pass; returns how many entries it applied (0 when nothing was due). */
export async function applyOutboxOnce(now = new Date()): Promise<number> {
  const due = await SearchOutbox.find({ dueAt: { $lte: now }, $or: [{ claimedUntil: null }, { claimedUntil: { $lt: now } }] }, { _id: 1 })
    .sort({ dueAt: 1, _id: 1 })
    .limit(embeddingsConfig() ? BATCH_WITH_EMBEDDINGS : BATCH)
    .lean();
  if (due.length === 0) return 0;
  const claim = `${WORKER_ID}-${randomUUID().slice(0, 8)}`;
  await SearchOutbox.updateMany(
    { _id: { $in: due.map((d) => d._id) }, $or: [{ claimedUntil: null }, { claimedUntil: { $lt: now } }] },
    { $set: { claimedBy: claim, claimedUntil: new Date(now.getTime() + CLAIM_MS) } },
  );
  const mine = await SearchOutbox.find({ claimedBy: claim }).lean();
  if (mine.length === 0) return 0;
  try {
    const retries: { kind: IndexKind; ids: string[] }[] = [];
    for (const kind of ["achievement", "demand"] as const) {
      const ids = [...new Set(mine.filter((e) => e.kind === kind).map((e) => String(e.listingId)))];
      if (ids.length) retries.push({ kind, ids: await syncListings(kind, ids) });
    }
    if (retries.some((r) => r.ids.length)) {
      const attempts = new Map<string, number>();
      for (const e of mine) attempts.set(String(e.listingId), Math.max(attempts.get(String(e.listingId)) ?? 0, e.attempts ?? 0));
      for (const r of retries) await enqueueVectorRetry(r.kind, r.ids, attempts);
    }
    await SearchOutbox.deleteMany({ _id: { $in: mine.map((e) => e._id) } });
    return mine.length;
  } catch (err) {
    const message = (err as Error).message?.slice(0, 500) ?? String(err);
    await SearchOutbox.bulkWrite(
      mine.map((e) => ({
        updateOne: {
          filter: { _id: e._id },
          update: {
            $set: { dueAt: new Date(Date.now() + backoffMs(e.attempts ?? 0)), lastError: message },
            $inc: { attempts: 1 },
            $unset: { claimedBy: "", claimedUntil: "" },
          },
        },
      })),
    );
    throw err;
  }
}

/**
 * Brings the index entries of these listings in line with MongoDB (upsert or delete). Returns the
 * ids upserted without a vector (EMBEDDINGS_URL set, the service failed); none otherwise.
 */
export async function syncListings(kind: IndexKind, ids: string[]): Promise<string[]> {
  const Model = (kind === "achievement" ? Achievement : Demand) as unknown as mongoose.Model<AchievementDoc | DemandDoc>;
  const docs = await Model.find({ _id: { $in: ids.map((id) => new mongoose.Types.ObjectId(id)) } }).lean();
  const byId = new Map(docs.map((d) => [String(d._id), d]));
  const upserts: (NonNullable<ReturnType<typeof achievementDocument>> | NonNullable<ReturnType<typeof demandDocument>>)[] = [];
  const deletes: string[] = [];
  for (const id of ids) {
    const d = byId.get(id);
    const doc = d
      ? kind === "achievement"
        ? achievementDocument(d as AchievementDoc & { _id: mongoose.Types.ObjectId })
        : demandDocument(d as DemandDoc & { _id: mongoose.Types.ObjectId })
      : null;
    if (doc) upserts.push(doc);
    else deletes.push(id);
  }
  const written = await withVectors(upserts, indexName(INDEXES[kind]));
  const index = meili().index(indexName(INDEXES[kind]));
  const tasks = [];
  if (upserts.length) tasks.push(await index.addDocuments(written.docs, { primaryKey: "id" }));
  if (deletes.length) tasks.push(await index.deleteDocuments(deletes));
  for (const t of tasks) {
    const done = await meili().tasks.waitForTask(t.taskUid, { timeout: 60_000 });
    if (done.status !== "succeeded") throw new Error(`Meilisearch task ${t.taskUid} ${done.status}: ${done.error?.message ?? ""}`);
  }
  return written.missing;
}

/** Applies everything that is due now (tests, reindex, shutdown). */
export async function drainOutbox(): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await applyOutboxOnce();
    if (n === 0) return total;
    total += n;
  }
}

/** Counting stops here: a backlog this long says enough, and /healthz must stay cheap. */
export const BACKLOG_COUNT_LIMIT = 100_000;

/**
 * Entries waiting (counted exactly, up to BACKLOG_COUNT_LIMIT), and the oldest one's age: for
 * health and the admin. Not `estimatedDocumentCount`: that reads the collection's stored count,
 * which an unclean mongod stop leaves wrong (entries applied and deleted just before the crash
 * stay counted until the collection is validated), so /healthz showed a backlog that never drained.
 */
export async function outboxBacklog(): Promise<{ pending: number; oldestSeconds: number | null }> {
  const [pending, oldest] = await Promise.all([
    SearchOutbox.countDocuments({}, { limit: BACKLOG_COUNT_LIMIT }),
    SearchOutbox.findOne({}, { createdAt: 1 }).sort({ _id: 1 }).lean(),
  ]);
  const created = (oldest as { createdAt?: Date } | null)?.createdAt;
  return { pending, oldestSeconds: created ? Math.round((Date.now() - created.getTime()) / 1000) : null };
}

const SETTINGS_RETRY_MS = 5 * 60_000;

/**
 * The background worker: settings first (retried until Meilisearch answers), then the outbox,
 * quickly while there is work and every second otherwise.
 */
export function startOutboxWorker(): () => void {
  let stopped = false;
  let settingsApplied = false;
  // With EMBEDDINGS_URL, an index whose embedder could not be added yet is tried again now and then.
  let settingsAgainAt = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  const loop = async () => {
    if (stopped) return;
    let delay = 1000;
    try {
      if (!settingsApplied || Date.now() >= settingsAgainAt) {
        const complete = await ensureIndexes();
        if (!settingsApplied) {
          logger.info("search indexes ready");
          // Matching's corpus statistics, built in the background before the first match asks.
          warmCorpora();
        }
        settingsApplied = true;
        settingsAgainAt = complete ? Number.POSITIVE_INFINITY : Date.now() + SETTINGS_RETRY_MS;
      }
      const n = await applyOutboxOnce();
      if (n > 0) delay = 50;
      if (failures > 0) logger.info("search index sync recovered");
      failures = 0;
    } catch (err) {
      failures++;
      // Say it once, then quietly keep retrying: the site works without the index.
      if (failures === 1) logger.warn({ err: (err as Error).message }, "search index sync failed; retrying");
      delay = Math.min(1000 * 2 ** Math.min(failures, 5), 30_000);
    }
    if (!stopped) timer = setTimeout(loop, delay);
  };
  timer = setTimeout(loop, 0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
