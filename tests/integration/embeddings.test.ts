import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { SearchOutbox } from "~/models/search-outbox.server.ts";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { setEmbeddingsEndpoint } from "~/utils/env.server.ts";
import { indexName, meili } from "../../search/client.ts";
import { clearEmbeddingsCache, embeddingsEndpoint, embedTexts, listingText } from "../../search/embeddings.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import {
  achievementFilter,
  clearCorpusCache,
  clearMatchingCaches,
  demandFilter,
  MATCH_FUSION,
  matchDemand,
  type MatchDemand,
} from "../../search/matching/index.ts";
import { semanticCandidates, wakeSemanticLayer } from "../../search/matching/semantic.ts";
import { applyOutboxOnce, drainOutbox, syncListings } from "../../search/outbox.ts";
import { rebuildIndex } from "../../search/reindex.ts";
import { settingsFor } from "../../search/settings.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { bigramVector, startEmbeddingServer, type EmbeddingServer } from "../support/embedding-server.ts";

/**
 * The optional semantic layer (issue 16 point 6, docs/decisions/032-optional-embeddings.md)
 * against the real MongoDB and Meilisearch and a deterministic embeddings service
 * (tests/support/embedding-server.ts: hashed character bigrams). One story in order: the platform
 * without EMBEDDINGS_URL, the same index after it is set and rebuilt, vector queries under the
 * hard constraints, an outage of the service, and the service's own checks.
 */

let lab: SessionUser, coop: SessionUser, broker: SessionUser;
let server: EmbeddingServer;
const ids: Record<string, string> = {};
const achievements = () => meili().index(indexName("achievements"));
const demands = () => meili().index(indexName("demands"));

const KIWI = {
  title: "猕猴桃溃疡病综合防治技术",
  summary: "铜制剂与抗病砧木结合，病株率下降六成。",
  description: "针对猕猴桃细菌性溃疡病的综合防治方案，含冬季清园与伤口保护。",
  keywords: ["猕猴桃", "溃疡病"],
};
/** A farmer's writing of it: 弥 for 猕, 疡病 for 溃疡病 — character bigrams shared, no word. */
const FARMER_QUERY = "弥猴桃疡病";

const achievementInput = (over: Partial<AchievementDataInput>): AchievementDataInput => ({
  title: "成果",
  summary: "摘要",
  description: "说明",
  field: "plateau-agriculture",
  keywords: [],
  ipType: "none",
  trl: 6,
  transactionModes: ["license"],
  licenseExclusivity: ["non-exclusive"],
  price: { mode: "fixed", amount: 30_000_000 },
  region: "532601",
  ...over,
});

async function publishAchievement(key: string, over: Partial<AchievementDataInput>) {
  const id = await createAchievement(lab, achievementInput(over));
  await transitionListing(lab, "achievement", id, "submit");
  await transitionListing(broker, "achievement", id, "approve");
  ids[key] = id;
  return id;
}

async function publishDemand(key: string, over: Partial<DemandDataInput>) {
  const id = await createDemand(coop, {
    title: "需求",
    description: "说明",
    field: "plateau-agriculture",
    keywords: [],
    budget: { max: 50_000_000 },
    transactionModes: ["license"],
    minTrl: 6,
    region: "532623102",
    ...over,
  });
  await transitionListing(coop, "demand", id, "submit");
  await transitionListing(broker, "demand", id, "approve");
  ids[key] = id;
  return id;
}

/** The stored vector of a document (null: none), as Meilisearch gives it back. */
async function storedVector(index: ReturnType<typeof achievements>, id: string): Promise<number[] | null | undefined> {
  const { results } = await index.getDocuments({ ids: [id], retrieveVectors: true });
  const doc = results[0]!;
  const v = (doc._vectors as Record<string, { embeddings: number[][] }> | undefined)?.listing;
  if (!v) return undefined; // no such key at all
  return v.embeddings[0] ?? null;
}

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));

const licenceDemand = { transactionModes: ["license"], minTrl: 6 };

beforeAll(async () => {
  server = await startEmbeddingServer({ dimensions: 64 });
  setEmbeddingsEndpoint(null);
  const institute = await upsertOrganization({ name: "蒲江猕猴桃研究所", type: "institute", region: "532601" });
  const cooperative = await upsertOrganization({ name: "屏边县猕猴桃种植专业合作社", type: "enterprise", region: "532623" });
  const agency = await upsertOrganization({ name: "技术转移中心", type: "service-agency", region: "532601" });
  const make = async (email: string, roles: SessionUser["roles"], org: { _id: unknown }) =>
    (await getSessionUserById(String((await upsertUser({ email, name: email, password: "Terraces2025", roles, organization: org }))._id)))!;
  lab = await make("lab@kiwi.cn", ["seller"], institute);
  coop = await make("coop@kiwi.cn", ["buyer"], cooperative);
  broker = await make("broker@kiwi.cn", ["broker"], agency);
});

afterAll(async () => {
  setEmbeddingsEndpoint(null);
  await server.stop();
});

describe("without EMBEDDINGS_URL", () => {
  it("changes nothing: no embedder in the settings, no vectors in the documents, no semantic list", async () => {
    expect(await ensureIndexes()).toBe(true);
    expect(settingsFor("achievement", [])).not.toHaveProperty("embedders");
    expect(settingsFor("demand", [])).not.toHaveProperty("embedders");
    expect((await achievements().getSettings()).embedders ?? {}).toEqual({});
    expect((await demands().getSettings()).embedders ?? {}).toEqual({});

    const id = await publishAchievement("kiwi", KIWI);
    await publishDemand("kiwiDemand", {
      title: "猕猴桃溃疡病防治",
      keywords: ["猕猴桃"],
      description: "果园溃疡病年年发，求综合防治技术。",
    });
    await drainOutbox();
    const doc = await achievements().getDocument(id);
    expect(doc.title).toBe(KIWI.title);
    expect(doc).not.toHaveProperty("_vectors");
    expect(doc).not.toHaveProperty("embeddingKey");
    expect(await storedVector(achievements(), id)).toBeUndefined();
    expect(await semanticCandidates("achievement", FARMER_QUERY, achievementFilter(licenceDemand), 10)).toBeNull();
    expect(server.requests).toBe(0); // the service is never asked
  });
});

describe("with EMBEDDINGS_URL", () => {
  beforeAll(() => {
    clearEmbeddingsCache();
    // The dimensions are not given: they are read from the service's first answer.
    setEmbeddingsEndpoint({ url: server.url, model: server.model });
  });

  it("keeps an existing index working until `npm run reindex` gives every listing its vector", async () => {
    // The documents indexed before have no vectors: the embedder cannot be added to them yet…
    expect(await ensureIndexes()).toBe(false);
    expect((await achievements().getSettings()).embedders ?? {}).toEqual({});
    // …but the rest of the settings are applied and search works as before.
    expect((await achievements().search("猕猴桃")).hits.map((h) => h.id)).toContain(ids.kiwi);

    await rebuildIndex("achievement");
    await rebuildIndex("demand");
    expect(await ensureIndexes()).toBe(true);
    expect((await achievements().getSettings()).embedders).toEqual({
      listing: expect.objectContaining({ source: "userProvided", dimensions: 64 }),
    });
    expect((await demands().getSettings()).embedders).toEqual({
      listing: expect.objectContaining({ source: "userProvided", dimensions: 64 }),
    });

    // The vector is the one of the listing's text: title, keywords, summary, start of the description.
    const v = await storedVector(achievements(), ids.kiwi!);
    expect(v).toHaveLength(64);
    expect(cosine(v!, bigramVector(listingText(KIWI), 64))).toBeGreaterThan(0.999);
    expect(await storedVector(demands(), ids.kiwiDemand!)).toHaveLength(64);
  });

  it("finds a listing that shares character bigrams but no word, and keeps to the hard constraints", async () => {
    // Topically the same, but only for sale outright: the demand wants a licence.
    const trap = await publishAchievement("kiwiTransfer", {
      ...KIWI,
      title: "猕猴桃溃疡病综合防治技术（整体转让）",
      transactionModes: ["transfer"],
      licenseExclusivity: [],
    });
    await publishAchievement("rot", {
      title: "三七根腐病生物防治菌剂",
      summary: "拮抗木霉与芽孢杆菌复配。",
      description: "针对三七连作根腐病。",
      keywords: ["三七", "根腐病"],
    });
    await drainOutbox();
    expect(await storedVector(achievements(), trap)).toHaveLength(64); // the outbox writes vectors too

    const filter = achievementFilter(licenceDemand);
    // Full-text search finds nothing for the farmer's words…
    const text = await achievements().search(FARMER_QUERY, { filter, matchingStrategy: "last" });
    expect(text.hits.map((h) => h.id)).not.toContain(ids.kiwi);
    // …the vector query finds the achievement, first, with the fields matching reads.
    const hits = (await semanticCandidates("achievement", FARMER_QUERY, filter, 10))!;
    expect(hits[0]).toMatchObject({ id: ids.kiwi, title: KIWI.title, transactionModes: ["license"], trl: 6 });
    expect(hits[0]!._rankingScore).toBeGreaterThan(0.5);
    expect(hits.map((h) => h.id)).not.toContain(trap);
    expect(hits.findIndex((h) => h.id === ids.rot)).not.toBe(0);

    // The other way round: demands for an achievement, under the demands' filter.
    const forKiwi = (await semanticCandidates("demand", listingText(KIWI), demandFilter({ transactionModes: ["license"], trl: 6 }), 5))!;
    expect(forKiwi[0]?.id).toBe(ids.kiwiDemand);
    expect(await semanticCandidates("demand", listingText(KIWI), demandFilter({ transactionModes: ["license"], trl: 4 }), 5)).toEqual([]);
  });

  it("indexes a listing without its vector while the service is down, and fills it in later", async () => {
    await server.stop();
    const id = await publishAchievement("konjac", {
      title: "魔芋软腐病综合防控技术",
      summary: "种芋处理与轮作，发病率降低一半。",
      description: "魔芋软腐病由果胶杆菌引起，高温多雨时蔓延。",
      keywords: ["魔芋", "软腐病"],
    });
    await drainOutbox(); // does not throw: the platform and its search keep working
    expect((await achievements().search("魔芋软腐病")).hits.map((h) => h.id)).toContain(id);
    expect(await storedVector(achievements(), id)).toBeNull(); // indexed, opted out of vectors for now
    const waiting = await SearchOutbox.find({ listingId: id }).lean();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.dueAt.getTime()).toBeGreaterThan(Date.now()); // tried again later, not in a loop
    // Matching goes on with its text lists alone.
    wakeSemanticLayer();
    expect(await semanticCandidates("achievement", "磨芋软腐", achievementFilter(licenceDemand), 10)).toBeNull();

    await server.start();
    // Retried once due (after the back-off); here we ask for "later" instead of sleeping.
    while ((await applyOutboxOnce(new Date(Date.now() + 3_600_000))) > 0);
    expect(await SearchOutbox.countDocuments({ listingId: id })).toBe(0);
    expect(await storedVector(achievements(), id)).toHaveLength(64);
    wakeSemanticLayer();
    const hits = (await semanticCandidates("achievement", "磨芋软腐", achievementFilter(licenceDemand), 10))!;
    expect(hits[0]?.id).toBe(id);
  });

  const METHODS = ["blend", "rrf"] as const;
  const usingMethod = async <T>(method: (typeof METHODS)[number], run: () => Promise<T>): Promise<T> => {
    const before = MATCH_FUSION.method;
    MATCH_FUSION.method = method;
    try {
      return await run();
    } finally {
      MATCH_FUSION.method = before;
    }
  };

  it.each(METHODS)(
    "fuses the semantic list into matching (%s): a farmer's words no text list finds still reach the achievement",
    async (method) => {
      // 猴桃 and 疡病 for 猕猴桃 and 溃疡病: no word in common, nor a written variant of one.
      const demand: MatchDemand = {
        id: "farmer",
        externalId: null,
        title: "猴桃得了疡病",
        description: "山上的猴桃得了疡病，枝干流水。",
        keywords: [],
        field: "plateau-agriculture",
        transactionModes: ["license"],
        minTrl: 6,
        budgetMax: null,
      };
      const matched = async () => {
        clearMatchingCaches();
        clearCorpusCache();
        wakeSemanticLayer();
        return usingMethod(method, async () => (await matchDemand(demand)).map((m) => m.item.id));
      };
      const withSemantic = await matched();
      expect(withSemantic[0]).toBe(ids.kiwi); // found by the vector query, then scored as any candidate
      expect(withSemantic).not.toContain(ids.kiwiTransfer); // the hard constraints hold for it too

      setEmbeddingsEndpoint(null);
      try {
        expect(await matched()).not.toContain(ids.kiwi); // the text lists alone miss it
      } finally {
        setEmbeddingsEndpoint({ url: server.url, model: server.model });
      }
    },
  );

  it("keeps every match the text lists find: the semantic list only adds to and re-orders what scores as a match", async () => {
    const orchard = [
      {
        title: "冬季清园技术规程",
        summary: "果园冬季清园，减少越冬病菌。",
        description: "冬季清园、细菌性病害预防、石硫合剂。",
        keywords: ["冬季清园", "细菌性病害"],
      },
      {
        title: "果园管理信息化平台",
        summary: "果树病害记录与果园管理。",
        description: "果园管理、病害上报、农事记录一体化。",
        keywords: ["果园管理", "信息化"],
      },
      {
        title: "树干涂白剂及冻害防护",
        summary: "果树树干防冻与防虫。",
        description: "冬季树干涂白，防冻害、防日灼。",
        keywords: ["树干", "冻害"],
      },
      {
        title: "柑橘溃疡病检测试剂盒",
        summary: "快速检测柑橘溃疡病菌。",
        description: "溃疡病病原快速检测。",
        keywords: ["柑橘", "溃疡病"],
      },
      {
        title: "果园水肥一体化滴灌系统",
        summary: "果园节水灌溉，省水四成。",
        description: "山地果园管理用滴灌与施肥一体化设备。",
        keywords: ["果园", "滴灌"],
      },
    ];
    for (const [i, a] of orchard.entries()) await publishAchievement(`orchard${i}`, a);
    await drainOutbox();
    for (const method of METHODS) await keepsTextMatches(method);
  });

  const keepsTextMatches = async (method: (typeof METHODS)[number]) => {
    const demand: MatchDemand = {
      id: "orchard",
      externalId: null,
      title: "猴桃树疡病防治",
      description: "猴桃树疡病，求防治办法。",
      keywords: [],
      field: "plateau-agriculture",
      transactionModes: ["license"],
      minTrl: 6,
      budgetMax: null,
    };
    const matched = async () => {
      clearMatchingCaches();
      clearCorpusCache();
      wakeSemanticLayer();
      return usingMethod(method, async () => (await matchDemand(demand)).map((m) => m.item.id));
    };
    const withSemantic = await matched();
    setEmbeddingsEndpoint(null);
    let textAlone: string[];
    try {
      textAlone = await matched();
    } finally {
      setEmbeddingsEndpoint({ url: server.url, model: server.model });
    }
    expect(textAlone.length).toBeGreaterThan(1);
    expect(withSemantic).toEqual(expect.arrayContaining(textAlone));
  };

  it("embeds a text once: stored vectors are reused by a rebuild, even after a restart", async () => {
    clearEmbeddingsCache(); // as after a restart: only the index remembers
    const before = server.inputs.length;
    await rebuildIndex("achievement");
    await rebuildIndex("demand");
    // Every text unchanged: every vector reused; only the probe that reads the dimensions was asked.
    expect(server.inputs.slice(before)).toEqual(["技术成果"]);
    const afterRebuild = server.inputs.length;
    expect(await storedVector(achievements(), ids.kiwi!)).toHaveLength(64);

    // A listing whose text changed is embedded again, and only that one.
    await Achievement.updateOne({ _id: ids.rot }, { $set: { title: "三七根腐病生物防治菌剂（第二代）" } });
    await syncListings("achievement", [ids.rot!, ids.kiwi!]);
    expect(server.inputs.slice(afterRebuild)).toEqual([expect.stringContaining("三七根腐病生物防治菌剂（第二代）")]);
  });

  it("asks the service in batches", async () => {
    const texts = Array.from({ length: 70 }, (_, i) => `测试文本${i}号`);
    const requests = server.requests;
    const vectors = await embedTexts(texts);
    expect(vectors).toHaveLength(70);
    expect(vectors[69]).toEqual(bigramVector("测试文本69号", 64));
    expect(server.requests - requests).toBe(3); // 32 + 32 + 6
    await embedTexts(texts);
    expect(server.requests - requests).toBe(3); // the second time from the process cache
  });
});

describe("unsetting EMBEDDINGS_URL again", () => {
  it("removes the embedder at the next start, so documents without vectors are accepted again", async () => {
    setEmbeddingsEndpoint(null);
    expect(await ensureIndexes()).toBe(true);
    expect((await achievements().getSettings()).embedders ?? {}).toEqual({});
    const id = await publishAchievement("afterOff", { title: "天麻林下仿野生种植", keywords: ["天麻"] });
    await drainOutbox();
    expect(await SearchOutbox.countDocuments({ listingId: id })).toBe(0);
    expect((await achievements().getDocument(id)).title).toBe("天麻林下仿野生种植");
    expect(await semanticCandidates("achievement", "天麻", achievementFilter(licenceDemand), 5)).toBeNull();
  });
});

describe("the embeddings client", () => {
  it("sends the key, and refuses answers that are not one vector of the right length per input", async () => {
    const guarded = await startEmbeddingServer({ dimensions: 16, apiKey: "sk-local-test" });
    try {
      const endpoint = embeddingsEndpoint(guarded.url);
      await expect(embedTexts(["三七"], { config: { endpoint, model: guarded.model, apiKey: "wrong" } })).rejects.toThrow(/answered 401/);
      const [v] = await embedTexts(["三七"], { config: { endpoint, model: guarded.model, apiKey: "sk-local-test" } });
      expect(v).toHaveLength(16);
      // A configured length the service does not give is named.
      await expect(
        embedTexts(["魔芋"], { config: { endpoint, model: guarded.model, apiKey: "sk-local-test", dimensions: 32 } }),
      ).rejects.toThrow(/16 numbers, expected 32/);
      await expect(embedTexts(["魔芋"], { config: { endpoint, model: "other", apiKey: "sk-local-test" } })).rejects.toThrow(/answered 404/);
      await guarded.stop();
      await expect(embedTexts(["天麻"], { config: { endpoint, model: guarded.model, apiKey: "sk-local-test" } })).rejects.toThrow(
        /embeddings service at .* failed/,
      );
    } finally {
      await guarded.stop();
    }
  });
});
