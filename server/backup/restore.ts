import { createReadStream } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import zlib from "node:zlib";
import { BSON, type MongoServerError, type Db, type Document } from "mongodb";
import { MIGRATIONS } from "../migrations/index.ts";
import { BackupError, verifyBackup, type Manifest } from "./format.ts";

const { EJSON } = BSON;

export interface RestoreProgress {
  stage: "verify" | "insert" | "indexes";
  collection: string;
  done: number;
  total: number;
}

const BATCH_DOCS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;
const NAMESPACE_EXISTS = 48;
const INDEX_CONFLICTS = new Set([85 /* IndexOptionsConflict */, 86 /* IndexKeySpecsConflict */]);

/**
 * Puts a backup made by dumpDatabase into `db`: checks every file's checksum first, refuses a
 * database that holds any document (unless `force`, which drops its collections first), inserts
 * in batches, recreates the indexes and checks the counts. The search index is the caller's
 * (server/cli/restore.ts rebuilds it).
 */
export async function restoreDatabase(
  db: Db,
  dir: string,
  manifest: Manifest,
  {
    force = false,
    onProgress = () => {},
    log = () => {},
  }: { force?: boolean; onProgress?: (p: RestoreProgress) => void; log?: (m: string) => void } = {},
): Promise<{ name: string; count: number }[]> {
  let verified = 0;
  await verifyBackup(dir, manifest, (name) =>
    onProgress({ stage: "verify", collection: name, done: ++verified, total: manifest.collections.length }),
  );

  const known = new Set(MIGRATIONS.map((m) => m.id));
  const newer = manifest.app.migrations.filter((id) => !known.has(id));
  if (newer.length && !force) {
    throw new BackupError(
      `The backup was made by a newer version of the app (${manifest.app.version}; migrations ${newer.join(", ")} are unknown here). Restore it with that version, or pass --force to restore it anyway.`,
    );
  }

  const existing = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith("system."));
  const holding: string[] = [];
  for (const name of existing) if (await db.collection(name).findOne({}, { projection: { _id: 1 } })) holding.push(name);
  if (holding.length) {
    if (!force) {
      throw new BackupError(
        `The database "${db.databaseName}" is not empty (${holding.slice(0, 5).join(", ")}${holding.length > 5 ? ` and ${holding.length - 5} more` : ""} hold documents). Restore into an empty database, or pass --force to drop every collection in it first.`,
      );
    }
    log(`--force: dropping the ${existing.length} collections of "${db.databaseName}"`);
    for (const name of existing)
      await db
        .collection(name)
        .drop()
        .catch(() => {});
  }

  const restored: { name: string; count: number }[] = [];
  for (const c of manifest.collections.filter((x) => x.type === "collection")) {
    try {
      await db.createCollection(c.name, c.options);
    } catch (e) {
      // The app's models may have created it (with its indexes) as this process connected.
      if ((e as MongoServerError).code !== NAMESPACE_EXISTS) throw e;
    }
    const coll = db.collection(c.name);
    let batch: Document[] = [];
    let bytes = 0;
    let done = 0;
    const flush = async () => {
      if (!batch.length) return;
      await coll.insertMany(batch, { ordered: true, bypassDocumentValidation: true });
      done += batch.length;
      batch = [];
      bytes = 0;
      onProgress({ stage: "insert", collection: c.name, done, total: c.count });
    };
    onProgress({ stage: "insert", collection: c.name, done: 0, total: c.count });
    const lines = createInterface({ input: createReadStream(path.join(dir, c.file!)).pipe(zlib.createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      batch.push(EJSON.parse(line, { relaxed: false }) as Document);
      bytes += line.length;
      if (batch.length >= BATCH_DOCS || bytes >= BATCH_BYTES) await flush();
    }
    await flush();
    restored.push({ name: c.name, count: done });
  }
  for (const c of manifest.collections.filter((x) => x.type === "view")) {
    await db.createCollection(c.name, c.options).catch((e: MongoServerError) => {
      if (e.code !== NAMESPACE_EXISTS) throw e;
    });
  }

  let indexed = 0;
  for (const c of manifest.collections) {
    onProgress({ stage: "indexes", collection: c.name, done: indexed++, total: manifest.collections.length });
    const specs = c.indexes.filter((i) => i.name !== "_id_");
    if (c.type !== "collection" || !specs.length) continue;
    try {
      await db.command({ createIndexes: c.name, indexes: specs });
    } catch (e) {
      if (!INDEX_CONFLICTS.has((e as MongoServerError).code as number)) throw e;
      // One index at a time, so only the one that differs from today's model is left out.
      for (const spec of specs) {
        await db.command({ createIndexes: c.name, indexes: [spec] }).catch((err: MongoServerError) => {
          if (!INDEX_CONFLICTS.has(err.code as number)) throw err;
          log(`${c.name}: index ${spec.name} kept as the app made it (${err.message})`);
        });
      }
    }
  }

  // Job locks and search-outbox claims in the backup belong to processes of the old installation,
  // which are gone: left as they are, a claimed entry would wait out its claim before being applied.
  if (restored.some((r) => r.name === "agendaJobs")) {
    await db.collection("agendaJobs").updateMany({ lockedAt: { $ne: null } }, { $set: { lockedAt: null } });
  }
  if (restored.some((r) => r.name === "searchoutboxes")) {
    await db.collection("searchoutboxes").updateMany({ claimedBy: { $exists: true } }, { $unset: { claimedBy: "", claimedUntil: "" } });
  }

  const wrong: string[] = [];
  for (const c of manifest.collections.filter((x) => x.type === "collection")) {
    const count = await db.collection(c.name).countDocuments();
    if (count !== c.count) wrong.push(`${c.name}: ${count} documents, the backup has ${c.count}`);
  }
  if (wrong.length) throw new BackupError(`The restored database does not match the backup:\n  ${wrong.join("\n  ")}`);
  return restored;
}
