import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * The domain synonym list (search/synonyms.json), a data file the bureau can extend. Each group is
 * mutual: every word stands for every other. Validated when loaded so a typo in the file gives a
 * clear message instead of odd search results.
 */
const SynonymFileSchema = z.object({
  groups: z.array(z.array(z.string().trim().min(1).max(20)).min(2)).max(2000),
});

/**
 * search/synonyms.json of the project. This module also runs bundled inside the Remix server build
 * (build/index.js), so the file is found from the nearest package.json upwards, not next to the
 * module — and it is read at run time, so an edited list needs a restart, not a rebuild.
 */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "search", "synonyms.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
export const SYNONYMS_FILE = path.join(projectRoot(), "search", "synonyms.json");

export function loadSynonymGroups(file = SYNONYMS_FILE): string[][] {
  const raw = JSON.parse(fs.readFileSync(file, "utf8"));
  const parsed = SynonymFileSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`${file} is not a valid synonym list (${where})`);
  }
  return parsed.data.groups;
}

/** Meilisearch's synonym map: each word → the other words of every group it belongs to. */
export function synonymMap(groups: string[][]): Record<string, string[]> {
  const map = new Map<string, Set<string>>();
  for (const group of groups) {
    for (const word of group) {
      const set = map.get(word) ?? new Set<string>();
      for (const other of group) if (other !== word) set.add(other);
      map.set(word, set);
    }
  }
  return Object.fromEntries([...map].map(([w, s]) => [w, [...s]]));
}

/** Words related to `word` through the synonym groups (for query expansion in matching). */
export function expandWord(word: string, groups: string[][]): string[] {
  return [...new Set(groups.filter((g) => g.includes(word)).flat())];
}
