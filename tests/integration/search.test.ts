import net from "node:net";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import { parseSearchParams, SearchParamsSchema, type SearchParams, type SearchParamsInput } from "~/schemas/search.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { setServiceEndpoints } from "~/utils/env.server.ts";
import { indexName, meili } from "../../search/client.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { outdatedDocuments, rebuildOutdatedIndexes } from "../../search/reindex.ts";
import { drainOutbox } from "../../search/outbox.ts";
import { loadSynonymGroups } from "../../search/synonyms.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import type { AchievementHit, DemandHit } from "~/services/search/hits.ts";
import { suggest } from "~/services/search/suggest.server.ts";
import { searchListings, type SearchResult } from "~/services/search/search.server.ts";

/**
 * Search against the real Meilisearch: items are published through the listing service, the
 * outbox is drained into the index, and the service is asked what a visitor would ask. One long
 * file because every case shares one seeded index, which takes longer to build than the cases run.
 */
let seller: SessionUser, buyer: SessionUser, broker: SessionUser;
const ids: Record<string, string> = {};

async function person(
  email: string,
  roles: ("seller" | "buyer" | "broker")[],
  org: { name: string; type: "institute" | "enterprise" | "service-agency" },
) {
  const organization = await upsertOrganization({ ...org, region: "532623" });
  const u = await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization });
  return (await getSessionUserById(String(u._id)))!;
}

const achievement = (title: string, over: Partial<AchievementDataInput> = {}): AchievementDataInput => ({
  title,
  summary: `${title}的简介`,
  description: `${title}的详细介绍，适合县域推广应用。`,
  field: "other",
  keywords: [],
  ipType: "none",
  trl: 6,
  transactionModes: ["transfer"],
  price: { mode: "negotiable" },
  region: "532623",
  ...over,
});

const demand = (title: string, over: Partial<DemandDataInput> = {}): DemandDataInput => ({
  title,
  description: `${title}，希望找到合适的技术。`,
  field: "other",
  keywords: [],
  transactionModes: ["transfer"],
  region: "532623",
  ...over,
});

async function publishAchievement(key: string, data: AchievementDataInput) {
  const id = await createAchievement(seller, data);
  await transitionListing(seller, "achievement", id, "submit");
  await transitionListing(broker, "achievement", id, "approve");
  ids[key] = id;
  return id;
}

async function publishDemand(key: string, data: DemandDataInput) {
  const id = await createDemand(buyer, data);
  await transitionListing(buyer, "demand", id, "submit");
  await transitionListing(broker, "demand", id, "approve");
  ids[key] = id;
  return id;
}

const params = (input: SearchParamsInput = {}): SearchParams => SearchParamsSchema.parse(input);

async function search(input: SearchParamsInput = {}): Promise<SearchResult> {
  const p = params(input);
  const res = await searchListings(p.kind, p);
  if (!res.ok) throw new Error("search unavailable");
  return res;
}

const titles = (r: SearchResult) => r.hits.map((h) => h.title);
const count = (r: SearchResult, group: keyof SearchResult["facets"], value: string) =>
  r.facets[group]?.find((v) => v.value === value)?.count ?? 0;
const wan = (n: number) => n * 10_000 * 100; // 万元 → fen

beforeAll(async () => {
  await ensureIndexes();
  seller = await person("seller@lab.cn", ["seller"], { name: "西畴县农业科学研究所", type: "institute" });
  buyer = await person("buyer@coop.cn", ["buyer"], { name: "兴街镇种植专业合作社", type: "enterprise" });
  broker = await person("broker@agency.cn", ["broker"], { name: "技术转移中心", type: "service-agency" });

  await publishAchievement(
    "rootRot",
    achievement("三七根腐病生物防治菌剂", {
      summary: "拮抗木霉与芽孢杆菌复配的微生物菌剂，田间防效 72%。",
      description: "针对三七连作条件下的根腐病，研制复配菌剂及三段式施用技术，已完成中试。",
      field: "plateau-agriculture",
      keywords: ["三七", "生物防治"],
      ipType: "invention-patent",
      patentNumbers: ["ZL201910123456.X"],
      trl: 6,
      transactionModes: ["license"],
      licenseExclusivity: ["exclusive"],
      price: { mode: "fixed", amount: wan(30) },
      region: "532623",
    }),
  );
  await publishAchievement(
    "tea",
    achievement("高山绿茶清洁化加工生产线", {
      summary: "电磁杀青、连续揉捻与链板烘干，以电代柴。",
      field: "food-processing",
      ipType: "software-copyright",
      trl: 8,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: wan(8) },
      region: "530102",
    }),
  );
  await publishAchievement(
    "karst",
    achievement("喀斯特山地花椒种植模式", {
      summary: "整地、苗木配置与抚育管护规程。",
      field: "eco-environment",
      trl: 5,
      transactionModes: ["cooperation"],
      price: { mode: "negotiable" },
      region: "532623",
    }),
  );
  await publishAchievement(
    "saponin",
    achievement("三七总皂苷提取纯化工艺", {
      summary: "大孔树脂与膜分离联用，得率提高 12%。",
      field: "biomedicine",
      ipType: "invention-patent",
      patentNumbers: ["ZL201910123456.X"],
      trl: 7,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: wan(120) },
      region: "532601",
    }),
  );
  await publishAchievement(
    "pepper",
    achievement("辣椒病虫害绿色防控技术", {
      summary: "抗病品种、性诱剂与生物农药集成。",
      field: "plateau-agriculture",
      ipType: "plant-variety",
      trl: 8,
      transactionModes: ["license"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "auction", amount: wan(60) },
      region: "532626",
    }),
  );
  // Fourteen of a kind, for the pages.
  for (let i = 1; i <= 14; i++) {
    await publishAchievement(`konjac${i}`, achievement(`魔芋高产栽培技术第${i}号`, { field: "construction", trl: 4 }));
  }

  await publishDemand(
    "rot",
    demand("三七地块连年种植烂根死苗严重，求治理办法", {
      description: "合作社老地块再种三七第二年就大片烂根、死苗，希望找到不过量用农药的办法。",
      field: "plateau-agriculture",
      keywords: ["三七", "烂根"],
      budget: { max: wan(40) },
      transactionModes: ["license", "cooperation"],
      minTrl: 6,
      region: "532623102",
    }),
  );
  await publishDemand(
    "teaDemand",
    demand("小茶厂想把烧柴炒茶改成用电", {
      field: "food-processing",
      budget: { min: wan(10), max: wan(30) },
      minTrl: 7,
    }),
  );
  await publishDemand("stone", demand("石头山上种树成活率低", { field: "eco-environment" }));
  await publishDemand(
    "bigBudget",
    demand("食用菌烘干设备自动化改造", { field: "advanced-manufacturing", budget: { min: wan(60) }, minTrl: 8 }),
  );
  await drainOutbox();
}, 120_000);

describe("Chinese words find listings", () => {
  it("segments Chinese: 根腐病 finds 三七根腐病生物防治菌剂, the words marked in title and snippet", async () => {
    const r = await search({ q: "根腐病" });
    expect(titles(r)).toContain("三七根腐病生物防治菌剂");
    const hit = r.hits.find((h) => h.id === ids.rootRot)! as AchievementHit;
    expect(hit.titleParts).toEqual([
      { text: "三七", mark: false },
      { text: "根腐病", mark: true },
      { text: "生物防治菌剂", mark: false },
    ]);
    expect(hit.snippet.some((p) => p.mark && p.text === "根腐病")).toBe(true);
    // The private tags never reach the page.
    expect(JSON.stringify(r)).not.toMatch(/\\u000[12]/);
    expect(hit.price).toEqual({ mode: "fixed", amount: wan(30) }); // fen again, like every view
    expect(r.processingTimeMs).toBeGreaterThanOrEqual(0);
  });

  it("bridges words through the synonym file: 烂根 finds the 根腐病 achievement, 根腐病 the 烂根 demand", async () => {
    expect(loadSynonymGroups().some((g) => g.includes("烂根") && g.includes("根腐病"))).toBe(true);
    const a = await search({ q: "烂根" });
    expect(titles(a)).toContain("三七根腐病生物防治菌剂");
    const d = await search({ kind: "demands", q: "根腐病" });
    expect(titles(d)).toContain("三七地块连年种植烂根死苗严重，求治理办法");
  });

  it("counts the words' matches in both tabs", async () => {
    const r = await search({ q: "三七" });
    expect(r.kindTotals.achievements).toBe(2);
    expect(r.kindTotals.demands).toBe(1);
  });

  it("counts each tab under the active filters, as the tab's link would show it (issue 13, point 17)", async () => {
    // 三七 in biomedicine: one achievement; the one demand about 三七 is in plateau agriculture.
    const r = await search({ q: "三七", field: ["biomedicine"] });
    expect(r.total).toBe(1);
    expect(r.kindTotals).toEqual({ achievements: 1, demands: 0 });
    const d = await search({ kind: "demands", q: "三七", field: ["plateau-agriculture"] });
    expect(d.kindTotals).toEqual({ achievements: 1, demands: 1 });
    // A kind-only filter (the achievements' IP type) is not carried to the demands tab.
    const ip = await search({ q: "三七", ipType: ["software-copyright"] });
    expect(ip.kindTotals).toEqual({ achievements: 0, demands: 1 });
  });

  it("suggests titles as one types, the typed words marked", async () => {
    const s = await suggest("achievements", "根腐");
    if (!s.ok) throw new Error("unavailable");
    expect(s.items[0]).toMatchObject({ id: ids.rootRot, href: `/achievements/${ids.rootRot}`, title: "三七根腐病生物防治菌剂" });
    expect(s.items[0]!.parts.some((p) => p.mark)).toBe(true);
    const many = await suggest("achievements", "魔芋");
    expect(many.ok && many.items.length).toBe(8);
    expect(await suggest("demands", "   ")).toEqual({ ok: true, items: [] });
  });
});

describe("facets", () => {
  it("restricts results to a field, and keeps the other fields' counts (disjunctive facet)", async () => {
    const all = await search({ q: "三七" });
    expect(count(all, "field", "plateau-agriculture")).toBe(1);
    expect(count(all, "field", "biomedicine")).toBe(1);
    expect(all.facets.field!.map((v) => v.value)).toEqual(["biomedicine", "plateau-agriculture"]); // taxonomy order

    const one = await search({ q: "三七", field: ["plateau-agriculture"] });
    expect(titles(one)).toEqual(["三七根腐病生物防治菌剂"]);
    expect(one.total).toBe(1);
    expect(one.facets.field).toEqual([
      { value: "biomedicine", count: 1, selected: false },
      { value: "plateau-agriculture", count: 1, selected: true },
    ]);
    // Other facets count what is shown now.
    expect(count(one, "ipType", "invention-patent")).toBe(1);
    expect(count(one, "maturity", "pilot")).toBe(1);
    expect(count(one, "maturity", "mass-production")).toBe(0);
  });

  it("ANDs groups and ORs values inside a group", async () => {
    const r = await search({ field: ["plateau-agriculture", "food-processing"], mode: ["license"] });
    expect(titles(r).sort()).toEqual(["三七根腐病生物防治菌剂", "辣椒病虫害绿色防控技术"].sort());
    expect(count(r, "mode", "license")).toBe(2);
    expect(count(r, "mode", "transfer")).toBe(1); // the tea line, if licence were not chosen
    expect(count(r, "field", "food-processing")).toBe(0);
    expect(r.facets.field!.find((v) => v.value === "food-processing")).toEqual({ value: "food-processing", count: 0, selected: true });
  });

  it("filters by maturity stage or TRL range", async () => {
    const stage = await search({ maturity: ["mass-production"] });
    expect(titles(stage).sort()).toEqual(["辣椒病虫害绿色防控技术", "高山绿茶清洁化加工生产线"].sort());
    const range = await search({ trlMin: 5, trlMax: 6 });
    expect(titles(range).sort()).toEqual(["三七根腐病生物防治菌剂", "喀斯特山地花椒种植模式"].sort());
    const demands = await search({ kind: "demands", maturity: ["pilot"] });
    expect(titles(demands).sort()).toEqual(["三七地块连年种植烂根死苗严重，求治理办法", "小茶厂想把烧柴炒茶改成用电"].sort());
    expect(count(demands, "maturity", "mass-production")).toBe(1);
  });

  it("labels regions with their names and filters by prefecture and county", async () => {
    const r = await search({});
    expect(r.facets.prefecture).toContainEqual({ value: "532600", count: 18, selected: false, label: "文山壮族苗族自治州" });
    expect(r.facets.prefecture).toContainEqual({ value: "530100", count: 1, selected: false, label: "昆明市" });
    expect(r.facets.county).toContainEqual({ value: "532623", count: 16, selected: false, label: "西畴县" });
    expect(r.facets.county).toContainEqual({ value: "532601", count: 1, selected: false, label: "文山市" });
    const xichou = await search({ county: ["532623"], q: "三七" });
    expect(titles(xichou)).toEqual(["三七根腐病生物防治菌剂"]);
    const kunming = await search({ prefecture: ["530100"] });
    expect(titles(kunming)).toEqual(["高山绿茶清洁化加工生产线"]);
    // A town's demand counts for its county.
    const d = await search({ kind: "demands", county: ["532623"] });
    expect(d.total).toBe(4);
  });
});

describe("money", () => {
  it("filters by price band, with each band's count; 面议 is the negotiable mode", async () => {
    const all = await search({});
    expect(Object.fromEntries(all.facets.price!.map((v) => [v.value, v.count]))).toEqual({
      upTo100k: 1,
      "100kTo500k": 1,
      "500kTo1m": 1,
      over1m: 1,
      negotiable: 15,
    });
    expect(titles(await search({ price: ["upTo100k"] }))).toEqual(["高山绿茶清洁化加工生产线"]);
    expect(titles(await search({ price: ["100kTo500k", "over1m"], sort: "priceAsc" }))).toEqual([
      "三七根腐病生物防治菌剂",
      "三七总皂苷提取纯化工艺",
    ]);
    const negotiable = await search({ price: ["negotiable"], field: ["eco-environment"] });
    expect(titles(negotiable)).toEqual(["喀斯特山地花椒种植模式"]);
    // The band counts follow the other filters.
    const agri = await search({ field: ["plateau-agriculture"], price: ["upTo100k"] });
    expect(agri.total).toBe(0);
    expect(count(agri, "price", "100kTo500k")).toBe(1);
    expect(count(agri, "price", "500kTo1m")).toBe(1);
  });

  it("filters by a price range in yuan", async () => {
    const r = await search({ priceMin: 100_000, priceMax: 700_000, sort: "priceAsc" });
    expect(titles(r)).toEqual(["三七根腐病生物防治菌剂", "辣椒病虫害绿色防控技术"]);
  });

  it("sorts by price both ways, items without a price last", async () => {
    const asc = await search({ sort: "priceAsc" });
    expect(titles(asc).slice(0, 4)).toEqual([
      "高山绿茶清洁化加工生产线",
      "三七根腐病生物防治菌剂",
      "辣椒病虫害绿色防控技术",
      "三七总皂苷提取纯化工艺",
    ]);
    const desc = await search({ sort: "priceDesc" });
    expect(titles(desc).slice(0, 4)).toEqual([
      "三七总皂苷提取纯化工艺",
      "辣椒病虫害绿色防控技术",
      "三七根腐病生物防治菌剂",
      "高山绿茶清洁化加工生产线",
    ]);
    const byTrl = await search({ sort: "trlDesc", q: "三七" });
    expect(titles(byTrl)).toEqual(["三七总皂苷提取纯化工艺", "三七根腐病生物防治菌剂"]);
  });

  it("reads a demand's budget on its ceiling, 面议 when none is given", async () => {
    const all = await search({ kind: "demands" });
    // Bands that match nothing are left out.
    expect(Object.fromEntries(all.facets.budget!.map((v) => [v.value, v.count]))).toEqual({
      "200kTo500k": 2,
      over500k: 1,
      open: 1,
    });
    expect(all.facets.budget!.map((v) => v.value)).toEqual(["200kTo500k", "over500k", "open"]);
    expect(titles(await search({ kind: "demands", budget: ["over500k"] }))).toEqual(["食用菌烘干设备自动化改造"]);
    expect(titles(await search({ kind: "demands", budget: ["open"] }))).toEqual(["石头山上种树成活率低"]);
    const byBudget = await search({ kind: "demands", sort: "priceDesc", budget: ["200kTo500k"] });
    expect(titles(byBudget)).toEqual(["三七地块连年种植烂根死苗严重，求治理办法", "小茶厂想把烧柴炒茶改成用电"]);
    const hit = byBudget.hits[1] as DemandHit;
    expect(hit.budget).toEqual({ min: wan(10), max: wan(30) });
  });
});

describe("money bands counted in one facet", () => {
  it("counts each band as its filter selects it (the facet on priceBuckets / budgetBuckets agrees with the range clauses)", async () => {
    for (const kind of ["achievements", "demands"] as const) {
      const group = kind === "achievements" ? "price" : "budget";
      const all = await search({ kind });
      for (const band of all.facets[group]!) {
        const filtered = await search({ kind, [group]: [band.value] });
        expect({ band: band.value, count: filtered.total }).toEqual({ band: band.value, count: band.count });
      }
    }
  });

  it("rebuilds an index written by an older app (documents without the bands), keeping every document", async () => {
    const uid = indexName("achievements");
    const before = await search({});
    const stored = await meili().index(uid).getDocument(ids.rootRot!);
    // As an older app wrote it: no priceBuckets.
    const { priceBuckets: _, ...old } = stored as Record<string, unknown>;
    await meili().index(uid).addDocuments([old]).waitTask(); // replaces the whole document
    expect(await outdatedDocuments("achievement")).toBe(1);
    expect(count(await search({}), "price", "100kTo500k")).toBe(count(before, "price", "100kTo500k") - 1);

    expect(await rebuildOutdatedIndexes()).toEqual({ achievement: before.kindTotals.achievements });
    expect(await outdatedDocuments("achievement")).toBe(0);
    const after = await search({});
    expect(after.facets.price).toEqual(before.facets.price);
    expect(after.total).toBe(before.total);
    expect(await rebuildOutdatedIndexes()).toBeNull();
  });
});

describe("pages and the index following MongoDB", () => {
  it("pages through results 12 at a time; a page past the end shows the last", async () => {
    const first = await search({ q: "魔芋" });
    expect(first).toMatchObject({ total: 14, page: 1, pages: 2, pageSize: 12 });
    expect(first.hits).toHaveLength(12);
    const second = await search({ q: "魔芋", page: 2 });
    expect(second.hits).toHaveLength(2);
    const seen = new Set([...first.hits, ...second.hits].map((h) => h.id));
    expect(seen.size).toBe(14);
    const beyond = await search({ q: "魔芋", page: 9 });
    expect(beyond.page).toBe(2);
    expect(beyond.hits.map((h) => h.id)).toEqual(second.hits.map((h) => h.id));
  });

  it("drops a withdrawn item from the results after the outbox is applied", async () => {
    const id = await publishAchievement("coating", achievement("三七种子包衣技术", { field: "plateau-agriculture" }));
    await drainOutbox();
    expect(titles(await search({ q: "包衣" }))).toEqual(["三七种子包衣技术"]);
    await transitionListing(seller, "achievement", id, "withdraw");
    await drainOutbox();
    const after = await search({ q: "包衣" });
    expect(after.total).toBe(0);
    expect(after.hits).toEqual([]);
  });
});

describe("hostile input", () => {
  it("refuses filter values outside the vocabulary instead of dropping them (which would widen the search)", () => {
    const bad = parseSearchParams(
      new URLSearchParams([
        ["field", 'plateau-agriculture" OR field != "x'],
        ["county", '532623" OR county != "0'],
        ["price", "upTo100k OR 1=1"],
        ["sort", "price:asc"],
        ["q", "三".repeat(101)],
      ]),
    );
    expect(bad.success).toBe(false);
    if (bad.success) return;
    expect(Object.keys(bad.errors).sort()).toEqual(["county", "field", "price", "q", "sort"]);
    expect(bad.q).toHaveLength(100);
  });

  it("takes quotes and OR in the words as words, never as filter syntax", async () => {
    for (const q of ['根腐病" OR field = "food-processing', "三七 OR 茶 AND NOT field", '"""', '\\"\u0001三七\u0002']) {
      const r = await search({ q, field: ["biomedicine"] });
      for (const h of r.hits) expect(h.field).toBe("biomedicine");
      expect(r.total).toBeLessThanOrEqual(1);
    }
  });

  it("a filter value with quotes and OR that slips past the schema matches nothing rather than everything", async () => {
    const p = params({});
    const hostile = { ...p, county: ['532623" OR county != "0'], prefecture: ['532600\\" OR prefecture EXISTS OR "'] } as SearchParams;
    const r = await searchListings("achievements", hostile);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.total).toBe(0);
  });

  it("a very long query is cut to 100 characters, not an error", async () => {
    const r = await searchListings("achievements", { ...params({}), q: "三七根腐病".repeat(1000) });
    expect(r.ok).toBe(true);
  });
});

describe("when Meilisearch is down", () => {
  it("reports search as unavailable instead of failing", async () => {
    const live = { mongoUri: inject("mongoUri"), meiliHost: inject("meiliHost"), meiliKey: inject("meiliKey") };
    setServiceEndpoints({ ...live, meiliHost: "http://127.0.0.1:9" });
    try {
      expect(await searchListings("achievements", params({ q: "三七" }))).toEqual({ ok: false, reason: "unavailable" });
      expect(await suggest("demands", "三七")).toEqual({ ok: false, reason: "unavailable" });
    } finally {
      setServiceEndpoints(live);
    }
    expect((await searchListings("achievements", params({ q: "三七" }))).ok).toBe(true);
  });

  it("gives up on a Meilisearch that accepts connections but never answers, within seconds", async () => {
    const sockets: net.Socket[] = [];
    const hung = net.createServer((s) => sockets.push(s)); // reads nothing, answers nothing
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    const live = { mongoUri: inject("mongoUri"), meiliHost: inject("meiliHost"), meiliKey: inject("meiliKey") };
    setServiceEndpoints({ ...live, meiliHost: `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}` });
    const started = Date.now();
    try {
      expect(await searchListings("demands", params({ kind: "demands", q: "烂根" }))).toEqual({ ok: false, reason: "unavailable" });
      expect(Date.now() - started).toBeLessThan(4_500);
    } finally {
      setServiceEndpoints(live);
      for (const s of sockets) s.destroy();
      await new Promise((r) => hung.close(r));
    }
  });
});
