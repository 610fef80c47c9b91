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
import { percentiles, reportResults, type BenchRow } from "../support.ts";

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

/** One demand's figures for a ranked list of achievement externalIds (top 10 read). */
export function figuresOf(
  d: DemandRec,
  ranked: string[],
  achievementById: Map<string, Rec>,
  ms: number,
  top: DemandFigures["top"] = [],
): DemandFigures {
  const judgments = d.judgments ?? {};
  const infeasibleOf = (aid: string) => achievementById.has(aid) && violates(d, achievementById.get(aid)!);
  const ok = Object.fromEntries(Object.entries(judgments).filter(([aid]) => !infeasibleOf(aid)));
  return {
    externalId: d.externalId,
    title: String(d.title ?? ""),
    judged: Object.values(judgments).filter((g) => g > 0).length,
    recall: recallAt(10, ranked, judgments, 1),
    recall2: recallAt(10, ranked, judgments, 2),
    ndcg: ndcgAt(10, ranked, judgments),
    // distractors added by --scale are checked from MongoDB's copy
    violations: ranked.slice(0, 10).filter((aid) => infeasibleOf(aid)).length,
    infeasible: Object.entries(judgments).filter(([aid, g]) => g > 0 && infeasibleOf(aid)).length,
    feasible: { recall: recallAt(10, ranked, ok, 1), recall2: recallAt(10, ranked, ok, 2), ndcg: ndcgAt(10, ranked, ok) },
    top,
    ms,
  };
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
      folds: { type: "string", default: "4" },
      "no-cv": { type: "boolean", default: false },
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
  const { BM25_RETRIEVAL, BM25_TUNING, FUSION_TUNING, MATCH_FUSION, RETRIEVAL_LIMITS } = await import("../../search/matching/index.ts");
  const KNOBS: Record<string, Record<string, unknown>> = {
    concept: TUNING,
    bm25: BM25_TUNING,
    fusion: FUSION_TUNING,
    match: MATCH_FUSION,
    retrieval: BM25_RETRIEVAL,
    memory: RETRIEVAL_LIMITS,
  };
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

    const evaluate = async (label: string, quiet = false) => {
      resetMatchingVocabulary();
      clearMatchingCaches();
      const rows: DemandFigures[] = [];
      for (const d of dataset.demands) {
        const id = demandIds.get(d.externalId);
        if (!id) continue;
        const started = performance.now();
        const matches = await findMatchesForDemand(id, { limit: 10, viewer: { type: "system" } });
        const ms = performance.now() - started;
        const ranked = matches.map((m) => m.externalId ?? `#${m.id}`);
        const judgments = d.judgments ?? {};
        rows.push(
          figuresOf(
            d,
            ranked,
            achievementById,
            ms,
            matches.map((m) => ({ externalId: m.externalId, score: m.score, grade: judgments[m.externalId ?? ""] ?? 0 })),
          ),
        );
        if (values.verbose && !quiet) {
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
      if (!quiet) printFigures(label, rows);
      return rows;
    };

    const fusedDefault = await evaluate(`${dataset.achievements.length} achievements`);

    if (!values["no-cv"]) {
      // Point 8 of issue 16: the four systems side by side, cross-validated where anything is fitted.
      const defaults = Object.fromEntries(Object.entries(KNOBS).map(([g, k]) => [g, { ...k }]));
      const apply = (cfg: Config) => {
        for (const [g, k] of Object.entries(defaults)) Object.assign(KNOBS[g]!, k);
        for (const [name, v] of Object.entries(cfg.knobs)) setKnob(name, String(v));
      };
      const run = async (cfg: Config) => {
        apply(cfg);
        const rows = await evaluate(cfg.name, true);
        return rows;
      };
      const folds = Math.max(2, Number(values.folds) || 4);
      const t1 = performance.now();
      const concept = await run({ name: "concept", knobs: { "match.use": "concept" } });
      const bm25 = await crossValidate(gridOf("bm25"), run, folds);
      const fused = await crossValidate(gridOf("fused"), run, folds);
      apply({ name: "defaults", knobs: {} });
      const baseline = bigramBaselineFigures(dataset, achievementById);
      console.error(
        `[bench] cross-validation: ${bm25.tried + fused.tried} configurations in ${((performance.now() - t1) / 1000).toFixed(0)} s`,
      );
      printSystems(
        [
          { name: "concept matcher alone (no fitted knobs)", rows: concept },
          { name: `BM25 alone (${folds}-fold cross-validated)`, rows: bm25.heldOut },
          { name: "plain character-bigram BM25 (hard filter)", rows: baseline },
          { name: `fused (${folds}-fold cross-validated)`, rows: fused.heldOut },
          { name: "fused, shipped defaults (fitted on all: optimistic)", rows: fusedDefault },
        ],
        dataset.demands.length,
      );
      console.log(`  chosen per fold — BM25: ${bm25.chosen.join(" | ")}`);
      console.log(`  chosen per fold — fused: ${fused.chosen.join(" | ")}`);
      console.log(`  best on all demands (what the defaults should be) — fused: ${fused.bestOnAll}; BM25: ${bm25.bestOnAll}`);
    }

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
      reported.push({
        path: `GET /api/v1/demands/:id/matches (loader, ${dataset.achievements.length + made} achievements)`,
        concurrency: 1,
        ...percentiles(times),
      });
    }
    await reportResults({
      bench: "matching",
      title: "Matching quality and latency on the labelled set",
      params: {
        demands: dataset.demands.length,
        achievements: dataset.achievements.length,
        cv: !values["no-cv"],
        scale: Number(values.scale),
      },
      rows: reported,
    });
  } finally {
    await mongoose.disconnect().catch(() => {});
    await services.stop();
    if (!values["keep-data"]) await fs.rm(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Cross-validation (issue 16, point 8): knobs are chosen on some demands and measured on the others

export interface Config {
  name: string;
  knobs: Record<string, string | number>;
}

/** The configurations tried: a small grid, so that choosing among them cannot learn the set by heart. */
export function gridOf(system: "bm25" | "fused"): Config[] {
  const kinds = [
    { "bm25.words": 0.5, "bm25.bigrams": 0.3, "bm25.chars": 0.2 },
    { "bm25.words": 0.4, "bm25.bigrams": 0.4, "bm25.chars": 0.2 },
    { "bm25.words": 0.3, "bm25.bigrams": 0.3, "bm25.chars": 0.4 },
  ];
  const out: Config[] = [];
  const name = (k: Record<string, string | number>) =>
    Object.entries(k)
      .map(([n, v]) => `${n.replace(/^(bm25|match|fusion)\./, "")}=${v}`)
      .join(",");
  for (const kind of kinds) {
    for (const expansion of [0, 0.5]) {
      if (system === "bm25") {
        for (const k1 of [0.9, 1.2, 1.6]) {
          const knobs = { "match.use": "bm25", ...kind, "bm25.expansion": expansion, "bm25.k1": k1 };
          out.push({ name: name(knobs), knobs });
        }
        continue;
      }
      for (const w of [0.5, 1, 2]) {
        const rrf = { "match.method": "rrf", ...kind, "bm25.expansion": expansion, "fusion.bm25": w };
        out.push({ name: name(rrf), knobs: rrf });
        const blend = { "match.method": "blend", ...kind, "bm25.expansion": expansion, "match.bm25Weight": w };
        out.push({ name: name(blend), knobs: blend });
      }
    }
  }
  return out;
}

/** Demands in folds by a hash of their id (stable across runs, unrelated to their content). */
function foldOf(id: string, folds: number): number {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return (h >>> 0) % folds;
}

/**
 * Every configuration is run once on every demand; then for each fold the configuration with the
 * best mean nDCG@10 on the OTHER folds is chosen, and the fold's demands are measured with it.
 */
export async function crossValidate(configs: Config[], run: (c: Config) => Promise<DemandFigures[]>, folds: number) {
  const results: { cfg: Config; rows: DemandFigures[] }[] = [];
  for (const cfg of configs) results.push({ cfg, rows: await run(cfg) });
  const meanNdcg = (rows: DemandFigures[]) => mean(rows.map((r) => r.ndcg)) ?? 0;
  const heldOut: DemandFigures[] = [];
  const chosen: string[] = [];
  for (let f = 0; f < folds; f++) {
    let best = results[0]!;
    let bestScore = -1;
    for (const r of results) {
      const score = meanNdcg(r.rows.filter((x) => foldOf(x.externalId, folds) !== f));
      if (score > bestScore) [best, bestScore] = [r, score];
    }
    chosen.push(best.cfg.name);
    heldOut.push(...best.rows.filter((x) => foldOf(x.externalId, folds) === f));
  }
  const bestOnAll = results.reduce((a, b) => (meanNdcg(b.rows) > meanNdcg(a.rows) ? b : a)).cfg.name;
  return { heldOut, chosen, bestOnAll, tried: configs.length };
}

/**
 * The plain baseline of the issue: BM25 (k1 1.2, b 0.75) over the character bigrams of an
 * achievement's whole text (title, keywords, summary, description), every achievement that passes
 * the hard constraints ranked — no dictionary, no fields, no vocabulary.
 */
export function bigramBaselineFigures(dataset: Dataset, achievementById: Map<string, Rec>): DemandFigures[] {
  const grams = (s: string) => {
    const out: string[] = [];
    for (const run of s
      .normalize("NFKC")
      .toLowerCase()
      .match(/\p{Script=Han}{2,}/gu) ?? [])
      for (let i = 0; i + 1 < run.length; i++) out.push(run.slice(i, i + 2));
    return out;
  };
  const text = (r: Rec) =>
    [r.title, ...(Array.isArray(r.keywords) ? r.keywords : []), r.summary, r.description].filter((x) => typeof x === "string").join("，");
  const docs = dataset.achievements.map((a) => {
    const g = grams(text(a));
    const tf = new Map<string, number>();
    for (const x of g) tf.set(x, (tf.get(x) ?? 0) + 1);
    return { a, tf, len: g.length };
  });
  const df = new Map<string, number>();
  for (const d of docs) for (const x of d.tf.keys()) df.set(x, (df.get(x) ?? 0) + 1);
  const n = docs.length;
  const avg = docs.reduce((s, d) => s + d.len, 0) / Math.max(n, 1);
  return dataset.demands.map((d) => {
    const started = performance.now();
    const q = new Set(grams(text(d)));
    const ranked = docs
      .filter((x) => !violates(d, x.a))
      .map((x) => {
        let s = 0;
        for (const g of q) {
          const tf = x.tf.get(g);
          if (!tf) continue;
          const k = df.get(g) ?? 0;
          s += Math.log(1 + (n - k + 0.5) / (k + 0.5)) * ((tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * x.len) / avg)));
        }
        return [x.a.externalId, s] as const;
      })
      .filter(([, s]) => s > 0)
      .sort((x, y) => y[1] - x[1])
      .map(([id]) => id);
    return figuresOf(d, ranked, achievementById, performance.now() - started);
  });
}

/** The key figures for the suite (bench/support.ts, reportResults). */
const reported: BenchRow[] = [];
const qualityNote = (rows: DemandFigures[]) =>
  `nDCG@10 ${f3(mean(rows.map((r) => r.ndcg)))}, recall@10 ${f3(mean(rows.map((r) => r.recall)))}, violations ${rows.reduce((n, r) => n + r.violations, 0)}`;

function printSystems(systems: { name: string; rows: DemandFigures[] }[], demands: number) {
  console.log(`\nMatching systems on ${demands} demands (top 10; nDCG gain 2^g − 1)`);
  console.log(
    `  ${"system".padEnd(52)} ${"nDCG@10".padStart(7)} ${"R@10≥1".padStart(7)} ${"R@10≥2".padStart(7)} ${"viol".padStart(5)} ${"p50 ms".padStart(7)} ${"p95 ms".padStart(7)}`,
  );
  for (const s of systems) {
    const times = s.rows.map((r) => r.ms);
    reported.push({ path: `system: ${s.name}`, ...percentiles(times), note: qualityNote(s.rows) });
    console.log(
      `  ${s.name.padEnd(52)} ${f3(mean(s.rows.map((r) => r.ndcg))).padStart(7)} ${f3(mean(s.rows.map((r) => r.recall))).padStart(7)} ${f3(mean(s.rows.map((r) => r.recall2))).padStart(7)} ${String(s.rows.reduce((n, r) => n + r.violations, 0)).padStart(5)} ${pct(times, 50).toFixed(1).padStart(7)} ${pct(times, 95).toFixed(1).padStart(7)}`,
    );
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
  reported.push({ path: `findMatchesForDemand, ${label}`, ...percentiles(times), note: qualityNote(rows) });
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
