import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A fresh folder under tests/.tmp (git-ignored) for a test run's DATA_DIR. */
export async function tmpDir(prefix: string): Promise<string> {
  const base = path.join(ROOT, "tests/.tmp");
  await fs.mkdir(base, { recursive: true });
  return fs.mkdtemp(path.join(base, `${prefix}-`));
}
