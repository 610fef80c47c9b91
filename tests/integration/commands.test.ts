import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../server/embedded/process.ts";
import { portAnswers, ROOT, tmpDir } from "../setup/tmp.ts";

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

/** The project's commands with the app stopped: they start the embedded services, and stop them after. */
async function command(script: string, args: string[], env: Record<string, string>) {
  const { MONGODB_URI: _m, MEILI_HOST: _h, MEILI_MASTER_KEY: _k, NODE_ENV: _n, ...rest } = process.env;
  const childEnv = { ...rest, ...env, LOG_LEVEL: "warn" } as unknown as NodeJS.ProcessEnv;
  return run(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env: childEnv });
}

describe("project commands while the app is stopped", () => {
  it("`npm run seed` starts the embedded services for itself, seeds, and leaves nothing running", async () => {
    const dir = await tmpDir("seed-stopped");
    dirs.push(dir);
    const env = { DATA_DIR: dir, EMBEDDED_MONGO_PORT: String(await freePort()), EMBEDDED_MEILI_PORT: String(await freePort()) };
    const first = await command("seeds/cli.ts", [], env);
    expect(first.stdout).toMatch(/Seeded demo data: 12 organisations, 12 users, \d+ achievements, \d+ demands\./);
    expect(await portAnswers(Number(env.EMBEDDED_MONGO_PORT))).toBe(false);
    expect(await portAnswers(Number(env.EMBEDDED_MEILI_PORT))).toBe(false);
    // The data stayed in DATA_DIR: a second run finds it and adds nothing.
    const second = await command("seeds/cli.ts", [], env);
    expect(second.stdout).toBe(first.stdout);
  }, 120_000); // two starts of the embedded mongod and a seed: over 30 s on a loaded 2-core machine
});
