import cliProgress from "cli-progress";
import { runCommand } from "../server/command.ts";
import { drainOutbox } from "./outbox.ts";
import { rebuildIndex } from "./reindex.ts";

/** `npm run reindex`: rebuilds both search indexes from MongoDB, with a progress bar. */
await runCommand("reindex", async () => {
  const bars = new cliProgress.MultiBar(
    { format: " {kind} [{bar}] {percentage}% · {value}/{total} · {duration_formatted}", hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bar = { achievement: bars.create(1, 0, { kind: "成果 achievements" }), demand: bars.create(1, 0, { kind: "需求 demands    " }) };
  const counts: Record<string, number> = {};
  for (const kind of ["achievement", "demand"] as const) {
    counts[kind] = await rebuildIndex(kind, (p) => {
      bar[kind].setTotal(Math.max(p.total, 1));
      bar[kind].update(p.total === 0 ? 1 : p.done);
    });
  }
  bars.stop();
  await drainOutbox();
  console.log(`Reindexed ${counts.achievement} achievements and ${counts.demand} demands.`);
});
