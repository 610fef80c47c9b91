import { createHash, type Hash } from "node:crypto";
import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { BSON, MongoServerError, type ClientSession, type Db, type Document, type MongoClient, type Timestamp } from "mongodb";
import { MIGRATIONS_COLLECTION } from "../migrations/runner.ts";
import {
  BACKUP_FORMAT,
  BackupError,
  collectionFile,
  FORMAT_VERSION,
  MANIFEST,
  type CollectionEntry,
  type GridFsBucketEntry,
  type GridFsFileEntry,
  type IndexSpec,
  type Manifest,
} from "./format.ts";

export interface DumpProgress {
  collection: string;
  done: number;
  total: number;
}

/** Values are read as their BSON types (Int32, Double, Long…), so canonical EJSON keeps them exactly. */
const RAW_TYPES = { promoteValues: false, promoteBuffers: false, bsonRegExp: true } as const;
const BATCH = 1000;

const SNAPSHOT_TOO_OLD = 239;
const SNAPSHOT_UNAVAILABLE = 246;

const { EJSON } = BSON;
const num = (v: unknown) => Number((v as { valueOf(): unknown }).valueOf());

/**
 * Writes a point-in-time backup of `db` into `dir`: every collection is read in one snapshot
 * session, so all of them show the database at the same cluster time however long the copy takes
 * and whatever the app writes meanwhile. MongoDB keeps that history for
 * minSnapshotHistoryWindowInSeconds (300 s by default); a backup that takes longer fails and says so.
 * `dir` must not exist yet (the caller checks; server/cli/backup.ts).
 */
export async function dumpDatabase(
  client: MongoClient,
  db: Db,
  dir: string,
  {
    appVersion,
    onProgress = () => {},
    log = () => {},
  }: { appVersion: string; onProgress?: (p: DumpProgress) => void; log?: (m: string) => void },
): Promise<Manifest> {
  const createdAt = new Date();
  const hello = await db.admin().command({ hello: 1 });
  if (!hello.setName && hello.msg !== "isdbgrid") {
    throw new BackupError(
      "This MongoDB is a standalone server: it cannot read a consistent snapshot. Run it as a replica set (a single-node one will do: --replSet rs0 and rs.initiate()), as the embedded MongoDB does.",
    );
  }
  const { version } = await db.admin().command({ buildInfo: 1 });
  await fs.mkdir(path.join(dir, "collections"), { recursive: true });

  const listed = await listCollections(db);
  const session = client.startSession({ snapshot: true });
  const collections: CollectionEntry[] = [];
  const gridfs: GridFsBucketEntry[] = [];
  const problems: string[] = [];
  let migrations: string[] = [];
  try {
    // `<bucket>.files` before `<bucket>.chunks`, so each chunk is checked against its file as it passes.
    const order = (names: string[]) =>
      [...names].sort((a, b) => Number(a.endsWith(".chunks")) - Number(b.endsWith(".chunks")) || a.localeCompare(b));
    const read = async (info: Document) => {
      const name = info.name as string;
      const indexes = info.type === "view" ? [] : await indexSpecs(db, name);
      const entry: CollectionEntry = { name, type: info.type ?? "collection", options: info.options ?? {}, count: 0, indexes };
      if (entry.type !== "collection") return entry;
      const total = await db.collection(name).estimatedDocumentCount();
      onProgress({ collection: name, done: 0, total });
      const bucket = name.endsWith(".chunks") ? gridfs.find((b) => `${b.bucket}.chunks` === name) : undefined;
      const files = name.endsWith(".files") ? new Map<string, GridFsFileEntry & { chunkSize: number }>() : undefined;
      const chunks = bucket ? new ChunkCheck(bucket, problems) : undefined;
      const cursor = db
        .collection(name)
        .find({}, { session, batchSize: BATCH, ...RAW_TYPES, ...(bucket ? { sort: { files_id: 1, n: 1 } } : {}) });
      const written = await writeLines(path.join(dir, collectionFile(name)), cursor, (doc, done) => {
        if (files) {
          const key = idKey(doc._id);
          files.set(key, {
            id: shownId(doc._id),
            filename: String(doc.filename ?? ""),
            length: num(doc.length),
            chunks: 0,
            sha256: "",
            chunkSize: num(doc.chunkSize),
          });
        }
        chunks?.add(doc);
        if (name === MIGRATIONS_COLLECTION) migrations.push(String(doc._id));
        if (done % BATCH === 0) onProgress({ collection: name, done, total: Math.max(total, done) });
      });
      onProgress({ collection: name, done: written.count, total: written.count });
      const bucketName = name.slice(0, -".files".length);
      if (files && listed.some((c) => c.name === `${bucketName}.chunks`)) {
        gridfs.push({ bucket: bucketName, files: [], orphanChunks: 0 });
        chunkFiles.set(bucketName, files);
      }
      if (bucket && chunks) chunks.finish(chunkFiles.get(bucket.bucket)!);
      return { ...entry, count: written.count, file: collectionFile(name), bytes: written.bytes, sha256: written.sha256 };
    };
    const chunkFiles = new Map<string, Map<string, GridFsFileEntry & { chunkSize: number }>>();
    for (const name of order(listed.map((c) => c.name))) {
      collections.push(await read(listed.find((c) => c.name === name)!));
    }
    // A collection created after the listing above but before the snapshot's time would otherwise be missed.
    for (const info of await listCollections(db)) {
      if (collections.some((c) => c.name === info.name)) continue;
      try {
        collections.push(await read(info));
      } catch (e) {
        if ((e as MongoServerError).code !== SNAPSHOT_UNAVAILABLE) throw e;
        log(`${info.name}: created after the snapshot, not in it`);
      }
    }
    const atClusterTime = snapshotTime(session);
    migrations = migrations.sort();
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      formatVersion: FORMAT_VERSION,
      app: { name: "chengguo", version: appVersion, migrations },
      createdAt: createdAt.toISOString(),
      finishedAt: new Date().toISOString(),
      database: db.databaseName,
      mongo: { version, ...(hello.setName ? { replicaSet: hello.setName as string } : {}) },
      snapshot: { atClusterTime: { t: atClusterTime.high, i: atClusterTime.low }, readConcern: "snapshot" },
      collections,
      gridfs,
      problems,
    };
    // The manifest last: a directory without one is an unfinished backup, and restore refuses it.
    await fs.writeFile(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
  } catch (e) {
    const code = (e as MongoServerError).code;
    if (e instanceof MongoServerError && (code === SNAPSHOT_TOO_OLD || code === SNAPSHOT_UNAVAILABLE)) {
      const window = await db
        .admin()
        .command({ getParameter: 1, minSnapshotHistoryWindowInSeconds: 1 })
        .then((r) => `${r.minSnapshotHistoryWindowInSeconds} s`)
        .catch(() => "300 s by default");
      throw new BackupError(
        `The backup took longer than MongoDB keeps the snapshot's history (minSnapshotHistoryWindowInSeconds, here ${window}), so it could not stay consistent: ${e.message}. ` +
          `Run it when the database is less busy, or raise the window: db.adminCommand({ setParameter: 1, minSnapshotHistoryWindowInSeconds: 900 }).`,
      );
    }
    throw e;
  } finally {
    await session.endSession();
  }
}

async function listCollections(db: Db): Promise<Document[]> {
  const all = await db.listCollections({}, { nameOnly: false }).toArray();
  // system.* (views' definitions, profiles) are MongoDB's own; a view is recreated from its options.
  return all.filter((c) => !c.name.startsWith("system."));
}

async function indexSpecs(db: Db, name: string): Promise<IndexSpec[]> {
  const specs = await db.collection(name).listIndexes().toArray();
  return specs.map(({ v: _v, ns: _ns, ...spec }) => spec as IndexSpec);
}

/** The cluster time the snapshot session reads at; the driver learns it from the first read. */
function snapshotTime(session: ClientSession): Timestamp {
  const t = (session as unknown as { snapshotTime?: Timestamp }).snapshotTime;
  if (!t) throw new BackupError("MongoDB did not say the snapshot's cluster time: is this a replica set of MongoDB 5.0 or newer?");
  return t;
}

const idKey = (id: unknown) => EJSON.stringify({ id }, { relaxed: false });
const shownId = (id: unknown) => {
  const hex = (id as { toHexString?: () => string }).toHexString?.();
  return hex ?? EJSON.stringify(id, { relaxed: false });
};

/**
 * Checks a bucket's chunks, read in (files_id, n) order, against their files: n runs 0…k-1,
 * k = ⌈length / chunkSize⌉ and the bytes add up to the length; and hashes each file's content.
 */
class ChunkCheck {
  private current?: { key: string; hash: Hash; n: number; bytes: number };
  private seen = new Map<string, { chunks: number; bytes: number; sha256: string; gap: boolean }>();
  private gap = false;
  constructor(
    private readonly bucket: GridFsBucketEntry,
    private readonly problems: string[],
  ) {}

  add(chunk: Document) {
    const key = idKey(chunk.files_id);
    if (this.current?.key !== key) {
      this.close();
      this.current = { key, hash: createHash("sha256"), n: 0, bytes: 0 };
      this.gap = false;
    }
    const data = (chunk.data as { buffer: Uint8Array }).buffer;
    if (num(chunk.n) !== this.current.n) this.gap = true;
    this.current.hash.update(data);
    this.current.n += 1;
    this.current.bytes += data.length;
  }

  private close() {
    if (!this.current) return;
    const { key, hash, n, bytes } = this.current;
    this.seen.set(key, { chunks: n, bytes, sha256: hash.digest("hex"), gap: this.gap });
    this.current = undefined;
  }

  finish(files: Map<string, GridFsFileEntry & { chunkSize: number }>) {
    this.close();
    for (const [key, f] of files) {
      const s = this.seen.get(key) ?? { chunks: 0, bytes: 0, sha256: createHash("sha256").digest("hex"), gap: false };
      this.seen.delete(key);
      f.chunks = s.chunks;
      f.sha256 = s.sha256;
      const expected = f.chunkSize > 0 ? Math.ceil(f.length / f.chunkSize) : 0;
      if (s.gap || s.chunks !== expected || s.bytes !== f.length) {
        this.problems.push(
          `${this.bucket.bucket}: file ${f.id} (${f.filename}) has ${s.chunks} chunks of ${s.bytes} bytes${s.gap ? " with gaps in n" : ""}; its length ${f.length} needs ${expected}`,
        );
      }
    }
    this.bucket.files = [...files.values()].map(({ chunkSize: _, ...f }) => f);
    this.bucket.orphanChunks = [...this.seen.values()].reduce((sum, s) => sum + s.chunks, 0);
  }
}

/** Streams documents into a gzip of canonical EJSON lines; returns the count and the file's size and sha256. */
async function writeLines(
  file: string,
  docs: AsyncIterable<Document>,
  each: (doc: Document, done: number) => void,
): Promise<{ count: number; bytes: number; sha256: string }> {
  const gzip = zlib.createGzip();
  const hash = createHash("sha256");
  let bytes = 0;
  const written = pipeline(
    gzip,
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        bytes += chunk.length;
        cb(null, chunk);
      },
    }),
    createWriteStream(file),
  );
  let count = 0;
  try {
    for await (const doc of docs) {
      count += 1;
      each(doc, count);
      if (!gzip.write(EJSON.stringify(doc, { relaxed: false }) + "\n")) await once(gzip, "drain");
    }
  } catch (e) {
    gzip.destroy();
    await written.catch(() => {});
    throw e;
  }
  gzip.end();
  await written;
  return { count, bytes, sha256: hash.digest("hex") };
}
