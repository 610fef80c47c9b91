import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "../../server/embedded/process.ts";
import { ROOT, tmpDir } from "./tmp.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    appDataDir: string;
    mailCatcherUrl: string;
  }
}

/** Environment for a child app process: the embedded default, nothing inherited from the shell. */
export function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const {
    MONGODB_URI: _a,
    MEILI_HOST: _b,
    MEILI_MASTER_KEY: _c,
    NODE_ENV: _d,
    // Payments too: the app starts its own local Stripe-compatible server, never a shell's real keys.
    STRIPE_SECRET_KEY: _e,
    STRIPE_WEBHOOK_SECRET: _f,
    STRIPE_API_BASE: _g,
    // Mail too: the app starts its own mail catcher, which the tests read.
    SMTP_URL: _h,
    MAIL_CATCHER_URL: _i,
    ...rest
  } = process.env;
  // NODE_ENV is left to the child (server/index.ts defaults it to production, like `npm start`).
  return { ...rest, LOG_LEVEL: "warn", ...extra } as unknown as NodeJS.ProcessEnv;
}

/** Starts the app like `npm start` (server/index.ts) with `appEnv(extra)`; its output to this terminal unless `quiet`. */
export function spawnApp(extra: Record<string, string>, opts: { quiet?: boolean } = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: appEnv(extra),
    stdio: opts.quiet ? "ignore" : ["ignore", "inherit", "inherit"],
  });
}

export async function waitForHealthy(baseURL: string, child: ChildProcess, timeoutMs = 90_000): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`app exited with ${child.exitCode} during start-up`);
    try {
      const res = await fetch(`${baseURL}/healthz`);
      if (res.status === 200) return res.status;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app at ${baseURL} was not healthy within ${timeoutMs / 1000}s`);
}

/**
 * Builds the Remix app and starts the real server exactly as `npm start` does: embedded mongod
 * and Meilisearch in a fresh DATA_DIR, demo data seeded on first start.
 */
export default async function setup(project: TestProject) {
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/@remix-run/dev/dist/cli.js"), "build"], {
    cwd: ROOT,
    // vitest sets NODE_ENV=test; the build must match the production server it runs under.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: "ignore",
  });
  const dataDir = await tmpDir("e2e");
  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  const mailWebPort = await freePort();
  const child = spawnApp({
    DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_MONGO_PORT: String(await freePort()),
    EMBEDDED_MEILI_PORT: String(await freePort()),
    EMBEDDED_STRIPE_PORT: String(await freePort()),
    EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
    EMBEDDED_MAIL_WEB_PORT: String(mailWebPort),
  });
  await waitForHealthy(baseURL, child);
  project.provide("baseURL", baseURL);
  project.provide("appDataDir", dataDir);
  project.provide("mailCatcherUrl", `http://localhost:${mailWebPort}`);
  return async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
