/**
 * `npm run bench [-- [--quick] [--out FILE.md] [--stripe-fixtures PATH] [name …]]`
 *
 * The benchmark suite (docs/decisions/037-benchmark-suite.md): runs every benchmark — or the ones
 * named, e.g. `npm run bench -- chat dashboard` — one after the other, each as its own child
 * process (its own mongod / Meilisearch / app, nothing shared), with BENCH_RESULTS_FILE set so
 * that it reports its figures (bench/support.ts, reportResults). Then writes docs/benchmarks.md:
 * the machine, the date, and per benchmark each path's throughput and p50/p95/p99 next to the
 * raw baseline measured in the same run, with the goal and whether it was met. A benchmark that
 * fails, or reports nothing, is listed as failed with the end of its output.
 *
 * The figures are also kept in docs/benchmarks.json; a run of some benchmarks replaces only
 * theirs and keeps the others' (each with its own date and machine load), so the page always
 * lists every benchmark. Notes written by hand between the page's notes markers (NOTES_START,
 * NOTES_END) are kept when the page is written again. `--quick` runs smaller sizes, to try the
 * suite out, and writes to the temp directory unless `--out` says otherwise (its figures are not
 * the goals' figures).
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { ROOT, resultTable, type BenchResult } from "./support.ts";

interface Bench {
  name: string;
  file: string;
  args: string[];
  quick: string[];
  /** What it measures, one line for the page. */
  about: string;
  /** Why it cannot run here, if it cannot (it is then listed as skipped). */
  skip?: string;
}

interface Outcome {
  name: string;
  about: string;
  status: "ok" | "failed" | "skipped";
  /** ISO date of the run. */
  ranAt: string;
  quick: boolean;
  seconds: number;
  exitCode?: number | null;
  /** Load average (1 min) before and after: how busy the machine was. */
  load?: [number, number];
  results: BenchResult[];
  /** The end of the output of a failed benchmark, or why it was skipped. */
  reason?: string;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    "stripe-fixtures": { type: "string", default: process.env.STRIPE_FIXTURES },
    timeout: { type: "string", default: "2400" },
  },
});
const quick = values.quick;

const BENCHES: Bench[] = [
  {
    name: "import",
    file: "bench/import.ts",
    args: [],
    quick: ["--records", "1000"],
    about: "5,000 records through the import service and over HTTP, and the NDJSON export",
  },
  {
    name: "search",
    file: "bench/search.ts",
    args: [],
    quick: ["--achievements", "5000", "--requests", "100"],
    about: "search endpoint, search page and match endpoint on 100,000 achievements next to a raw Meilisearch query",
  },
  {
    name: "matching",
    file: "bench/matching/run.ts",
    args: ["--no-cv"],
    quick: ["--no-cv"],
    about: "matching quality (recall@10, nDCG@10) and latency on the labelled set",
  },
  {
    name: "bids",
    file: "bench/bids.ts",
    args: [],
    quick: ["--seconds", "5"],
    about: "accepted bids/s under contention next to a raw conditional update",
  },
  {
    name: "chat",
    file: "bench/chat.ts",
    args: ["--clients", "1000", "--rooms", "100", "--rate", "200", "--seconds", "20"],
    quick: ["--clients", "200", "--rooms", "20", "--rate", "50", "--seconds", "5"],
    about: "deal-room chat delivery to 1,000 socket.io clients next to a raw socket.io broadcast",
  },
  {
    name: "contract-pdf",
    file: "bench/contract-pdf.ts",
    args: [],
    quick: ["--runs", "10"],
    about: "a signed contract's PDF drawn",
  },
  {
    name: "certificate-pdf",
    file: "bench/certificate-pdf.ts",
    args: [],
    quick: ["--requests", "20"],
    about: "GET /registrations/:id/certificate.pdf through the app next to the drawing alone",
  },
  {
    name: "dashboard",
    file: "bench/dashboard.ts",
    args: [],
    quick: ["--contracts", "1000", "--requests", "30"],
    about: "/bureau/dashboard and its CSV for a year of 10,000 registered contracts next to the raw aggregation",
  },
  {
    name: "payment-roundtrip",
    file: "bench/payment-roundtrip.ts",
    args: [],
    quick: ["--runs", "10", "--warmup", "2"],
    about: "a stage paid by Checkout through the app next to the bare Stripe SDK",
  },
  {
    name: "stripe-fields",
    file: "bench/stripe-fields.ts",
    args: values["stripe-fixtures"] ? [values["stripe-fixtures"]] : [],
    quick: values["stripe-fixtures"] ? [values["stripe-fixtures"]] : [],
    about: "how much of each Stripe object the local Stripe-compatible server fills in",
    skip: values["stripe-fixtures"]
      ? undefined
      : "needs stripe/openapi's openapi/fixtures3.json: `npm run bench -- --stripe-fixtures PATH` (or STRIPE_FIXTURES=PATH)",
  },
];

const unknown = positionals.filter((p) => !BENCHES.some((b) => b.name === p));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHES.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
const chosen = positionals.length ? BENCHES.filter((b) => positionals.includes(b.name)) : BENCHES;

const outMd = path.resolve(
  values.out ?? (quick ? path.join(os.tmpdir(), "chengguo-benchmarks-quick.md") : path.join(ROOT, "docs/benchmarks.md")),
);
const outJson = outMd.replace(/\.md$/, "") + ".json";

/** Runs one benchmark as a child process; its output goes to the terminal and the last lines are kept. */
async function run(b: Bench, resultsDir: string): Promise<Outcome> {
  const ranAt = new Date().toISOString();
  const base = { name: b.name, about: b.about, ranAt, quick, results: [] as BenchResult[] };
  if (b.skip) return { ...base, status: "skipped", seconds: 0, reason: b.skip };
  const resultsFile = path.join(resultsDir, `${b.name}.ndjson`);
  const load0 = os.loadavg()[0]!;
  const t0 = performance.now();
  console.error(`\n[bench] ── ${b.name}: node --import tsx ${b.file} ${(quick ? b.quick : b.args).join(" ")}`);
  const child = spawn(process.execPath, ["--import", "tsx", b.file, ...(quick ? b.quick : b.args)], {
    cwd: ROOT,
    env: { ...process.env, BENCH_RESULTS_FILE: resultsFile, ...(quick ? { BENCH_QUICK: "1" } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const keep = (chunk: Buffer, to: NodeJS.WriteStream) => {
    to.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-3000);
  };
  child.stdout.on("data", (c: Buffer) => keep(c, process.stdout));
  child.stderr.on("data", (c: Buffer) => keep(c, process.stderr));
  const timeoutMs = Number(values.timeout) * 1000;
  const timer = setTimeout(() => {
    console.error(`[bench] ${b.name} ran longer than ${values.timeout}s: stopping it`);
    child.kill("SIGTERM");
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  clearTimeout(timer);
  const seconds = (performance.now() - t0) / 1000;
  const results = (await fs.readFile(resultsFile, "utf8").catch(() => ""))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BenchResult);
  const load: [number, number] = [load0, os.loadavg()[0]!];
  // A benchmark that exits non-zero (lost messages, a check that failed) is failed even with figures.
  const ok = exitCode === 0 && results.length > 0;
  const reason = ok
    ? undefined
    : exitCode !== 0
      ? `exited with ${exitCode}${results.length ? " (after reporting the figures below)" : ""}; the end of its output:\n\n${tail.replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;]*[A-Za-z]", "g"), "").replace(/\r/g, "\n")}`
      : "reported no results (it does not call reportResults from bench/support.ts yet)";
  return { ...base, status: ok ? "ok" : "failed", seconds, exitCode, load, results, reason };
}

async function cpuModel(): Promise<string> {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"} (${cpus.length} logical cores visible to Node, ${os.availableParallelism()} available)`;
}

const fmtDate = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

/** The hand-written notes of a page (between NOTES_START and NOTES_END), kept when the page is written again. */
const NOTES_START = "<!-- notes: written by hand, kept by npm run bench -->";
const NOTES_END = "<!-- /notes -->";
function notesOf(previousPage: string): string | null {
  const start = previousPage.indexOf(NOTES_START);
  const end = previousPage.indexOf(NOTES_END, start);
  return start >= 0 && end > start ? previousPage.slice(start, end + NOTES_END.length) : null;
}

function page(outcomes: Outcome[], machine: Record<string, string>, runAt: string, subset: boolean, notes: string | null): string {
  const versions: Record<string, string> = {};
  for (const o of outcomes) for (const r of o.results) Object.assign(versions, r.versions);
  const lines: string[] = [];
  lines.push("# Benchmarks");
  lines.push("");
  lines.push(
    "Written by `npm run bench` (bench/run-all.ts; how it works and why the goals are ratios: " +
      "[decision 037](decisions/037-benchmark-suite.md)). Each benchmark runs in its own process with its own " +
      "mongod, Meilisearch and app; a path's figures sit next to the raw baseline measured in the same run, " +
      "so a ratio holds even when the machine is busy. Times are milliseconds.",
  );
  lines.push("");
  lines.push(`- Written: ${fmtDate(runAt)}${subset ? " (this run refreshed only some benchmarks; each shows its own date)" : ""}`);
  for (const [k, v] of Object.entries(machine)) lines.push(`- ${k}: ${v}`);
  if (versions.mongodb) lines.push(`- MongoDB: ${versions.mongodb}`);
  if (versions.meilisearch) lines.push(`- Meilisearch: ${versions.meilisearch}`);
  if (outcomes.some((o) => o.quick)) lines.push("- **Quick mode** (smaller sizes): these figures are not the goals' figures.");
  lines.push("");
  if (notes) {
    lines.push(notes);
    lines.push("");
  }

  lines.push("## Goals");
  lines.push("");
  lines.push("| benchmark | path | conc. | figure | raw (same run) | goal | met |");
  lines.push("|---|---|---|---|---|---|---|");
  for (const o of outcomes) {
    const goals = o.results.flatMap((r) => r.rows.filter((row) => row.goal));
    if (o.status !== "ok" && goals.length === 0) {
      lines.push(`| ${o.name} | – | – | – | – | – | **${o.status}** |`);
      continue;
    }
    for (const g of goals) {
      const fig = `p50 ${g.p50?.toFixed(1) ?? "–"} / p95 ${g.p95?.toFixed(1) ?? "–"} / p99 ${g.p99?.toFixed(1) ?? "–"}`;
      const raw = g.raw ? `${g.raw.name}: p95 ${g.raw.p95?.toFixed(1) ?? "–"}` : "–";
      const met = g.goal!.met === null ? "not judged" : g.goal!.met ? "**met**" : "**missed**";
      lines.push(
        `| ${o.name} | ${g.path} | ${g.concurrency ?? "–"} | ${fig} | ${raw} | ${g.goal!.text} | ${met}${o.status === "failed" ? " (run failed)" : ""} |`,
      );
    }
  }
  lines.push("");

  for (const o of outcomes) {
    lines.push(`## ${o.name}`);
    lines.push("");
    lines.push(`${o.about}.`);
    lines.push("");
    const load = o.load ? `, load average ${o.load[0].toFixed(2)} → ${o.load[1].toFixed(2)}` : "";
    lines.push(
      `Status: **${o.status}** · run ${fmtDate(o.ranAt)}${o.seconds ? ` · ${o.seconds.toFixed(0)} s` : ""}${load}${o.quick ? " · quick mode" : ""}`,
    );
    lines.push("");
    for (const r of o.results) {
      if (o.results.length > 1 || r.title) lines.push(`### ${r.title ?? r.bench}`, "");
      if (r.params && Object.keys(r.params).length)
        lines.push(
          `Parameters: ${Object.entries(r.params)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
          "",
        );
      lines.push(resultTable(r.rows), "");
      for (const n of r.notes ?? []) lines.push(`- ${n}`);
      if (r.notes?.length) lines.push("");
    }
    if (o.reason) {
      lines.push(o.status === "skipped" ? `Skipped: ${o.reason}` : `Failed: ${o.reason.split("\n")[0]}`);
      const rest = o.reason.split("\n").slice(1).join("\n").trim();
      if (rest) lines.push("", "```", rest.split("\n").slice(-25).join("\n"), "```");
      lines.push("");
    }
  }
  return lines.join("\n");
}

const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), "chengguo-bench-results-"));
const runAt = new Date().toISOString();
const outcomes: Outcome[] = [];
for (const b of chosen) outcomes.push(await run(b, resultsDir));
await fs.rm(resultsDir, { recursive: true, force: true });

// Keep the other benchmarks' last figures, so the page always lists all of them.
const previous = (JSON.parse(await fs.readFile(outJson, "utf8").catch(() => "{}")) as { outcomes?: Outcome[] }).outcomes ?? [];
const all = BENCHES.map(
  (b) =>
    outcomes.find((o) => o.name === b.name) ??
    previous.find((o) => o.name === b.name) ?? {
      name: b.name,
      about: b.about,
      status: "failed" as const,
      ranAt: runAt,
      quick,
      seconds: 0,
      results: [],
      reason: "not run yet",
    },
);
const machine = {
  CPU: await cpuModel(),
  Memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
  OS: `${os.type()} ${os.release()} (${os.arch()})`,
  Node: process.version,
};
await fs.writeFile(outJson, `${JSON.stringify({ writtenAt: runAt, machine, outcomes: all }, null, 2)}\n`);
const notes = notesOf(await fs.readFile(outMd, "utf8").catch(() => ""));
await fs.writeFile(outMd, `${page(all, machine, runAt, chosen.length < BENCHES.length, notes)}\n`);
console.error(`\n[bench] wrote ${outMd} and ${outJson}`);
for (const o of outcomes) console.error(`[bench] ${o.name.padEnd(18)} ${o.status}${o.seconds ? ` (${o.seconds.toFixed(0)} s)` : ""}`);
if (outcomes.some((o) => o.status === "failed")) process.exitCode = 1;
