import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

/**
 * The backup format (docs/decisions/038-backups.md): a directory with `manifest.json` and one
 * gzip of canonical EJSON lines per collection under `collections/`. GridFS buckets are plain
 * collections here (`<bucket>.files`, `<bucket>.chunks`); the manifest adds each file's checksum.
 */
export const BACKUP_FORMAT = "chengguo-backup";
export const FORMAT_VERSION = 1;
export const MANIFEST = "manifest.json";

export interface IndexSpec {
  key: Record<string, unknown>;
  name: string;
  [option: string]: unknown;
}

export interface CollectionEntry {
  name: string;
  /** "collection" or "view" (a view has no data file; restore recreates it from its options). */
  type: string;
  /** createCollection options as listCollections gave them (validators, collation, capped…). */
  options: Record<string, unknown>;
  count: number;
  /** Relative to the backup directory; absent for a view. */
  file?: string;
  bytes?: number;
  sha256?: string;
  indexes: IndexSpec[];
}

export interface GridFsFileEntry {
  id: string;
  filename: string;
  length: number;
  chunks: number;
  sha256: string;
}

export interface GridFsBucketEntry {
  bucket: string;
  files: GridFsFileEntry[];
  /** chunks whose file document is missing (an upload that was still running, or left over) */
  orphanChunks: number;
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  app: { name: string; version: string; migrations: string[] };
  createdAt: string;
  finishedAt: string;
  database: string;
  mongo: { version: string; replicaSet?: string };
  /** Every collection was read at this cluster time (a snapshot read). */
  snapshot: { atClusterTime: { t: number; i: number }; readConcern: "snapshot" };
  collections: CollectionEntry[];
  gridfs: GridFsBucketEntry[];
  /** Damaged GridFS files found while reading (kept in the backup as they are). */
  problems: string[];
}

export const collectionFile = (name: string) => path.posix.join("collections", `${name}.ejson.gz`);

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export class BackupError extends Error {}

export async function readManifest(dir: string): Promise<Manifest> {
  let raw: string;
  try {
    raw = await fs.readFile(path.join(dir, MANIFEST), "utf8");
  } catch {
    throw new BackupError(`${path.join(dir, MANIFEST)} is missing: ${dir} is not a backup made by \`npm run backup\`.`);
  }
  let m: Manifest;
  try {
    m = JSON.parse(raw) as Manifest;
  } catch {
    throw new BackupError(`${path.join(dir, MANIFEST)} is not valid JSON: the backup is damaged.`);
  }
  if (m.format !== BACKUP_FORMAT) throw new BackupError(`${path.join(dir, MANIFEST)} is not a chengguo backup manifest.`);
  if (m.formatVersion > FORMAT_VERSION) {
    throw new BackupError(
      `The backup has format version ${m.formatVersion}; this version of the app reads up to ${FORMAT_VERSION}. Restore it with a newer app.`,
    );
  }
  return m;
}

/**
 * Checks every data file against the manifest before anything is written: a missing, truncated
 * or altered file refuses the whole backup, naming the file.
 */
export async function verifyBackup(dir: string, m: Manifest, onFile: (name: string) => void = () => {}): Promise<void> {
  const bad: string[] = [];
  for (const c of m.collections) {
    if (!c.file) continue;
    const file = path.join(dir, c.file);
    let digest: string;
    try {
      digest = await sha256OfFile(file);
    } catch {
      bad.push(`${c.file} is missing`);
      continue;
    }
    if (digest !== c.sha256) bad.push(`${c.file} has sha256 ${digest}, the manifest says ${c.sha256}`);
    onFile(c.name);
  }
  if (bad.length) throw new BackupError(`The backup in ${dir} is damaged; nothing was restored:\n  ${bad.join("\n  ")}`);
}
