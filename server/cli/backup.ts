import fs from "node:fs/promises";
import path from "node:path";
import cliProgress from "cli-progress";
import mongoose from "mongoose";
import { dataDir } from "~/utils/env.server.ts";
import { dumpDatabase } from "../backup/dump.ts";
import { BackupError } from "../backup/format.ts";
import { runCommand } from "../command.ts";

/**
 * `npm run backup [-- --out <dir>]` — a consistent point-in-time backup of the app's MongoDB
 * database (every collection and GridFS file, read in one snapshot) into a new directory, by
 * default DATA_DIR/backups/<UTC time>/. Like seed and reindex it uses the running app's embedded
 * MongoDB, starts it for the copy when the app is stopped, or uses MONGODB_URI when set.
 * docs/decisions/038-backups.md
 */
const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
if (args.some((a, i) => a !== "--out" && i !== outAt + 1) || (outAt >= 0 && !args[outAt + 1])) {
  console.error("usage: npm run backup [-- --out <new directory>]");
  process.exit(2);
}

await runCommand(
  "backup",
  async () => {
    const stamp = new Date()
      .toISOString()
      .replace(/:/g, "-")
      .replace(/\.\d+Z$/, "Z");
    const dir = path.resolve(outAt >= 0 ? args[outAt + 1]! : path.join(dataDir(), "backups", stamp));
    const version = (JSON.parse(await fs.readFile(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    // A new directory only: a failed backup removes what it wrote, and must never remove anything else.
    if (
      await fs.stat(dir).then(
        () => true,
        () => false,
      )
    ) {
      console.error(`[backup] ${dir} already exists; give --out a new directory.`);
      process.exitCode = 1;
      return;
    }
    const bar = new cliProgress.SingleBar(
      { format: " {collection} [{bar}] {value}/{total} · {duration_formatted}", hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, { collection: "" });
    try {
      const manifest = await dumpDatabase(mongoose.connection.getClient(), mongoose.connection.db!, dir, {
        appVersion: version,
        onProgress: (p) => {
          bar.setTotal(Math.max(p.total, 1));
          bar.update(p.done, { collection: p.collection.padEnd(28) });
        },
        log: (m) => console.error(`[backup] ${m}`),
      });
      bar.stop();
      const docs = manifest.collections.reduce((n, c) => n + c.count, 0);
      const files = manifest.gridfs.reduce((n, b) => n + b.files.length, 0);
      for (const p of manifest.problems) console.error(`[backup] damaged file kept as it is: ${p}`);
      const { t, i } = manifest.snapshot.atClusterTime;
      console.error(`[backup] snapshot at cluster time ${t}.${i} (${new Date(t * 1000).toISOString()})`);
      console.log(`Backed up ${manifest.collections.length} collections (${docs} documents, ${files} GridFS files) to ${dir}`);
    } catch (e) {
      bar.stop();
      // An unfinished directory has no manifest; remove it so it is not mistaken for a backup.
      await fs.rm(dir, { recursive: true, force: true }).catch(() => {});
      if (e instanceof BackupError) {
        console.error(`[backup] ${e.message}`);
        process.exitCode = 1;
        return;
      }
      throw e;
    }
  },
  { search: false },
);
