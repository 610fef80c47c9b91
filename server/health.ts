import mongoose from "mongoose";
import { meili } from "../search/client.ts";
import { corpusStatus } from "../search/matching/corpus.ts";
import { outboxBacklog } from "../search/outbox.ts";
import { supervisedServices, type SupervisedStatus } from "./embedded/supervisor.ts";

export interface Health {
  status: "ok" | "unavailable";
  mongodb: { ok: boolean; version?: string; replicaSet?: string; error?: string };
  meilisearch: { ok: boolean; version?: string; error?: string };
  /** Listing changes not yet applied to the search index (the outbox). */
  searchBacklog?: { pending: number; oldestSeconds: number | null };
  /** Matching's corpus statistics in this instance (docs/decisions/033): null per kind until first built. */
  matchingCorpus: ReturnType<typeof corpusStatus>;
  /** The embedded services this app runs and restarts (none when both are external). */
  embedded?: Record<string, SupervisedStatus>;
  uptimeSeconds: number;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms).unref()),
  ]);
}

/** Asks both services for their versions; the answer names what is really connected. */
export async function checkHealth(): Promise<Health> {
  const [mongo, search] = await Promise.allSettled([
    withTimeout(
      (async () => {
        if (mongoose.connection.readyState !== 1) throw new Error("not connected");
        const admin = mongoose.connection.db!.admin();
        const info = await admin.command({ buildInfo: 1 });
        const hello = await admin.command({ hello: 1 });
        return { version: String(info.version), replicaSet: hello.setName as string | undefined };
      })(),
      2000,
      "MongoDB",
    ),
    withTimeout(meili().getVersion(), 2000, "Meilisearch"),
  ]);
  const mongodb = mongo.status === "fulfilled" ? { ok: true, ...mongo.value } : { ok: false, error: (mongo.reason as Error).message };
  const meilisearch =
    search.status === "fulfilled" ? { ok: true, version: search.value.pkgVersion } : { ok: false, error: (search.reason as Error).message };
  const searchBacklog = mongodb.ok ? await outboxBacklog().catch(() => undefined) : undefined;
  const embedded = supervisedServices();
  return {
    status: mongodb.ok && meilisearch.ok ? "ok" : "unavailable",
    mongodb,
    meilisearch,
    ...(searchBacklog ? { searchBacklog } : {}),
    ...(Object.keys(embedded).length ? { embedded } : {}),
    matchingCorpus: corpusStatus(),
    uptimeSeconds: Math.round(process.uptime()),
  };
}
