/**
 * Shared pieces of the benchmarks, and the result format every benchmark reports to the suite
 * (`npm run bench`, bench/run-all.ts → docs/benchmarks.md; docs/decisions/037-benchmark-suite.md).
 *
 * A benchmark stays runnable alone and prints what it printed before; in addition it calls
 *
 *   await reportResults({ bench: "search", title, params, rows: [{ path, concurrency, n, throughput,
 *     p50, p95, p99, raw: { name, p50, p95, p99 }, goal: { text, met } }], notes })
 *
 * once (or more: each call adds one result). Times are milliseconds, throughput per second (unit
 * in `throughputUnit`, "req/s" when left out). `raw` is the baseline measured in the same run
 * (a raw Meilisearch query, a raw MongoDB aggregation or conditional update, a raw socket.io
 * broadcast…); `goal.met` is decided by the benchmark (null: not judged, e.g. a quick run).
 * When the environment names BENCH_RESULTS_FILE, each call appends one JSON line (a BenchResult,
 * with the MongoDB / Meilisearch versions the benchmark's services ran) to that file; it always
 * prints the rows as a small table.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../server/embedded/process.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * A benchmark's own mongod and Meilisearch (embedded, on free ports) in a fresh folder under the
 * system's temp directory, and the app's service settings pointed at them. Imported late, like the
 * rest of a benchmark's app code, so that what the benchmark set in process.env first is read.
 */
export async function startBenchServices(name: string) {
  const { parseEnv, setServiceEndpoints } = await import("~/utils/env.server.ts");
  const { startServices } = await import("../server/embedded/index.ts");
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `chengguo-bench-${name}-`));
  console.error(`[bench] starting mongod + Meilisearch in ${dataDir}`);
  const services = await startServices(
    parseEnv({ DATA_DIR: dataDir, EMBEDDED_MONGO_PORT: String(await freePort()), EMBEDDED_MEILI_PORT: String(await freePort()) }),
  ).catch(async (e) => {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw e;
  });
  setServiceEndpoints(services);
  await readServiceVersions(services).catch(() => {});
  return { dataDir, services };
}

async function readServiceVersions(services: { mongoUri: string; meiliHost: string; meiliKey?: string }) {
  const { MongoClient } = await import("mongodb");
  const client = new MongoClient(services.mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    const info = await client.db("admin").command({ buildInfo: 1 });
    serviceVersions.mongodb = String(info.version);
  } finally {
    await client.close();
  }
  const r = await fetch(`${services.meiliHost}/version`, {
    headers: services.meiliKey ? { Authorization: `Bearer ${services.meiliKey}` } : {},
  });
  if (r.ok) serviceVersions.meilisearch = String(((await r.json()) as { pkgVersion?: string }).pkgVersion);
}

/**
 * The real app for a benchmark, built like `npm start` (only if build/ is missing) and started
 * against the benchmark's own services; resolves once `/healthz` answers 200 and the app's
 * start-up work is done (`waitUntilIdle`).
 */
export async function startBenchApp(opts: {
  dataDir: string;
  services: { mongoUri: string; meiliHost: string; meiliKey?: string };
  env?: Record<string, string | undefined>;
}): Promise<{ app: ChildProcess; base: string }> {
  try {
    await fs.access(path.join(ROOT, "build/index.js"));
  } catch {
    console.error("[bench] building the app (npm run build)");
    await new Promise<void>((resolve, reject) =>
      spawn("npx", ["remix", "build"], { cwd: ROOT, stdio: "inherit" }).once("exit", (c) =>
        c === 0 ? resolve() : reject(new Error(`build ${c}`)),
      ),
    );
  }
  const port = await freePort();
  // BENCH_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the app (Node refuses it in NODE_OPTIONS).
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  const app = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: path.join(opts.dataDir, "app"),
      MONGODB_URI: opts.services.mongoUri,
      MEILI_HOST: opts.services.meiliHost,
      MEILI_MASTER_KEY: opts.services.meiliKey,
      EMBEDDED_STRIPE_PORT: String(await freePort()),
      EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
      EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
      SEED_ON_EMPTY: "false",
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
      ...opts.env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode}`);
    const ok = await fetch(`${base}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (i > 360) throw new Error("the app did not become healthy");
    await new Promise((r) => setTimeout(r, 250));
  }
  await waitUntilIdle(app, opts.services);
  return { app, base };
}

// ---------------------------------------------------------------------------------------------
// Results for the suite

/** A baseline measured in the same run as the path it sits next to. */
export interface BenchRaw {
  name: string;
  p50?: number;
  p95?: number;
  p99?: number;
  throughput?: number;
}

/** One measured path: a route, a service call, a delivery… Times in ms. */
export interface BenchRow {
  path: string;
  concurrency?: number;
  /** How many samples the percentiles are of. */
  n?: number;
  throughput?: number;
  /** "req/s" when left out. */
  throughputUnit?: string;
  p50?: number;
  p95?: number;
  p99?: number;
  raw?: BenchRaw;
  /** The goal as a sentence ("p95 ≤ 1.5× raw"), and whether this run met it (null: not judged). */
  goal?: { text: string; met: boolean | null };
  /** Anything a reader of the row needs (a figure that is not a time, a caveat). */
  note?: string;
}

export interface BenchResult {
  bench: string;
  title?: string;
  params?: Record<string, string | number | boolean>;
  rows: BenchRow[];
  notes?: string[];
  /** Filled in by reportResults from startBenchServices when the benchmark started services. */
  versions?: Record<string, string>;
}

/** Versions of the services startBenchServices started, for the results. */
const serviceVersions: Record<string, string> = {};

/** The p-th percentile (nearest rank) of `ms`, sorted or not. */
export function percentile(ms: readonly number[], p: number): number {
  if (ms.length === 0) return NaN;
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** p50 / p95 / p99 of a series of times. */
export function percentiles(ms: readonly number[]): { n: number; p50: number; p95: number; p99: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

const fmt = (v: number | undefined, digits = 1) => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits));

/** The rows as a Markdown table (also what docs/benchmarks.md shows per benchmark). */
export function resultTable(rows: readonly BenchRow[]): string {
  const lines = [
    "| path | conc. | n | throughput | p50 ms | p95 ms | p99 ms | raw (same run) | raw p50 / p95 / p99 ms | goal | met |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const tp = r.throughput === undefined ? "–" : `${fmt(r.throughput, r.throughput < 10 ? 2 : 0)} ${r.throughputUnit ?? "req/s"}`;
    const raw = r.raw ? `${fmt(r.raw.p50)} / ${fmt(r.raw.p95)} / ${fmt(r.raw.p99)}` : "–";
    const met = !r.goal ? "" : r.goal.met === null ? "not judged" : r.goal.met ? "**met**" : "**missed**";
    lines.push(
      `| ${r.path}${r.note ? ` (${r.note})` : ""} | ${r.concurrency ?? "–"} | ${r.n ?? "–"} | ${tp} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.raw?.name ?? "–"} | ${raw} | ${r.goal?.text ?? "–"} | ${met} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Reports a benchmark's figures: prints them as a table, and appends them as one JSON line to
 * BENCH_RESULTS_FILE when that is set (the suite's runner sets it for each benchmark it starts).
 */
export async function reportResults(result: BenchResult): Promise<void> {
  const full: BenchResult = {
    ...result,
    versions: { ...serviceVersions, ...result.versions },
  };
  console.log(`\n${result.title ?? result.bench} — results\n\n${resultTable(result.rows)}\n`);
  const file = process.env.BENCH_RESULTS_FILE;
  if (file) await fs.appendFile(file, `${JSON.stringify(full)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Timing

/** One measured series: each call's time, and the wall time spent running its batches. */
export interface Series {
  name: string;
  ms: number[];
  errors: number;
  wallMs: number;
}

/**
 * Times several series interleaved, so that the machine's noise hits them alike: `rounds` times,
 * each series in turn runs a batch of `concurrency` calls at once. A call that throws counts as
 * an error (its time is not kept). Throughput of a series = its calls / the wall time of its batches.
 */
export async function interleaved(
  calls: Record<string, (i: number) => Promise<unknown>>,
  { rounds, concurrency, warmup = 3 }: { rounds: number; concurrency: number; warmup?: number },
): Promise<Record<string, Series>> {
  const series = Object.fromEntries(Object.keys(calls).map((name) => [name, { name, ms: [], errors: 0, wallMs: 0 } as Series]));
  for (let w = 0; w < warmup; w++) for (const fn of Object.values(calls)) await fn(-1).catch(() => {});
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(calls)) {
      const s = series[name]!;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          const t = performance.now();
          try {
            await fn(i++);
            s.ms.push(performance.now() - t);
          } catch (e) {
            if (s.errors++ === 0) console.error(`[bench] ${name}: ${(e as Error).message}`);
          }
        }),
      );
      s.wallMs += performance.now() - t0;
    }
  }
  return series;
}

/** A series as the figures of a result row (throughput per second, p50/p95/p99). */
export function seriesFigures(s: Series) {
  return { ...percentiles(s.ms), throughput: s.ms.length / (s.wallMs / 1000) };
}

/** GET that must answer 200; the body is read to the end (what a browser waits for). */
export async function getOk(url: string, cookie?: string): Promise<number> {
  const r = await fetch(url, { headers: cookie ? { Cookie: cookie } : {}, redirect: "manual" });
  const body = await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
  return body.byteLength;
}

/**
 * A logged-in session cookie for `userId`, as the app signs it: the benchmark process must share
 * SESSION_SECRET with the app it starts (set process.env.SESSION_SECRET before the first call).
 */
export async function sessionCookie(userId: string, label = "bench"): Promise<string> {
  const { createSession } = await import("~/services/accounts/accounts.server.ts");
  const { sessionStorage, SESSION_ID_KEY } = await import("~/utils/session.server.ts");
  const session = await sessionStorage().getSession();
  session.set(SESSION_ID_KEY, await createSession(userId, label));
  return (await sessionStorage().commitSession(session)).split(";")[0]!;
}

/** Stops a benchmark's app and waits for it to exit. */
export async function stopApp(app: ChildProcess | undefined): Promise<void> {
  if (!app || app.exitCode !== null) return;
  const exited = new Promise((r) => app.once("exit", r));
  app.kill("SIGTERM");
  await exited;
}

/** CPU seconds a process has used so far (Linux /proc), or null where that cannot be read. */
async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

/**
 * Waits until a freshly started app has finished its start-up work — Meilisearch has no task
 * enqueued or processing (the index settings, the vocabulary's synonyms, the first documents) and
 * the app process used under a fifth of a core for two seconds (the first sweeps and corpus
 * builds done) — so that what is measured next is the path, not the start-up. Gives up after
 * `maxMs` and says so. Returns how long it waited.
 */
export async function waitUntilIdle(
  app: ChildProcess,
  services: { meiliHost: string; meiliKey?: string },
  maxMs = 180_000,
): Promise<number> {
  const start = Date.now();
  const headers: Record<string, string> = services.meiliKey ? { Authorization: `Bearer ${services.meiliKey}` } : {};
  for (;;) {
    const tasks = await fetch(`${services.meiliHost}/tasks?statuses=enqueued,processing&limit=1`, { headers })
      .then((r) => r.json() as Promise<{ total?: number }>)
      .then((r) => r.total ?? 0)
      .catch(() => 0);
    const before = app.pid ? await cpuSeconds(app.pid) : null;
    await new Promise((r) => setTimeout(r, 2000));
    const after = app.pid ? await cpuSeconds(app.pid) : null;
    const busy = before !== null && after !== null ? (after - before) / 2 : 0;
    if (tasks === 0 && busy < 0.2) break;
    if (Date.now() - start > maxMs) {
      console.error(
        `[bench] the app was still busy after ${Math.round(maxMs / 1000)} s (Meilisearch tasks ${tasks}, app CPU ${busy.toFixed(2)}); measuring anyway`,
      );
      break;
    }
  }
  const waited = Date.now() - start;
  console.error(`[bench] the app's start-up work took ${(waited / 1000).toFixed(1)} s more`);
  return waited;
}
