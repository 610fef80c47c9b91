import path from "node:path";
import cliProgress from "cli-progress";
import mongoose from "mongoose";
import { drainOutbox } from "../../search/outbox.ts";
import { rebuildIndex } from "../../search/reindex.ts";
import { BackupError, readManifest } from "../backup/format.ts";
import { restoreDatabase } from "../backup/restore.ts";
import { runCommand } from "../command.ts";
import { migrate } from "../migrations/index.ts";

/**
 * `npm run restore -- <backup dir> [--force]` — puts a backup made by `npm run backup` into the
 * app's database (embedded under DATA_DIR, or MONGODB_URI), which must hold no documents
 * (`--force` drops what it holds first); then runs the migrations the backup predates and
 * rebuilds the search index from the restored data. docs/decisions/038-backups.md
 */
const args = process.argv.slice(2);
const force = args.includes("--force");
const rest = args.filter((a) => a !== "--force");
if (rest.length !== 1 || rest[0]!.startsWith("--")) {
  console.error("usage: npm run restore -- <backup directory> [--force]");
  process.exit(2);
}
const dir = path.resolve(rest[0]!);

await runCommand("restore", async () => {
  const bar = new cliProgress.SingleBar(
    { format: " {stage} {collection} [{bar}] {value}/{total} · {duration_formatted}", hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  try {
    const manifest = await readManifest(dir);
    const db = mongoose.connection.db!;
    const { t } = manifest.snapshot.atClusterTime;
    console.error(
      `[restore] backup of "${manifest.database}" at ${new Date(t * 1000).toISOString()} (app ${manifest.app.version}) into "${db.databaseName}"`,
    );
    bar.start(1, 0, { stage: "", collection: "" });
    const restored = await restoreDatabase(db, dir, manifest, {
      force,
      onProgress: (p) => {
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.done, { stage: p.stage.padEnd(7), collection: p.collection.padEnd(28) });
      },
      log: (m) => console.error(`[restore] ${m}`),
    });
    const ran = await migrate(db, (m) => console.error(`[restore] ${m}`));
    const counts: Record<string, number> = {};
    for (const kind of ["achievement", "demand"] as const) {
      counts[kind] = await rebuildIndex(kind, (p) => {
        bar.setTotal(Math.max(p.total, 1));
        bar.update(p.done, { stage: "search ", collection: kind.padEnd(28) });
      });
    }
    await drainOutbox();
    bar.stop();
    const docs = restored.reduce((n, c) => n + c.count, 0);
    const files = manifest.gridfs.reduce((n, b) => n + b.files.length, 0);
    if (ran.length) console.error(`[restore] applied migrations ${ran.join(", ")}`);
    console.log(
      `Restored ${restored.length} collections (${docs} documents, ${files} GridFS files) from ${dir}; search index rebuilt with ${counts.achievement} achievements and ${counts.demand} demands.`,
    );
  } catch (e) {
    bar.stop();
    if (e instanceof BackupError) {
      console.error(`[restore] ${e.message}`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
});
