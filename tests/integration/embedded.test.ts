import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server.ts";
import { EmbeddedError, startServices } from "../../server/embedded/index.ts";
import { freePort } from "../../server/embedded/process.ts";
import { supervisedServices } from "../../server/embedded/supervisor.ts";
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

describe("the supervisor of the embedded services", () => {
  it("restarts a killed mongod with back-off, retries when the restart fails (port taken meanwhile), and reports it", async () => {
    const dir = await tmpDir("supervise");
    dirs.push(dir);
    const mongoPort = await freePort();
    const services = await startServices(
      parseEnv({ DATA_DIR: dir, EMBEDDED_MONGO_PORT: String(mongoPort), EMBEDDED_MEILI_PORT: String(await freePort()) }),
    );
    const client = new MongoClient(services.mongoUri, { serverSelectionTimeoutMS: 1000 });
    let blocker: net.Server | undefined;
    try {
      await client.connect();
      const { pid } = await client.db("admin").command({ serverStatus: 1 });
      expect(supervisedServices().mongod).toMatchObject({ state: "up", restarts: 0, lastExit: null });

      process.kill(Number(pid), "SIGKILL");
      // Someone takes the port before the first restart (1 s later): that attempt fails, the next waits 2 s.
      blocker = net.createServer((s) => s.destroy());
      for (let i = 0; ; i++) {
        // The port frees as soon as the kill has landed.
        const bound = await new Promise<boolean>((resolve) => {
          blocker!.once("error", () => resolve(false));
          blocker!.listen(mongoPort, "127.0.0.1", () => resolve(true));
        });
        if (bound) break;
        if (i > 40) throw new Error("mongod's port did not free after kill -9");
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(await until(async () => supervisedServices().mongod?.state === "restarting", 5_000)).toBe(true);
      expect(supervisedServices().mongod!.lastExit).toMatchObject({ code: expect.anything() });
      // Two attempts scheduled means the first restart failed and was retried later.
      const first = supervisedServices().mongod!.nextAttemptAt;
      expect(
        await until(
          async () => !!supervisedServices().mongod?.nextAttemptAt && supervisedServices().mongod!.nextAttemptAt !== first,
          10_000,
        ),
      ).toBe(true);
      const second = Date.parse(supervisedServices().mongod!.nextAttemptAt!);
      expect(second - Date.now()).toBeGreaterThan(500); // the back-off grew: ~2 s after the failed attempt
      await new Promise<void>((r) => blocker!.close(() => r()));
      blocker = undefined;

      expect(await until(async () => supervisedServices().mongod?.state === "up", 30_000)).toBe(true);
      expect(supervisedServices().mongod).toMatchObject({ state: "up", restarts: 1 });
      // The same URI works again, data and replica set intact.
      const hello = await client.db("admin").command({ hello: 1 });
      expect(hello.setName).toBe("rs0");
    } finally {
      if (blocker) await new Promise<void>((r) => blocker!.close(() => r()));
      await client.close().catch(() => {});
      await services.stop();
    }
    expect(supervisedServices().mongod).toBeUndefined();
    expect(await until(async () => !(await portAnswers(mongoPort)), 10_000)).toBe(true);
  });
});
