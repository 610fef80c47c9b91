/**
 * `npm run bench:search [-- --achievements 100000 --requests 400 --concurrency 4]`
 *
 * Seeds N published achievements (and 2,000 demands) through the import service into a fresh
 * embedded mongod + Meilisearch, starts the real app (the built Remix server) against them, then
 * measures, in the same run and interleaved so that machine noise hits all alike:
 *   - a raw Meilisearch query with the same parameters the search page sends,
 *   - the search endpoint as the browser's client-side navigation calls it (loader JSON),
 *   - the full server-rendered search page (HTML),
 *   - the match endpoint `GET /api/v1/demands/:id/matches?limit=10`.
 * Prints p50 / p95 latency and throughput for each, and the ratios to the raw query.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { percentiles, reportResults, seriesFigures, startBenchApp, startBenchServices, type BenchRow, type Series } from "./support.ts";
import { generateRecords } from "./import.ts";

const QUERIES = [
  "三七",
  "根腐病",
  "烘干",
  "茶叶加工",
  "石漠化",
  "魔芋",
  "辣椒",
  "光伏",
  "追溯",
  "提取纯化",
  "有机肥",
  "节能改造",
  "保鲜贮藏",
  "小型农机",
  "核桃",
  "生猪",
  "检测方法",
  "智能监测",
  "冻干",
  "污水",
  "重楼 栽培",
  "三七 提取",
  "茶 自动化",
  "石材 再生",
  "山地 运输",
  "",
  "高效栽培技术",
  "深加工工艺",
  "沼气",
  "索道",
];
const FIELDS = ["", "plateau-agriculture", "biomedicine", "food-processing", "eco-environment"];
const MODES = ["", "license", "transfer"];

/** Issue 17's goals: p95 as a multiple of the raw query's p95 (same run), and the match endpoint's p95. */
const GOALS = { endpoint: 1.5, page: 2, matchMs: 100 } as const;
/** The goals are set on 100,000 achievements; a smaller run (`--quick`) judges none. */
const GOAL_SIZE = 100_000;

async function main() {
  const { values } = parseArgs({
    options: {
      achievements: { type: "string", default: "100000" },
      requests: { type: "string", default: "400" },
      concurrency: { type: "string", default: "4" },
    },
  });
  const nAchievements = Number(values.achievements);
  const nRequests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  if (![nAchievements, nRequests, concurrency].every((v) => Number.isInteger(v) && v > 0)) {
    console.error("--achievements, --requests and --concurrency must be positive whole numbers");
    process.exit(2);
  }

  const mongoose = (await import("mongoose")).default;
  const { connectDb } = await import("~/utils/db.server.ts");
  const { CLI_ISSUER, createApiToken, authenticateApiToken } = await import("~/services/accounts/api-tokens.server.ts");
  const { importListings } = await import("~/services/open-data/import.server.ts");
  const { SearchOutbox } = await import("~/models/search-outbox.server.ts");
  const { Demand } = await import("~/models/demand.server.ts");
  const { rebuildIndex } = await import("../search/reindex.ts");
  const { meili, indexName } = await import("../search/client.ts");

  const { dataDir, services } = await startBenchServices("search");
  let app: ChildProcess | undefined;
  let base = "";
  try {
    await connectDb(services.mongoUri);
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
    const { token } = await createApiToken(CLI_ISSUER, { name: "bench", roles: ["admin"] });
    const principal = await authenticateApiToken(`Bearer ${token}`);

    // 1. Seed through the import service, 5,000 per call like a partner platform would.
    const bar = new cliProgress.SingleBar(
      { format: " seeding [{bar}] {value}/{total} achievements · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    bar.start(nAchievements, 0);
    let seeded = 0;
    let chunk = 0;
    const t0 = performance.now();
    // The demands the match endpoint is asked about, in a call of their own.
    const demandRes = await importListings(principal, {
      source: "bench",
      achievements: [],
      demands: generateRecords(5000, 6999, "BD-").demands.slice(0, 2000),
    });
    if (demandRes.totals.refused > 0) throw new Error(`import refused ${demandRes.totals.refused} demands`);
    while (seeded < nAchievements) {
      const gen = generateRecords(8500, 7000 + chunk, `B${chunk}-`);
      const achievements = gen.achievements.slice(0, Math.min(5000, nAchievements - seeded));
      const res = await importListings(principal, { source: "bench", achievements, demands: [] });
      if (res.totals.refused > 0) throw new Error(`import refused ${res.totals.refused} records`);
      seeded += achievements.length;
      chunk++;
      bar.update(seeded);
    }
    bar.stop();
    console.error(`[bench] imported ${seeded} achievements in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // 2. Index them (the rebuild path is the fast one for a bulk load), then clear the outbox.
    const t1 = performance.now();
    const ibar = new cliProgress.SingleBar(
      { format: " indexing [{bar}] {value}/{total} · {duration_formatted}" },
      cliProgress.Presets.shades_classic,
    );
    ibar.start(nAchievements, 0);
    await rebuildIndex("achievement", (p) => ibar.update(p.done));
    ibar.stop();
    await rebuildIndex("demand");
    await SearchOutbox.deleteMany({});
    console.error(`[bench] indexed in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

    // 3. The real app, built like `npm start`, against these services.
    ({ app, base } = await startBenchApp({ dataDir, services }));

    // 4. The requests: a fixed list of realistic queries with and without facets.
    const demandIds = (await Demand.find({ status: "published" }, { _id: 1 }).limit(200).lean()).map((d) => String(d._id));
    const plans = Array.from({ length: nRequests }, (_, i) => ({
      q: QUERIES[i % QUERIES.length]!,
      field: FIELDS[Math.floor(i / QUERIES.length) % FIELDS.length]!,
      mode: MODES[Math.floor(i / 7) % MODES.length]!,
      page: 1 + (i % 3 === 2 ? 1 : 0),
      demand: demandIds[i % demandIds.length]!,
    }));
    const index = meili().index(indexName("achievements"));
    const qs = (p: (typeof plans)[number]) => {
      const u = new URLSearchParams({ kind: "achievements" });
      if (p.q) u.set("q", p.q);
      if (p.field) u.append("field", p.field);
      if (p.mode) u.append("mode", p.mode);
      if (p.page > 1) u.set("page", String(p.page));
      return u.toString();
    };
    const kinds: { name: string; run: (p: (typeof plans)[number]) => Promise<unknown> }[] = [
      {
        name: "raw Meilisearch query",
        run: (p) => {
          const filter = ['status IN ["published", "trading", "deal", "contracted", "registered"]'];
          if (p.field) filter.push(`field = "${p.field}"`);
          if (p.mode) filter.push(`transactionModes = "${p.mode}"`);
          return index.search(p.q, {
            filter,
            facets: ["field", "transactionModes", "ipType", "maturity", "priceMode", "prefecture", "county"],
            hitsPerPage: 20,
            page: p.page,
            attributesToHighlight: ["title"],
            attributesToCrop: ["summary"],
            cropLength: 40,
          });
        },
      },
      { name: "search endpoint (loader JSON)", run: (p) => get(`${base}/search?${qs(p)}&_data=routes%2Fsearch`) },
      { name: "search page (server-rendered HTML)", run: (p) => get(`${base}/search?${qs(p)}`) },
      {
        name: "match endpoint (demand → 10 achievements)",
        run: (p) => get(`${base}/api/v1/demands/${p.demand}/matches?limit=10`, { Authorization: `Bearer ${token}` }),
      },
    ];
    // Matching's corpus statistics are built in the background after start; measure once they are.
    for (const started = Date.now(); Date.now() - started < 300_000; await new Promise((r) => setTimeout(r, 1000))) {
      const h = (await (await fetch(`${base}/healthz`)).json()) as { matchingCorpus?: { achievement: unknown } };
      if (h.matchingCorpus?.achievement) break;
    }
    // Warm-up: every kind, a few requests.
    for (const k of kinds) for (const p of plans.slice(0, 8)) await k.run(p).catch(() => {});

    const measure = async (conc: number): Promise<Series[]> => {
      const series: Series[] = kinds.map((k) => ({ name: k.name, ms: [], errors: 0, wallMs: 0 }));
      // Interleaved rounds: each round runs a slice of requests for every kind, in turn, so
      // machine noise hits all kinds alike.
      const round = 40;
      for (let start = 0; start < plans.length; start += round) {
        const slice = plans.slice(start, start + round);
        for (const [i, k] of kinds.entries()) {
          const s = series[i]!;
          const w0 = performance.now();
          let next = 0;
          await Promise.all(
            Array.from({ length: conc }, async () => {
              while (next < slice.length) {
                const p = slice[next++]!;
                const a = performance.now();
                try {
                  await k.run(p);
                  s.ms.push(performance.now() - a);
                } catch (e) {
                  if (s.errors++ === 0) console.error(`[bench] ${k.name}: ${(e as Error).message}`);
                }
              }
            }),
          );
          s.wallMs += performance.now() - w0;
        }
      }
      return series;
    };
    const report = (series: Series[], conc: number) => {
      const raw = percentiles(series[0]!.ms);
      console.log(`\nconcurrency ${conc}:`);
      console.log(
        `${"".padEnd(44)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"req/s".padStart(9)}${"p95 ×raw".padStart(10)}${"errors".padStart(8)}`,
      );
      for (const s of series) {
        const f = seriesFigures(s);
        console.log(
          `${s.name.padEnd(44)}${f.p50.toFixed(1).padStart(9)}${f.p95.toFixed(1).padStart(9)}${f.throughput.toFixed(0).padStart(9)}${(f.p95 / raw.p95).toFixed(2).padStart(10)}${String(s.errors).padStart(8)}`,
        );
      }
    };
    const judged = nAchievements >= GOAL_SIZE;
    const rows = (series: Series[], conc: number): BenchRow[] => {
      const errors = series.reduce((n, s) => n + s.errors, 0);
      if (errors) throw new Error(`${errors} requests failed at concurrency ${conc}`);
      const [rawS, endpoint, page, match] = series as [Series, Series, Series, Series];
      const raw = { name: "raw Meilisearch query", ...seriesFigures(rawS) };
      const ratioRow = (s: Series, ratio: number): BenchRow => {
        const f = seriesFigures(s);
        return {
          path: s.name,
          concurrency: conc,
          ...f,
          raw,
          goal: { text: `p95 ≤ ${ratio}× raw`, met: judged ? f.p95 <= ratio * raw.p95 : null },
          note: `p95 ${(f.p95 / raw.p95).toFixed(2)}× raw`,
        };
      };
      const m = seriesFigures(match);
      return [
        { path: rawS.name, concurrency: conc, ...raw },
        ratioRow(endpoint, GOALS.endpoint),
        ratioRow(page, GOALS.page),
        {
          path: match.name,
          concurrency: conc,
          ...m,
          ...(conc === 4 ? { goal: { text: `p95 < ${GOALS.matchMs} ms`, met: judged ? m.p95 < GOALS.matchMs : null } } : {}),
        },
      ];
    };
    const sequential = await measure(1);
    const loaded = concurrency > 1 ? await measure(concurrency) : null;
    console.log(
      `\nSearch benchmark: ${nAchievements.toLocaleString("en")} achievements, ${nRequests} requests per kind, node ${process.version}, ${os.cpus().length} CPUs`,
    );
    report(sequential, 1);
    if (loaded) report(loaded, concurrency);
    await reportResults({
      bench: "search",
      title: `Search on ${nAchievements.toLocaleString("en")} achievements`,
      params: { achievements: nAchievements, requests: nRequests, concurrency },
      rows: [...rows(sequential, 1), ...(loaded ? rows(loaded, concurrency) : [])],
      notes: [
        "The raw query is one Meilisearch search with the page's filter and facets; the endpoint is the search loader's JSON (client-side navigation), the page the server-rendered HTML.",
        ...(judged ? [] : [`Fewer than ${GOAL_SIZE.toLocaleString("en")} achievements: goals not judged.`]),
      ],
    });
  } finally {
    if (app) {
      const exited = new Promise((r) => app!.once("exit", r));
      app.kill("SIGTERM");
      await exited;
    }
    await mongoose.disconnect().catch(() => {});
    await services.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

async function get(url: string, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(url, { headers });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
