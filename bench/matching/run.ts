/**
 * `npm run bench:matching [-- --dataset bench/matching/dataset.json] [--verbose] [--scale 100000]`
 *
 * The quality harness of matching. Starts its own mongod and Meilisearch in a temporary folder
 * (like bench/import.ts), imports the dataset through the import service (published), lets the
 * search outbox fill the index, runs matching for every demand through the service the API uses
 * (top 10) and prints, per demand and overall:
 *
 * - recall@10: the share of the judged achievements (grade ≥ 1) found in the top 10, and the
 *   same for grade ≥ 2 (the clearly useful ones);
 * - nDCG@10 with gain 2^grade − 1; the ideal ranking is the judgments' own, best grades first;
 * - hard-constraint violations in the top 10 — an achievement that offers none of the demand's
 *   transaction modes, or whose TRL is below minTrl (a hard rule, issue 13) — checked from the data, not the
 *   judgments (must be 0);
 * - the time per demand (service call).
 *
 * `--scale N` then adds N generated achievements (bench/import.ts's generator) as distractors and
 * measures the match endpoint itself (the route's loader, token auth included): p50/p95/p99 over
 * repeated calls, and the quality figures again at that size.
 *
 * `--synonyms extra.json` (`{ "groups": [[…], …] }`) adds
 * synonym groups to those of search/vocabulary for this run — in Meilisearch and in the
 * matcher — to measure proposed additions before they go into the shared file.
 *
 * `--tune demandCovered=0.6,bigrams=0.25` overrides knobs of search/matching/score.ts's TUNING for the run.
 *
 * Dataset format: `{ "achievements": [import records with externalId], "demands": [import
 * records with externalId and "judgments": { "<achievement externalId>": 1 | 2 | 3 }] }`.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

type Rec = Record<string, unknown> & { externalId: string };
type DemandRec = Rec & { judgments?: Record<string, number> };
interface Dataset {
  achievements: Rec[];
  demands: DemandRec[];
}

export interface DemandFigures {
  externalId: string;
  title: string;
  judged: number;
  recall: number | null;
  recall2: number | null;
  ndcg: number | null;
  violations: number;
  /** judged achievements that break a hard constraint (they can never be returned) */
  infeasible: number;
  /** the same figures over the feasible judgments only (what matching may return at all) */
  feasible: { recall: number | null; recall2: number | null; ndcg: number | null };
  top: { externalId: string | null; score: number; grade: number }[];
  ms: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// The figures (pure; also used by the unit tests)

/** Discounted cumulative gain of grades in rank order (gain 2^g − 1, log2 discount). */
export function dcg(grades: number[]): number {
  return grades.reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
}

/** nDCG@k of a ranked list of ids against graded judgments; null when nothing is judged relevant. */
export function ndcgAt(k: number, ranked: string[], judgments: Record<string, number>): number | null {
  const ideal = Object.values(judgments)
    .filter((g) => g > 0)
    .sort((a, b) => b - a)
    .slice(0, k);
  const best = dcg(ideal);
  if (best === 0) return null;
  return dcg(ranked.slice(0, k).map((id) => judgments[id] ?? 0)) / best;
}

/** Share of the items graded ≥ minGrade that appear in the top k; null when there are none. */
export function recallAt(k: number, ranked: string[], judgments: Record<string, number>, minGrade = 1): number | null {
  const relevant = Object.entries(judgments)
    .filter(([, g]) => g >= minGrade)
    .map(([id]) => id);
  if (relevant.length === 0) return null;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

const modesOf = (r: Rec) => (Array.isArray(r.transactionModes) ? (r.transactionModes as string[]) : []);
const numOf = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : null);

/** The hard constraints, read from the dataset's own records. */
export function violates(demand: Rec, achievement: Rec): boolean {
  const wanted = modesOf(demand);
  if (!modesOf(achievement).some((m) => wanted.includes(m))) return true;
  const minTrl = numOf(demand.minTrl);
  const trl = numOf(achievement.trl);
  return minTrl != null && trl != null && trl < minTrl;
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x != null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const f3 = (x: number | null) => (x == null ? "  —  " : x.toFixed(3));

// ---------------------------------------------------------------------------------------------
// The run

async function main() {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string", default: path.join(HERE, "dataset.json") },
      verbose: { type: "boolean", default: false },
      scale: { type: "string", default: "0" },
      calls: { type: "string", default: "300" },
      "keep-data": { type: "boolean", default: false },
      synonyms: { type: "string" },
      tune: { type: "string" },
    },
  });
  const scale = Number(values.scale);
  if (!Number.isInteger(scale) || scale < 0) throw new Error("--scale must be a whole number");
  const dataset = JSON.parse(await fs.readFile(values.dataset!, "utf8")) as Dataset;
  if (!Array.isArray(dataset.achievements) || !Array.isArray(dataset.demands)) {
    throw new Error(`${values.dataset} must hold { achievements: [...], demands: [...] }`);
  }

  const mongoose = (await import("mongoose")).default;
  const { parseEnv, setServiceEndpoints } = await import("~/utils/env.server.ts");
  const { startServices } = await import("../../server/embedded/index.ts");
  const { freePort } = await import("../../server/embedded/process.ts");
  const { CLI_ISSUER, createApiToken, authenticateApiToken } = await import("~/services/accounts/api-tokens.server.ts");
  const { importListings } = await import("~/services/open-data/import.server.ts");
  const { findMatchesForDemand } = await import("~/services/matching/matches.server.ts");
  const { resetMatchingVocabulary } = await import("~/services/matching/vocabulary.server.ts");
  const { clearMatchingCaches, TUNING } = await import("../../search/matching/index.ts");
  const { BM25_TUNING, FUSION_TUNING, MATCH_FUSION } = await import("../../search/matching/index.ts");
  const KNOBS: Record<string, Record<string, unknown>> = { concept: TUNING, bm25: BM25_TUNING, fusion: FUSION_TUNING, match: MATCH_FUSION };
  const setKnob = (name: string, raw: string) => {
    const [group, key] = name.includes(".") ? (name.split(".", 2) as [string, string]) : ["concept", name];
    const knobs = KNOBS[group];
    if (!knobs || !(key in knobs)) throw new Error(`--tune: unknown knob ${name} (groups: ${Object.keys(KNOBS).join(", ")})`);
    knobs[key] = typeof knobs[key] === "number" ? Number(raw) : raw;
  };
  for (const pair of (values.tune ?? "").split(",").filter(Boolean)) {
    const [key, raw] = pair.split("=");
    if (!key || raw === undefined) throw new Error(`--tune: ${pair} is not knob=value`);
    setKnob(key, raw);
  }
  if (values.tune) console.error(`[bench] tuning ${JSON.stringify(KNOBS)}`);
  const { ensureIndexes } = await import("../../search/indexes.ts");
  const { drainOutbox } = await import("../../search/outbox.ts");

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "chengguo-bench-matching-"));
  console.error(`[bench] starting mongod and Meilisearch in ${dataDir}`);
  const services = await startServices(
    parseEnv({ DATA_DIR: dataDir, EMBEDDED_MONGO_PORT: String(await freePort()), EMBEDDED_MEILI_PORT: String(await freePort()) }),
  );
  setServiceEndpoints({ mongoUri: services.mongoUri, meiliHost: services.meiliHost, meiliKey: services.meiliKey });
  try {
    await mongoose.connect(services.mongoUri, { dbName: "bench" });
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
    await ensureIndexes();
    if (values.synonyms) {
      const { loadSynonymGroups, readExtraGroups, synonymMap } = await import("../../search/synonyms.ts");
      const { useSynonymGroups } = await import("../../search/matching/index.ts");
      const { indexName, meili } = await import("../../search/client.ts");
      const groups = [...loadSynonymGroups(), ...readExtraGroups(path.resolve(values.synonyms))];
      useSynonymGroups(groups);
      for (const uid of [indexName("achievements"), indexName("demands")]) {
        await meili().index(uid).updateSynonyms(synonymMap(groups)).waitTask({ timeout: 60_000 });
      }
      console.error(`[bench] ${groups.length} synonym groups (search/vocabulary + ${values.synonyms})`);
    }
    const { token } = await createApiToken(CLI_ISSUER, { name: "bench-matching", roles: ["admin"] });
    const principal = await authenticateApiToken(`Bearer ${token}`);

    // Import (≤ 5,000 records per call), published.
    const demandIds = new Map<string, string>();
    const achievementById = new Map<string, Rec>(dataset.achievements.map((a) => [a.externalId, a]));
    const strip = ({ judgments: _j, ...rest }: DemandRec) => rest;
    let refused = 0;
    const importChunked = async (source: string, achievements: Rec[], demands: Rec[]) => {
      const all = [...achievements.map((r) => ["a", r] as const), ...demands.map((r) => ["d", r] as const)];
      for (let i = 0; i < all.length; i += 5000) {
        const part = all.slice(i, i + 5000);
        const res = await importListings(principal, {
          source,
          achievements: part.filter(([k]) => k === "a").map(([, r]) => r),
          demands: part.filter(([k]) => k === "d").map(([, r]) => r),
        });
        for (const r of res.demands) if (r.id && r.externalId) demandIds.set(r.externalId, r.id);
        for (const r of [...res.achievements, ...res.demands]) {
          if (r.status === "refused") {
            refused++;
            if (refused <= 10) console.error(`[bench] refused ${r.externalId}: ${JSON.stringify(r.errors)}`);
          }
        }
      }
    };
    let t0 = performance.now();
    await importChunked("bench-matching", dataset.achievements, dataset.demands.map(strip));
    console.error(
      `[bench] imported ${dataset.achievements.length} achievements and ${dataset.demands.length} demands (${refused} refused) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    t0 = performance.now();
    await drainOutbox();
    console.error(`[bench] search index filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const evaluate = async (label: string) => {
      resetMatchingVocabulary();
      clearMatchingCaches();
      const rows: DemandFigures[] = [];
      for (const d of dataset.demands) {
        const id = demandIds.get(d.externalId);
        if (!id) continue;
        const started = performance.now();
        const matches = await findMatchesForDemand(id, { limit: 10, viewer: { type: "system" } });
        const ms = performance.now() - started;
        const judgments = d.judgments ?? {};
        const ranked = matches.map((m) => m.externalId ?? `#${m.id}`);
        const violations = matches.filter((m) => {
          const a = m.externalId ? achievementById.get(m.externalId) : undefined;
          return a ? violates(d, a) : false; // distractors added by --scale are checked below
        }).length;
        rows.push({
          externalId: d.externalId,
          title: String(d.title ?? ""),
          judged: Object.values(judgments).filter((g) => g > 0).length,
          recall: recallAt(10, ranked, judgments, 1),
          recall2: recallAt(10, ranked, judgments, 2),
          ndcg: ndcgAt(10, ranked, judgments),
          violations,
          infeasible: Object.entries(judgments).filter(
            ([aid, g]) => g > 0 && achievementById.has(aid) && violates(d, achievementById.get(aid)!),
          ).length,
          feasible: (() => {
            const ok = Object.fromEntries(
              Object.entries(judgments).filter(([aid]) => !(achievementById.has(aid) && violates(d, achievementById.get(aid)!))),
            );
            return { recall: recallAt(10, ranked, ok, 1), recall2: recallAt(10, ranked, ok, 2), ndcg: ndcgAt(10, ranked, ok) };
          })(),
          top: matches.map((m) => ({ externalId: m.externalId, score: m.score, grade: judgments[m.externalId ?? ""] ?? 0 })),
          ms,
        });
        if (values.verbose) {
          const missed = Object.entries(judgments)
            .filter(([aid, g]) => g > 0 && !ranked.includes(aid))
            .map(
              ([aid, g]) =>
                `${aid}(${g}${achievementById.has(aid) && violates(d, achievementById.get(aid)!) ? ",infeasible" : ""}) ${String(achievementById.get(aid)?.title ?? "?")}`,
            );
          console.log(
            `\n${d.externalId} ${String(d.title)}  [modes ${modesOf(d).join("/")}, minTrl ${d.minTrl ?? "—"}, budget ≤ ${(d.budget as { max?: number } | undefined)?.max ?? "—"}]`,
          );
          matches.forEach((m, i) => {
            const a = m.externalId ? achievementById.get(m.externalId) : undefined;
            console.log(
              `  ${String(i + 1).padStart(2)}. ${m.score.toFixed(3)} g${judgments[m.externalId ?? ""] ?? 0} ${m.externalId} ${m.title}${a && violates(d, a) ? "  !!VIOLATION" : ""}\n        ${m.reasons.map((r) => JSON.stringify(r)).join(" ")}`,
            );
          });
          if (missed.length) console.log(`  missed: ${missed.join(" · ")}`);
        }
      }
      printFigures(label, rows);
      return rows;
    };

    await evaluate(`${dataset.achievements.length} achievements`);

    if (scale > 0) {
      const { generateRecords } = await import("../import.ts");
      const { rebuildIndex } = await import("../../search/reindex.ts");
      const { SearchOutbox } = await import("~/models/search-outbox.server.ts");
      const { loader } = await import("~/routes/api.v1.demands.$id.matches.ts");
      t0 = performance.now();
      let made = 0;
      for (let seed = 1; made < scale; seed++) {
        const batch = generateRecords(5000, 9000 + seed, `S${seed}-`).achievements.slice(0, scale - made) as Rec[];
        await importChunked("bench-scale", batch, []);
        made += batch.length;
        process.stderr.write(`\r[bench] generated achievements imported: ${made}/${scale}`);
      }
      console.error(`\n[bench] ${made} distractors imported in ${((performance.now() - t0) / 1000).toFixed(1)} s; rebuilding the index…`);
      t0 = performance.now();
      await rebuildIndex("achievement");
      await rebuildIndex("demand");
      await SearchOutbox.deleteMany({}); // the rebuild read MongoDB as it is now
      console.error(`[bench] index rebuilt in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      const scaled = await evaluate(`${dataset.achievements.length + made} achievements (with ${made} generated distractors)`);
      // Distractors must respect the hard constraints too: check them from MongoDB's copy.
      const { Achievement } = await import("~/models/achievement.server.ts");
      let distractorViolations = 0;
      for (const row of scaled) {
        const d = dataset.demands.find((x) => x.externalId === row.externalId)!;
        const extra = row.top.filter((m) => m.externalId && !achievementById.has(m.externalId)).map((m) => m.externalId!);
        if (extra.length === 0) continue;
        const docs = await Achievement.find({ externalId: { $in: extra }, source: "bench-scale" }, { transactionModes: 1, trl: 1 }).lean();
        distractorViolations += docs.filter((a) =>
          violates(d, { externalId: "", transactionModes: a.transactionModes, trl: a.trl }),
        ).length;
      }
      console.log(`  hard-constraint violations among generated distractors in the top 10: ${distractorViolations}`);

      // The endpoint itself, warm: GET /api/v1/demands/:id/matches?limit=10 through the route's loader.
      const ids = [...demandIds.values()];
      const calls = Number(values.calls);
      const times: number[] = [];
      for (let i = 0; i < calls; i++) {
        const id = ids[i % ids.length]!;
        const request = new Request(`http://localhost/api/v1/demands/${id}/matches?limit=10`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        const s = performance.now();
        const res = await loader({ request, params: { id }, context: {} } as never);
        await res.text();
        times.push(performance.now() - s);
        if (res.status !== 200) throw new Error(`match endpoint answered ${res.status}`);
      }
      console.log(
        `  GET /api/v1/demands/:id/matches at ${dataset.achievements.length + made} achievements, ${calls} calls: ` +
          `p50 ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`,
      );
    }
  } finally {
    await mongoose.disconnect().catch(() => {});
    await services.stop();
    if (!values["keep-data"]) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

function printFigures(label: string, rows: DemandFigures[]) {
  console.log(`\nMatching quality — ${label}, ${rows.length} demands (node ${process.version}, ${os.cpus().length} CPUs)`);
  console.log(
    `  ${"demand".padEnd(14)} ${"judged".padStart(6)} ${"R@10".padStart(6)} ${"R2@10".padStart(6)} ${"nDCG".padStart(6)} ${"viol".padStart(4)} ${"ms".padStart(6)}  title`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.externalId.padEnd(14)} ${String(r.judged).padStart(6)} ${f3(r.recall).padStart(6)} ${f3(r.recall2).padStart(6)} ${f3(r.ndcg).padStart(6)} ${String(r.violations).padStart(4)} ${r.ms.toFixed(0).padStart(6)}  ${r.title.slice(0, 28)}${r.infeasible ? `  (${r.infeasible} judged item(s) break a hard constraint)` : ""}`,
    );
  }
  const times = rows.map((r) => r.ms);
  console.log(
    `  overall: recall@10 (grade ≥ 1) ${f3(mean(rows.map((r) => r.recall)))} · recall@10 (grade ≥ 2) ${f3(mean(rows.map((r) => r.recall2)))} · ` +
      `nDCG@10 ${f3(mean(rows.map((r) => r.ndcg)))} · hard-constraint violations in the top 10: ${rows.reduce((n, r) => n + r.violations, 0)} · ` +
      `judged but infeasible: ${rows.reduce((n, r) => n + r.infeasible, 0)} · per demand p50 ${pct(times, 50).toFixed(0)} ms, p95 ${pct(times, 95).toFixed(0)} ms`,
  );
  console.log(
    `  over the feasible judgments (judged items breaking a hard constraint left out): recall@10 (grade ≥ 1) ${f3(mean(rows.map((r) => r.feasible.recall)))} · ` +
      `recall@10 (grade ≥ 2) ${f3(mean(rows.map((r) => r.feasible.recall2)))} · nDCG@10 ${f3(mean(rows.map((r) => r.feasible.ndcg)))}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
