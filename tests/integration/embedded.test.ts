import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server.ts";
import { EmbeddedError, startServices } from "../../server/embedded/index.ts";
import { freePort } from "../../server/embedded/process.ts";
import { portAnswers, ROOT, tmpDir } from "../setup/tmp.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

/** The test worker points at the shared test servers; the child must start its own. */
function withoutServiceEnv() {
  const { MONGODB_URI: _m, MEILI_HOST: _h, MEILI_MASTER_KEY: _k, ...rest } = process.env;
  return rest;
}

async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return cond();
}

describe("embedded services", () => {
  it("a busy MongoDB port gives a sentence that says what to do, and leaves nothing running", async () => {
    const dir = await tmpDir("busy");
    dirs.push(dir);
    const blocker = net.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const busy = (blocker.address() as net.AddressInfo).port;
    const meiliPort = await freePort();
    try {
      const err = await startServices(
        parseEnv({ DATA_DIR: dir, EMBEDDED_MONGO_PORT: String(busy), EMBEDDED_MEILI_PORT: String(meiliPort) }),
      ).catch((e) => e);
      expect(err).toBeInstanceOf(EmbeddedError);
      expect(err.message).toContain(`Port ${busy} is already in use`);
      expect(err.message).toContain("EMBEDDED_MONGO_PORT");
      expect(err.message).toContain("MONGODB_URI");
      // Meilisearch, started alongside, was stopped again.
      expect(await until(async () => !(await portAnswers(meiliPort)), 10_000)).toBe(true);
    } finally {
      blocker.close();
    }
  });

  it("keeps data across restarts and is never orphaned when the app is killed", async () => {
    const dir = await tmpDir("orphan");
    dirs.push(dir);
    const mongoPort = await freePort();
    const meiliPort = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/support/hold-services.ts")], {
      cwd: ROOT,
      env: { ...withoutServiceEnv(), DATA_DIR: dir, EMBEDDED_MONGO_PORT: String(mongoPort), EMBEDDED_MEILI_PORT: String(meiliPort) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.once("data", (d) => resolve(String(d)));
      child.once("exit", (code) => reject(new Error(`hold-services exited ${code}`)));
    });
    expect(JSON.parse(line).mongoUri).toContain(`127.0.0.1:${mongoPort}`);
    expect(await portAnswers(mongoPort)).toBe(true);
    expect(await portAnswers(meiliPort)).toBe(true);

    child.kill("SIGKILL"); // a crash: no chance to clean up
    expect(await until(async () => !(await portAnswers(mongoPort)) && !(await portAnswers(meiliPort)), 30_000)).toBe(true);

    // The data directory survives and a new start reuses it (replica set already initiated).
    const again = await startServices(
      parseEnv({ DATA_DIR: dir, EMBEDDED_MONGO_PORT: String(mongoPort), EMBEDDED_MEILI_PORT: String(meiliPort) }),
    );
    try {
      expect(await fs.readFile(path.join(dir, "meili-master-key"), "utf8")).toBe(again.meiliKey);
      const res = await fetch(`${again.meiliHost}/version`, { headers: { Authorization: `Bearer ${again.meiliKey}` } });
      expect(res.status).toBe(200);
    } finally {
      await again.stop();
    }
  });
});
