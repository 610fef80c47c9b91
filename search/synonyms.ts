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

export const SYNONYMS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "synonyms.json");

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
