import type mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import { enqueueIndexing } from "~/models/search-outbox.server.ts";
import { PUBLIC_STATUSES } from "~/utils/listing-workflow.ts";
import { indexName, meili } from "./client.ts";
import { achievementDocument, demandDocument } from "./documents.ts";
import { ensureIndex } from "./indexes.ts";
import { enqueueVectorRetry } from "./outbox.ts";
import { INDEXES, type IndexKind } from "./settings.ts";
import { withVectors } from "./vectors.ts";

export interface ReindexProgress {
  kind: IndexKind;
  done: number;
  total: number;
}

/**
 * Rebuilds one index from MongoDB into a fresh index, then swaps it in atomically: searches keep
 * answering from the old index until the new one is complete, so there is no window of empty
 * results. Changes made while the rebuild ran are re-queued through the outbox afterwards. With
 * EMBEDDINGS_URL the documents carry their vectors (docs/decisions/032-optional-embeddings.md);
 * those the service could not embed go in without and are queued for a later try.
 */
export async function rebuildIndex(
  kind: IndexKind,
  onProgress: (p: ReindexProgress) => void = () => {},
  /** the synonym groups to build with (default: the live vocabulary, search/live-vocabulary.ts) */
  groups?: string[][],
): Promise<number> {
  const client = meili();
  const live = indexName(INDEXES[kind]);
  const fresh = `${live}_rebuild_${Date.now()}`;
  const startedAt = new Date(Date.now() - 1000);
  await ensureIndex(kind, live, client, groups); // the swap needs both to exist
  await ensureIndex(kind, fresh, client, groups);
  const Model = (kind === "achievement" ? Achievement : Demand) as unknown as mongoose.Model<AchievementDoc | DemandDoc>;
  const filter = { status: { $in: PUBLIC_STATUSES } };
  const total = await Model.countDocuments(filter);
  onProgress({ kind, done: 0, total });
  let done = 0;
  let batch: (NonNullable<ReturnType<typeof achievementDocument>> | NonNullable<ReturnType<typeof demandDocument>>)[] = [];
  const pending: number[] = [];
  const withoutVector: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const written = await withVectors(batch, live, client);
    withoutVector.push(...written.missing);
    const task = await client.index(fresh).addDocuments(written.docs, { primaryKey: "id" });
    pending.push(task.taskUid);
    done += batch.length;
    batch = [];
    // Keep a few batches in flight, not thousands.
    if (pending.length >= 4) await waitAll(pending.splice(0));
    onProgress({ kind, done, total });
  };
  for await (const d of Model.find(filter).lean().cursor({ batchSize: 1000 })) {
    const doc =
      kind === "achievement"
        ? achievementDocument(d as AchievementDoc & { _id: mongoose.Types.ObjectId })
        : demandDocument(d as DemandDoc & { _id: mongoose.Types.ObjectId });
    if (doc) batch.push(doc);
    if (batch.length >= 2000) await flush();
  }
  await flush();
  await waitAll(pending);
  const swap = await client.swapIndexes([{ indexes: [live, fresh], rename: false }]).waitTask({ timeout: 120_000 });
  if (swap.status !== "succeeded") throw new Error(`swapping ${fresh} into ${live} failed: ${swap.error?.message}`);
  await client.deleteIndex(fresh).waitTask({ timeout: 120_000 }); // now holds the old documents
  // Whatever changed while we read: let the outbox bring it up to date in the new index.
  const changed = await Model.find({ updatedAt: { $gte: startedAt } }, { _id: 1 }).lean();
  await enqueueIndexing(
    null,
    kind,
    changed.map((c) => c._id),
  );
  await enqueueVectorRetry(kind, withoutVector);
  return done;
}

/**
 * The newest field of each kind's documents (search/documents.ts): an index whose documents lack
 * it was written by an older app — the money bands' facet would count nothing there.
 */
export const NEWEST_FIELD: Record<IndexKind, string> = { achievement: "priceBuckets", demand: "budgetBuckets" };

/** How many documents of the live index lack today's newest field (the index settings must be applied). */
export async function outdatedDocuments(kind: IndexKind): Promise<number> {
  const r = await meili()
    .index(indexName(INDEXES[kind]))
    .search("", { filter: `${NEWEST_FIELD[kind]} NOT EXISTS`, page: 1, hitsPerPage: 0 });
  return r.totalHits ?? 0;
}

/**
 * Rebuilds (rebuildIndex: into a fresh index, then swapped in) each index that still holds
 * documents written by an older app; answers the documents indexed per kind, or null when every
 * index is current. Run by a job (app/services/search/jobs.server.ts), so it also heals an index
 * restored from an older backup.
 */
export async function rebuildOutdatedIndexes(): Promise<Partial<Record<IndexKind, number>> | null> {
  const rebuilt: Partial<Record<IndexKind, number>> = {};
  for (const kind of Object.keys(INDEXES) as IndexKind[]) {
    if ((await outdatedDocuments(kind)) > 0) rebuilt[kind] = await rebuildIndex(kind);
  }
  return Object.keys(rebuilt).length ? rebuilt : null;
}

async function waitAll(uids: number[]) {
  for (const uid of uids) {
    const t = await meili().tasks.waitForTask(uid, { timeout: 300_000, interval: 100 });
    if (t.status !== "succeeded") throw new Error(`Meilisearch task ${uid} ${t.status}: ${t.error?.message ?? ""}`);
  }
}
