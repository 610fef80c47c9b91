import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { exportVocabularyChanges } from "~/services/vocabulary/export.server.ts";
import { runCommand } from "../command.ts";

/**
 * `npm run vocabulary:export [-- --out file.json]` — writes the live vocabulary groups the bureau
 * changed (docs/decisions/030-live-vocabulary.md) in the format of search/vocabulary/*.json, for a
 * maintainer to review and commit. Default file: vocabulary-changes.json in the current folder.
 */
const { values } = parseArgs({ options: { out: { type: "string", default: "vocabulary-changes.json" } } });

await runCommand("vocabulary:export", async () => {
  const out = path.resolve(values.out);
  const data = await exportVocabularyChanges();
  fs.writeFileSync(out, `${JSON.stringify(data, null, 2)}\n`);
  console.error(`[vocabulary:export] ${data.groups.length} changed groups written to ${out}`);
});
