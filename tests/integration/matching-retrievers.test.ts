import { beforeAll, describe, expect, it } from "vitest";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { findMatchesForDemand } from "~/services/matching/matches.server.ts";
import { resetMatchingVocabulary } from "~/services/matching/vocabulary.server.ts";
import { clearCorpusCache, clearMatchingCaches, loadCorpus } from "../../search/matching/index.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { drainOutbox } from "../../search/outbox.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";

/**
 * The second retriever through the service the pages and the API call (issue 16, points 1 and 2),
 * against the real MongoDB and Meilisearch: written variants (磨芋 → 魔芋), traditional characters,
 * a paraphrase only BM25's overlap of rare words finds, and the hard constraints in memory.
 */

let lab: SessionUser;
let coop: SessionUser;
let broker: SessionUser;
const ids: Record<string, string> = {};

const achievement = (over: Partial<AchievementDataInput>): AchievementDataInput => ({
  title: "成果",
  summary: "摘要",
  description: "说明",
  field: "plateau-agriculture",
  keywords: [],
  ipType: "none",
  trl: 7,
  transactionModes: ["license"],
  licenseExclusivity: ["non-exclusive"],
  price: { mode: "negotiable" },
  region: "532601",
  ...over,
});

const demand = (over: Partial<DemandDataInput>): DemandDataInput => ({
  title: "需求",
  description: "说明",
  field: "plateau-agriculture",
  keywords: [],
  budget: { max: 30_000_000 },
  transactionModes: ["license"],
  minTrl: 6,
  region: "532623102",
  ...over,
});

async function publish(kind: "achievement" | "demand", key: string, input: AchievementDataInput | DemandDataInput) {
  const id =
    kind === "achievement"
      ? await createAchievement(lab, input as AchievementDataInput)
      : await createDemand(coop, input as DemandDataInput);
  await transitionListing(kind === "achievement" ? lab : coop, kind, id, "submit");
  await transitionListing(broker, kind, id, "approve");
  ids[key] = id;
}

const titles = async (key: string) => (await findMatchesForDemand(ids[key]!, { viewer: { type: "system" } })).map((m) => m.title);

beforeAll(async () => {
  await ensureIndexes();
  const institute = await upsertOrganization({ name: "富宁魔芋研究所", type: "institute", region: "532628" });
  const cooperative = await upsertOrganization({ name: "西畴县莲花塘乡种植专业合作社", type: "enterprise", region: "532623" });
  const agency = await upsertOrganization({ name: "文山州技术市场服务站", type: "service-agency", region: "532601" });
  const make = async (email: string, roles: SessionUser["roles"], org: { _id: unknown }) =>
    (await getSessionUserById(
      String((await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization: org }))._id),
    ))!;
  lab = await make("lab@konjac.cn", ["seller"], institute);
  coop = await make("coop@lianhuatang.cn", ["buyer"], cooperative);
  broker = await make("broker@market.cn", ["broker"], agency);

  await publish(
    "achievement",
    "konjac",
    achievement({
      title: "魔芋软腐病综合防控技术",
      summary: "种芋消毒、轮作与拮抗菌剂灌根结合，软腐病发病率下降六成。",
      keywords: ["魔芋", "软腐病"],
    }),
  );
  await publish(
    "achievement",
    "konjacTransfer",
    achievement({
      title: "魔芋软腐病防控菌剂（整体转让）",
      summary: "种芋消毒与拮抗菌剂，软腐病发病率下降。",
      keywords: ["魔芋", "软腐病"],
      transactionModes: ["transfer"],
      licenseExclusivity: [],
    }),
  );
  await publish(
    "achievement",
    "kiln",
    achievement({
      title: "烟叶密集烤房改造的空气能热泵烘烤系统",
      summary: "空气能热泵替代燃煤，烘烤全程控温控湿，能耗成本降低一半。",
      keywords: ["热泵", "烤房"],
      field: "advanced-manufacturing",
    }),
  );
  await publish(
    "achievement",
    "tea",
    achievement({
      title: "高山绿茶电磁杀青机",
      summary: "电磁加热滚筒杀青，温度可控。",
      keywords: ["茶叶", "杀青"],
      field: "food-processing",
    }),
  );
  // A farmer's spelling of the crop, and one in traditional characters.
  await publish("demand", "spelling", demand({ title: "磨芋一年比一年烂得凶", description: "地里的磨芋烂成一包水，想找治烂的办法。" }));
  await publish("demand", "traditional", demand({ title: "魔芋軟腐病越來越重", description: "種芋一下地就爛，請推薦防治軟腐病的技術。" }));
  // Words of another trade: only the rare words it shares (烤房, 燃煤) lead to the kiln.
  await publish(
    "demand",
    "kiln",
    demand({ title: "烤房烧煤太贵", description: "我们的烤房一季烧煤十几吨，想换成不烧煤的烘烤办法。", field: "plateau-agriculture" }),
  );
  await drainOutbox();
  resetMatchingVocabulary();
  clearMatchingCaches();
  clearCorpusCache();
});

describe("the second retriever, through the pages' and the API's matching", () => {
  it("finds 魔芋 for a demand that writes 磨芋, and keeps the transfer-only twin out", async () => {
    const found = await titles("spelling");
    expect(found[0]).toBe("魔芋软腐病综合防控技术");
    expect(found).not.toContain("魔芋软腐病防控菌剂（整体转让）");
    expect(found).not.toContain("高山绿茶电磁杀青机");
  });

  it("reads a demand in traditional characters", async () => {
    expect((await titles("traditional"))[0]).toBe("魔芋软腐病综合防控技术");
  });

  it("finds the kiln for a demand that shares only a few rare words with it", async () => {
    expect(await titles("kiln")).toContain("烟叶密集烤房改造的空气能热泵烘烤系统");
  });

  it("keeps the corpus statistics of every public achievement, with the variants under one writing", async () => {
    const corpus = await loadCorpus("achievement");
    expect(corpus?.docCount).toBe(4);
    expect(corpus?.canonical("磨芋")).toBe("魔芋");
    expect(corpus?.postings?.byWord.get("魔芋")?.length).toBe(2);
  });
});
