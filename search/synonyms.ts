import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * The domain vocabulary as shipped (search/vocabulary/*.json, format in its README.md): groups of
 * words that mean the same thing to the people who use this platform — a farmer's, an
 * enterprise's and a researcher's words for one thing, the researchers' word first. Each group is
 * mutual: every word stands for every other, in search (Meilisearch synonyms) and in matching.
 * Validated when loaded, so a typo in a file gives a clear message instead of odd results.
 */

const WORD = z.string().trim().min(1).max(20);

export const VocabularyGroupFileSchema = z.object({
  /** "<file name>/<slug>", stable: the live vocabulary keeps the bureau's edits by this id */
  id: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, "id: <file>/<slug>, lower-case ASCII"),
  words: z
    .array(WORD)
    .min(2)
    .max(40)
    .refine((ws) => new Set(ws).size === ws.length, "words: a word appears twice"),
  /** where the group comes from: a standard, a textbook, a glossary, field practice… */
  source: z.string().trim().min(1).max(300),
  note: z.string().trim().max(300).optional(),
});
export type VocabularyGroupFile = z.infer<typeof VocabularyGroupFileSchema>;

export const VocabularyFileSchema = z.object({
  $comment: z.string().optional(),
  /** the platform field (app/utils/taxonomy.ts) the groups belong to; null for cross-field groups */
  field: z.string().nullable(),
  /** raised whenever the file's groups change (the live vocabulary re-reads a file on a new version) */
  version: z.number().int().min(1),
  groups: z.array(VocabularyGroupFileSchema).max(2000),
});

export interface ShippedGroup extends VocabularyGroupFile {
  field: string | null;
  file: string;
  fileVersion: number;
}

/**
 * search/vocabulary of the project. This module also runs bundled inside the Remix server build
 * (build/index.js), so the folder is found from the nearest package.json upwards, not next to the
 * module — and it is read at run time.
 */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "search", "vocabulary"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
export const VOCABULARY_DIR = path.join(projectRoot(), "search", "vocabulary");

/** Every shipped group of search/vocabulary/*.json; ids unique across files. */
export function loadVocabularyFiles(dir = VOCABULARY_DIR): ShippedGroup[] {
  const out: ShippedGroup[] = [];
  const ids = new Set<string>();
  for (const name of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const file = path.join(dir, name);
    const parsed = VocabularyFileSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success) {
      const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`${file} is not a valid vocabulary file (${where})`);
    }
    const stem = name.replace(/\.json$/, "");
    for (const g of parsed.data.groups) {
      if (!g.id.startsWith(`${stem}/`)) throw new Error(`${file}: group ${g.id} must start with "${stem}/"`);
      if (ids.has(g.id)) throw new Error(`${file}: group id ${g.id} appears twice`);
      ids.add(g.id);
      out.push({ ...g, field: parsed.data.field, file: stem, fileVersion: parsed.data.version });
    }
  }
  return out;
}

/** The shipped groups' words (search settings and matching read these until the live vocabulary is loaded). */
export function loadSynonymGroups(dir = VOCABULARY_DIR): string[][] {
  return loadVocabularyFiles(dir).map((g) => g.words);
}

/** Extra groups for an experiment (`bench:matching --synonyms extra.json`, `{ "groups": [[…], …] }`). */
export function readExtraGroups(file: string): string[][] {
  const parsed = z.object({ groups: z.array(z.array(WORD).min(2)) }).safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} must be { "groups": [["word", …], …] }`);
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
