/**
 * `npm run bench:import [-- --records 5000]` — how long one import call of 5,000 realistic
 * records takes (a mix of achievements and demands in Chinese), measured four ways: the import
 * service called directly; the same records again (all unchanged); again with every title
 * changed (all updated); and over real HTTP through the route's action (JSON body, parse,
 * answer). Also times the NDJSON export of everything. Starts its own mongod in a temporary
 * folder (Meilisearch is not needed) and removes it afterwards.
 *
 * The record generator is exported for the integration test that imports 5,000 in one call.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FIELDS, type Field } from "~/utils/taxonomy.ts";
import { patentCheckChar } from "~/utils/patent.ts";
import { usccCheckChar } from "~/utils/uscc.ts";
import { reportResults, type BenchRow } from "./support.ts";

// ---------------------------------------------------------------------------------------------
// Realistic records

/** mulberry32: a small seeded generator, so every run imports the same data. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUBJECTS: Record<Field, string[]> = {
  "info-tech": ["农产品溯源", "县域电商", "智慧农业物联网", "森林防火监测", "乡村治理数据"],
  "new-materials": ["竹纤维复合材料", "石材废料再生", "生物基可降解膜", "高性能混凝土外加剂"],
  biomedicine: ["三七", "石斛", "重楼", "灯盏花", "滇黄精", "三七总皂苷"],
  "plateau-agriculture": ["高山茶叶", "魔芋", "辣椒", "八角", "草果", "核桃", "肉牛", "生猪"],
  "eco-environment": ["石漠化土地", "坡耕地水土流失", "农村生活污水", "畜禽粪污", "矿山废弃地"],
  "advanced-manufacturing": ["三七烘干设备", "茶叶揉捻机", "小型农机", "山地运输索道"],
  "new-energy": ["农村屋顶光伏", "沼气工程", "生物质颗粒燃料", "小水电增效"],
  "food-processing": ["三七花茶", "魔芋精粉", "辣椒酱", "核桃乳", "果蔬冻干", "古树红茶"],
  construction: ["山区农村公路", "石砌民居抗震", "装配式农房", "边坡生态防护"],
  other: ["科技特派员服务", "农村技术培训", "检验检测服务"],
};
const TECHNIQUES = [
  "高效栽培技术",
  "深加工工艺",
  "绿色防控技术",
  "智能监测系统",
  "节能改造方案",
  "有机肥生产工艺",
  "品质快速检测方法",
  "保鲜贮藏技术",
  "有效成分提取纯化工艺",
  "标准化生产规程",
  "综合治理模式",
  "自动化生产线",
];
const SENTENCES = [
  "本成果针对文山州山区生产条件开发，已在西畴县多个乡镇示范应用。",
  "经第三方检测，关键指标优于行业标准，产品合格率达到 98% 以上。",
  "技术路线成熟，配套设备国产化，投资少、见效快，适合合作社和中小企业。",
  "项目组已完成小试和中试，形成了完整的工艺参数和质量控制体系。",
  "可显著降低人工成本约 30%，提高亩均效益，带动农户增收。",
  "成果依托省级科技计划项目完成，拥有自主知识产权。",
  "该技术可与现有生产线衔接，改造周期短，对原有工艺影响小。",
  "在石漠化山区推广应用后，水土流失明显减少，植被覆盖率提高。",
  "提供技术培训、现场指导和后续升级服务，保障成果顺利落地。",
  "已与多家县内企业开展合作洽谈，市场前景良好。",
];
const NEEDS = [
  "希望引进成熟可靠的技术，解决生产中的实际困难。",
  "目前生产能耗高、效率低，急需技术改造。",
  "产品附加值低，需要开发深加工工艺，延长产业链。",
  "期望与高校或科研院所合作，共同开发新产品。",
  "要求技术成熟度较高，能够在一年内投产。",
  "可提供试验场地和配套资金，欢迎技术团队实地考察。",
];
const REGIONS = [
  "532623",
  "532623",
  "532623",
  "532601",
  "532622",
  "532624",
  "532625",
  "532626",
  "532627",
  "532628",
  "532623101",
  "532623102",
  "532623201",
  "532623202",
  "532623203",
  "532623204",
  "532623205",
  "532623206",
  "532623207",
];
const OWNERS = [
  { name: "文山学院", type: "university", prefix: "12" },
  { name: "云南农业大学", type: "university", prefix: "12" },
  { name: "昆明理工大学", type: "university", prefix: "12" },
  { name: "云南省农业科学院", type: "institute", prefix: "12" },
  { name: "文山三七研究院", type: "institute", prefix: "12" },
  { name: "云南省林业和草原科学院", type: "institute", prefix: "12" },
  { name: "西畴县法斗乡高山茶业有限公司", type: "enterprise", prefix: "91" },
  { name: "文山州三七产业集团有限公司", type: "enterprise", prefix: "91" },
  { name: "西畴县石漠化治理生态科技有限公司", type: "enterprise", prefix: "91" },
  { name: "文山市绿野农业机械有限公司", type: "enterprise", prefix: "91" },
] as const;
const ENTERPRISES = [
  "西畴县兴街镇三七种植专业合作社",
  "西畴县莲花塘乡特色食品加工有限公司",
  "西畴县蚌谷乡魔芋种植专业合作社",
  "西畴县新马街乡生态养殖场",
  "西畴县柏林乡核桃产业有限公司",
  "西畴县董马乡茶叶专业合作社",
  "砚山县辣椒加工有限公司",
  "广南县八角香料有限公司",
  "麻栗坡县草果种植合作社",
  "富宁县农产品电商有限公司",
];

function uscc(prefix: string, region: string, n: number): string {
  const first17 = `${prefix}${region}${String(100_000_000 + n * 7919).slice(-9)}`;
  return first17 + usccCheckChar(first17);
}

function patent(r: () => number, type: "1" | "2", wrongCheck: boolean): string {
  const year = String(2012 + Math.floor(r() * 13));
  const serial = String(Math.floor(r() * 10_000_000)).padStart(7, "0");
  const digits = `${year}${type}${serial}`;
  let check = patentCheckChar(digits);
  if (wrongCheck) check = check === "1" ? "2" : "1";
  return `ZL${digits}.${check}`;
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const text = (r: () => number, list: readonly string[], n: number) => Array.from({ length: n }, () => pick(r, list)).join("");

export interface GeneratedRecords {
  achievements: Record<string, unknown>[];
  demands: Record<string, unknown>[];
}

/** `count` records, about 60% achievements; 5% carry a patent number with a wrong check character. */
export function generateRecords(count: number, seed = 2025, idPrefix = ""): GeneratedRecords {
  const r = rng(seed);
  const achievements: Record<string, unknown>[] = [];
  const demands: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const field = pick(r, FIELDS);
    const subject = pick(r, SUBJECTS[field]);
    const technique = pick(r, TECHNIQUES);
    const region = pick(r, REGIONS);
    if (r() < 0.6) {
      const owner = pick(r, OWNERS);
      const ipRoll = r();
      const ipType =
        ipRoll < 0.45 ? "invention-patent" : ipRoll < 0.7 ? "utility-model" : ipRoll < 0.85 ? "software-copyright" : "trade-secret";
      const patents =
        ipType === "invention-patent" || ipType === "utility-model"
          ? Array.from({ length: 1 + Math.floor(r() * 2) }, () => patent(r, ipType === "invention-patent" ? "1" : "2", r() < 0.05))
          : [];
      const priceRoll = r();
      const amount = Math.round(5 + r() * 295) * 10_000;
      const modes = r() < 0.5 ? ["license", "transfer"] : r() < 0.5 ? ["transfer"] : ["cooperation", "equity"];
      achievements.push({
        externalId: `${idPrefix}A${String(i).padStart(6, "0")}`,
        title: `${subject}${technique}`,
        summary: `${subject}${technique}，${pick(r, SENTENCES)}`,
        description: text(r, SENTENCES, 6 + Math.floor(r() * 10)),
        field,
        keywords: [subject, technique.slice(0, 4), "文山"],
        ipType,
        patentNumbers: patents,
        trl: 3 + Math.floor(r() * 7),
        transactionModes: modes,
        ...(modes.includes("license") ? { licenseExclusivity: [r() < 0.3 ? "exclusive" : "non-exclusive"] } : {}),
        price: priceRoll < 0.5 ? { mode: "fixed", amount } : priceRoll < 0.85 ? { mode: "negotiable" } : { mode: "auction", amount },
        owner: { name: owner.name, type: owner.type, creditCode: uscc(owner.prefix, "532600", OWNERS.indexOf(owner)) },
        inventors: [
          { name: pick(r, ["张", "李", "王", "刘", "陈", "杨", "赵", "黄"]) + pick(r, ["伟", "芳", "强", "敏", "磊", "静"]), share: 70 },
        ],
        region,
        fiscalFunding: r() < 0.3 ? { funded: true, project: "云南省重点研发计划" } : { funded: false },
      });
    } else {
      const enterprise = pick(r, ENTERPRISES);
      demands.push({
        externalId: `${idPrefix}D${String(i).padStart(6, "0")}`,
        title: `需要${subject}${technique}`,
        description: `${enterprise}${text(r, NEEDS, 3 + Math.floor(r() * 4))}`,
        field,
        keywords: [subject, technique.slice(0, 4)],
        budget: { max: Math.round(10 + r() * 190) * 10_000 },
        transactionModes: [pick(r, ["license", "transfer", "cooperation"] as const)],
        minTrl: 4 + Math.floor(r() * 4),
        enterprise: { name: enterprise },
        region,
        deadline: "2027-06-30",
      });
    }
  }
  return { achievements, demands };
}

// ---------------------------------------------------------------------------------------------
// The benchmark

async function main() {
  const { values } = parseArgs({ options: { records: { type: "string", default: "5000" } } });
  const n = Number(values.records);
  if (!Number.isInteger(n) || n < 1 || n > 5000) {
    console.error("--records must be a whole number from 1 to 5000 (the per-call limit)");
    process.exit(2);
  }
  const mongoose = (await import("mongoose")).default;
  const { parseEnv } = await import("~/utils/env.server.ts");
  const { startServices } = await import("../server/embedded/index.ts");
  const { freePort } = await import("../server/embedded/process.ts");
  const { CLI_ISSUER, createApiToken, authenticateApiToken } = await import("~/services/accounts/api-tokens.server.ts");
  const { importListings } = await import("~/services/open-data/import.server.ts");
  const { exportLines } = await import("~/services/open-data/export.server.ts");
  const { action } = await import("~/routes/api.v1.import.ts");

  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "chengguo-bench-"));
  console.error(`[bench] starting mongod in ${dataDir}`);
  const services = await startServices(
    parseEnv({
      DATA_DIR: dataDir,
      EMBEDDED_MONGO_PORT: String(await freePort()),
      // The import does not touch Meilisearch; an unused address keeps it from starting.
      MEILI_HOST: "http://127.0.0.1:9",
      MEILI_MASTER_KEY: "bench-bench-bench-bench",
    }),
  );
  const figures: string[] = [];
  const rows: BenchRow[] = [];
  const time = async <T>(label: string, records: number, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    const ms = performance.now() - t0;
    const line = `${label.padEnd(46)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(records / (ms / 1000))
      .toLocaleString("en")
      .padStart(7)} records/s`;
    figures.push(line);
    rows.push({
      path: label,
      n: records,
      throughput: records / (ms / 1000),
      throughputUnit: "records/s",
      note: `one call, ${(ms / 1000).toFixed(2)} s`,
    });
    console.error(`[bench] ${line}`);
    return out;
  };
  try {
    await mongoose.connect(services.mongoUri, { dbName: "bench" });
    await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
    const { token } = await createApiToken(CLI_ISSUER, { name: "bench", roles: ["admin"] });
    const principal = await authenticateApiToken(`Bearer ${token}`);
    const records = generateRecords(n);
    const bytes = Buffer.byteLength(JSON.stringify(records));
    console.error(
      `[bench] ${n} records: ${records.achievements.length} achievements, ${records.demands.length} demands, ${(bytes / 1024 / 1024).toFixed(1)} MB of JSON`,
    );

    // A freshly started mongod and cold code paths make the very first call slower than any
    // call to a running app; one small call first, timed separately.
    await time("service: warm-up, 100 records (other source)", 100, () =>
      importListings(principal, { source: "warm-up", ...generateRecords(100, 1, "W") }),
    );
    const first = await time(`service: import ${n} new records`, n, () => importListings(principal, { source: "bench", ...records }));
    check(first.totals.created === n, `expected ${n} created, got ${JSON.stringify(first.totals)}`);
    const again = await time(`service: the same ${n} again (all unchanged)`, n, () =>
      importListings(principal, { source: "bench", ...records }),
    );
    check(again.totals.unchanged === n, `expected ${n} unchanged, got ${JSON.stringify(again.totals)}`);
    const changed = {
      achievements: records.achievements.map((a) => ({ ...a, title: `${a.title}（修订）` })),
      demands: records.demands.map((d) => ({ ...d, title: `${d.title}（修订）` })),
    };
    const upd = await time(`service: ${n} with changed titles (all updated)`, n, () =>
      importListings(principal, { source: "bench", ...changed }),
    );
    check(upd.totals.updated === n, `expected ${n} updated, got ${JSON.stringify(upd.totals)}`);

    // Real HTTP on loopback: a plain node server hands each request to the route's action.
    const server = createServer(async (req, res) => {
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: Readable.toWeb(req) as ReadableStream,
        duplex: "half",
      } as RequestInit);
      const response = await action({ request, params: {}, context: { clientIp: req.socket.remoteAddress ?? "127.0.0.1" } });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const body = JSON.stringify({ source: "bench-http", ...generateRecords(n, 7, "H") });
    const answer = await time(`HTTP: POST /api/v1/import, ${n} new records`, n, async () => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/import`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body,
      });
      return { status: res.status, json: (await res.json()) as { totals: { created: number } } };
    });
    server.close();
    check(
      answer.status === 200 && answer.json.totals.created === n,
      `HTTP import answered ${answer.status} ${JSON.stringify(answer.json).slice(0, 300)}`,
    );

    let lines = 0;
    const total = 2 * n + 100;
    await time(`export: all ${total} items as JSON lines`, total, async () => {
      for await (const chunk of exportLines(principal, {})) lines += chunk.split("\n").length - 1;
    });
    check(lines === total, `expected ${total} export lines, got ${lines}`);

    console.log(
      `Import benchmark (${n} records per call, ${(bytes / 1024 / 1024).toFixed(1)} MB JSON, node ${process.version}, ${os.cpus().length} CPUs):`,
    );
    for (const f of figures) console.log(`  ${f}`);
    await reportResults({ bench: "import", title: `Import of ${n} records per call`, params: { records: n }, rows });
  } finally {
    await mongoose.disconnect().catch(() => {});
    await services.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

function check(ok: boolean, message: string) {
  if (!ok) throw new Error(`bench sanity check failed: ${message}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
