import { execFile, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import mongoose from "mongoose";
import { afterAll, beforeAll } from "vitest";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { freePort } from "../../server/embedded/process.ts";
import { appEnv, spawnApp, waitForHealthy } from "../setup/app.global.ts";
import { ROOT, tmpDir } from "../setup/tmp.ts";

const run = promisify(execFile);

/**
 * The fault tests' own app (tests/e2e/faults*.test.ts): its own DATA_DIR, ports and embedded
 * services, so killing the app or a service disturbs no other test. The ports are chosen once, so
 * a restart after a crash comes back on the same address, database and payment state.
 */
export class FaultApp {
  process!: ChildProcess;
  baseURL = "";
  mongoUri = "";
  private env: Record<string, string> = {};

  constructor(readonly dataDir: string) {}

  static async start(name: string): Promise<FaultApp> {
    const app = new FaultApp(await tmpDir(name));
    const port = await freePort();
    app.baseURL = `http://localhost:${port}`;
    app.env = {
      DATA_DIR: app.dataDir,
      PORT: String(port),
      EMBEDDED_MONGO_PORT: String(await freePort()),
      EMBEDDED_MEILI_PORT: String(await freePort()),
      EMBEDDED_STRIPE_PORT: String(await freePort()),
      EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
      EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
    };
    try {
      await app.spawn();
    } catch (e) {
      // Not left running when start-up fails (nobody would stop it: the caller never gets `app`).
      await app.stop();
      throw e;
    }
    app.mongoUri = JSON.parse(await fs.readFile(path.join(app.dataDir, "services.json"), "utf8")).mongoUri;
    return app;
  }

  /** Starts (or restarts) the app on the same DATA_DIR and ports, and waits until /healthz says 200. */
  async spawn(): Promise<void> {
    this.process = spawnApp(this.env);
    await waitForHealthy(this.baseURL, this.process, 240_000);
  }

  /** The local Stripe-compatible server the app started (for its /_local views and the payment page). */
  get stripeBase(): string {
    return `http://127.0.0.1:${this.env.EMBEDDED_STRIPE_PORT}`;
  }

  /** Runs `npm run token` against this app's data; answers the token. */
  async token(args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "server/cli/token.ts", ...args], {
      cwd: ROOT,
      env: appEnv({ DATA_DIR: this.dataDir }),
    });
    return stdout.trim();
  }

  /**
   * SIGKILL of the app process itself — no shutdown handler runs, nothing is flushed — then waits
   * until its embedded servers are gone too (their guards stop them when the app dies), so a
   * restart finds the ports and the data free, as an operator's restart would.
   */
  async crash(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((r) => this.process.once("exit", r));
      this.process.kill("SIGKILL");
      await exited;
    }
    await until("the embedded services of the killed app exit", async () => ((await this.servicePids()).length ? undefined : true), 60_000);
  }

  /** Stops the app as Ctrl-C would, and removes its data. */
  async stop(): Promise<void> {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((r) => this.process.once("exit", r));
      this.process.kill("SIGTERM");
      await exited;
    }
    await until("the embedded services exit", async () => ((await this.servicePids()).length ? undefined : true), 60_000).catch(() => {});
    await fs.rm(this.dataDir, { recursive: true, force: true });
  }

  /** Every process whose command line names this DATA_DIR: the embedded servers and their guards. */
  async servicePids(): Promise<number[]> {
    const pids: number[] = [];
    for (const entry of await fs.readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const argv = (await fs.readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
      if (argv.some((a) => a.startsWith(this.dataDir))) pids.push(Number(entry));
    }
    return pids;
  }

  /**
   * Kills an embedded server (`mongod`, `meilisearch`) with SIGKILL and keeps it dead until
   * `release()`: its guard is paused first, so the app's supervisor learns of the death (and
   * restarts it) only when released — an outage as long as the test needs, whatever the machine's
   * speed. `release()` is safe to call twice (a test's `finally` after its own release).
   */
  async killHeld(binary: string): Promise<{ release(): void }> {
    const pid = await this.pidOf(binary);
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
    const guard = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    process.kill(guard, "SIGSTOP");
    process.kill(pid, "SIGKILL");
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        process.kill(guard, "SIGCONT");
      },
    };
  }

  /** The pid of the process whose command line names this DATA_DIR and `binary` (the guard's child, not the guard). */
  async pidOf(binary: string): Promise<number> {
    for (const pid of await this.servicePids()) {
      const argv = (await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0");
      if (path.basename(argv[0] ?? "") === binary) return pid;
    }
    throw new Error(`no ${binary} running for ${this.dataDir}`);
  }
}

/** Polls `probe` until it answers something other than undefined (a throw counts as not yet). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A fault test file's app, started before its tests and stopped after them, with the test's own
 * mongoose connected to the app's database and the ledger ready, so fixtures go in through the
 * services. `started` gets the app (and may prepare more, such as a token) before any test runs.
 */
export function useFaultApp(name: string, started: (app: FaultApp) => void | Promise<void>): void {
  let app: FaultApp | undefined;
  beforeAll(async () => {
    app = await FaultApp.start(name);
    await mongoose.connect(app.mongoUri, { dbName: "chengguo" });
    await initLedger();
    await started(app);
  }, 300_000);
  afterAll(async () => {
    await mongoose.disconnect();
    await app?.stop();
  }, 120_000);
}

/** A user of the demo data, as the services take them. */
export async function demoUser(email: string): Promise<SessionUser> {
  const u = await User.findOne({ email }).lean();
  return (await getSessionUserById(String(u!._id)))!;
}
