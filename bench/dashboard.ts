/**
 * `npm run bench:dashboard [-- --contracts 10000 --others 4000 --requests 100]`
 *
 * The county dashboard for a year of `--contracts` registered technology contracts (plus
 * `--others`: half registered the year before, half still waiting, which it must leave out),
 * stored through the Registration model into a fresh embedded mongod, with the real app (the
 * built Remix server) started against it. Measured interleaved in one run, at concurrency 1 and 4:
 *   - raw: the dashboard's aggregation itself (services/statistics/registered.server.ts's pipeline)
 *     run by this process on the same MongoDB;
 *   - the page GET /bureau/dashboard?year= (HTML, logged in as the bureau);
 *   - the same loader as JSON (`?_data=`, what a client-side navigation fetches);
 *   - one CSV GET /bureau/dashboard.csv?year=&table=towns.
 * Goal: the page's p95 < 300 ms (issue 17). Checks the page's total count is the seeded count.
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  getOk,
  interleaved,
  reportResults,
  seriesFigures,
  sessionCookie,
  startBenchApp,
  startBenchServices,
  stopApp,
  type BenchRow,
} from "./support.ts";
import { seedRegistrations } from "./registrations.ts";

const { values } = parseArgs({
  options: {
    contracts: { type: "string", default: "10000" },
    others: { type: "string", default: "4000" },
    requests: { type: "string", default: "100" },
  },
});
const nContracts = Number(values.contracts);
const nOthers = Number(values.others);
const nRequests = Number(values.requests);
if (![nContracts, nRequests].every((v) => Number.isInteger(v) && v > 0) || !(Number.isInteger(nOthers) && nOthers >= 0)) {
  console.error("--contracts and --requests must be positive whole numbers, --others a whole number");
  process.exit(2);
}
const GOAL_MS = 300;

process.env.SESSION_SECRET = randomBytes(32).toString("base64url");
process.env.LOG_LEVEL ??= "warn";

const mongoose = (await import("mongoose")).default;
const { connectDb } = await import("~/utils/db.server.ts");
const { Registration } = await import("~/models/registration.server.ts");
const { registeredPipeline } = await import("~/services/statistics/registered.server.ts");
const { platformSettings } = await import("~/services/settings/settings.server.ts");
const { currentChinaYear } = await import("~/services/statistics/period.ts");
const { person } = await import("../seeds/trading-fixtures.ts");

const { dataDir, services } = await startBenchServices("dashboard");
let app: ChildProcess | undefined;
try {
  await connectDb(services.mongoUri);
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  // Last year: a whole year of contracts, as the bureau looks back on it.
  const year = currentChinaYear() - 1;
  const t0 = performance.now();
  const ids = await seedRegistrations({
    year,
    count: nContracts,
    others: nOthers,
    onProgress: (n) => process.stderr.write(`\r[bench] ${n} / ${nContracts} registered contracts stored`),
  });
  const seedSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`\n[bench] stored in ${seedSeconds.toFixed(1)} s\n`);
  const bureau = await person("bureau@bench.chengguo.cn", ["bureau"], "西畴县科学技术局", "government");
  const cookie = await sessionCookie(bureau.id, "bench:dashboard");
  const county = (await platformSettings()).countyCode;

  let base: string;
  ({ app, base } = await startBenchApp({ dataDir, services, env: { SESSION_SECRET: process.env.SESSION_SECRET } }));

  // The page must show the seeded year's contracts, all of them.
  const data = (await (
    await fetch(`${base}/bureau/dashboard?year=${year}&_data=routes/bureau.dashboard`, { headers: { Cookie: cookie } })
  ).json()) as {
    d?: { total?: { count?: number } };
  };
  const shown = data.d?.total?.count;
  if (shown !== nContracts) throw new Error(`the dashboard counts ${shown} contracts in ${year}, not ${nContracts}`);

  const rows: BenchRow[] = [];
  for (const concurrency of [1, 4]) {
    const s = await interleaved(
      {
        raw: () => Registration.aggregate(registeredPipeline(year, county)),
        page: () => getOk(`${base}/bureau/dashboard?year=${year}`, cookie),
        data: () => getOk(`${base}/bureau/dashboard?year=${year}&_data=routes/bureau.dashboard`, cookie),
        csv: () => getOk(`${base}/bureau/dashboard.csv?year=${year}&table=towns`, cookie),
        // A registration written just before: the kept figures must be computed again.
        afterWrite: async (i) => {
          await Registration.updateOne({ _id: ids[Math.abs(i) % ids.length] }, { $set: { changedAt: null } });
          await getOk(`${base}/bureau/dashboard?year=${year}`, cookie);
        },
      },
      { rounds: Math.ceil(nRequests / concurrency), concurrency },
    );
    const raw = { name: "MongoDB aggregation", ...seriesFigures(s.raw!) };
    const errors = Object.values(s).reduce((n, x) => n + x.errors, 0);
    if (errors) throw new Error(`${errors} requests failed`);
    const row = (path: string, key: string, goal = false): BenchRow => {
      const f = seriesFigures(s[key]!);
      return {
        path,
        concurrency,
        ...f,
        raw,
        ...(goal ? { goal: { text: `p95 < ${GOAL_MS} ms`, met: nContracts >= 10_000 ? f.p95 < GOAL_MS : null } } : {}),
      };
    };
    rows.push(
      { path: "raw aggregation (registeredPipeline)", concurrency, ...seriesFigures(s.raw!) },
      row("GET /bureau/dashboard (page)", "page", true),
      row("GET /bureau/dashboard?_data (loader JSON)", "data"),
      row("GET /bureau/dashboard.csv?table=towns", "csv"),
      row("a registration written, then GET /bureau/dashboard (page, figures computed again)", "afterWrite"),
    );
  }
  await reportResults({
    bench: "dashboard",
    title: `County dashboard, a year of ${nContracts.toLocaleString("en")} registered contracts`,
    params: { contracts: nContracts, others: nOthers, requests: nRequests, year },
    rows,
    notes: [`${nContracts + nOthers} registrations stored through the Registration model in ${seedSeconds.toFixed(1)} s.`],
  });
} finally {
  await stopApp(app);
  await mongoose.disconnect().catch(() => {});
  await services.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
}
