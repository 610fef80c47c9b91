import fs from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SearchOutbox } from "~/models/search-outbox.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, setFeatured, updateListing } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { setServiceEndpoints } from "~/utils/env.server.ts";
import { startMeilisearch, type EmbeddedMeili } from "../../server/embedded/meilisearch.ts";
import { freePort } from "../../server/embedded/process.ts";
import { indexName, meili } from "../../search/client.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { applyOutboxOnce, drainOutbox } from "../../search/outbox.ts";
import { rebuildIndex } from "../../search/reindex.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { tmpDir } from "../setup/tmp.ts";

let seller: SessionUser, broker: SessionUser, admin: SessionUser;
const index = () => meili().index(indexName("achievements"));

beforeAll(async () => {
  await ensureIndexes();
  const lab = await upsertOrganization({ name: "文山三七研究院", type: "institute", region: "532601" });
  const agency = await upsertOrganization({ name: "技术转移中心", type: "service-agency", region: "532601" });
  const make = async (email: string, roles: ("seller" | "broker" | "admin")[], org: { _id: unknown } | null) =>
    (await getSessionUserById(String((await upsertUser({ email, name: email, password: "Terraces2025", roles, organization: org }))._id)))!;
  seller = await make("s@lab.cn", ["seller"], lab);
  broker = await make("b@agency.cn", ["broker"], agency);
  admin = await make("a@platform.cn", ["admin"], null);
});

const content = (title: string, over: Partial<AchievementDataInput> = {}): AchievementDataInput => ({
  title,
  summary: "拮抗菌复配菌剂，田间防效 72%",
  description: "针对三七连作根腐病的微生物菌剂及施用技术。",
  field: "plateau-agriculture",
  keywords: ["三七", "根腐病"],
  ipType: "none",
  trl: 6,
  transactionModes: ["license"],
  licenseExclusivity: ["non-exclusive"],
  price: { mode: "fixed", amount: 30_000_000 },
  region: "532623102",
  ...over,
});

async function publish(title: string, over: Partial<AchievementDataInput> = {}) {
  const id = await createAchievement(seller, content(title, over));
  await transitionListing(seller, "achievement", id, "submit");
  await transitionListing(broker, "achievement", id, "approve");
  return id;
}

const getDoc = (id: string) =>
  index()
    .getDocument(id)
    .catch(() => null);

describe("the search index follows MongoDB through the outbox", () => {
  it("indexes an item when it is published, with its facets in yuan and region levels", async () => {
    const id = await createAchievement(seller, content("三七根腐病生物防治菌剂"));
    await drainOutbox();
    expect(await getDoc(id)).toBeNull(); // a draft is not searchable
    await transitionListing(seller, "achievement", id, "submit");
    await transitionListing(broker, "achievement", id, "approve");
    expect(await SearchOutbox.countDocuments()).toBeGreaterThan(0); // written with the transition
    await drainOutbox();
    expect(await getDoc(id)).toMatchObject({
      title: "三七根腐病生物防治菌剂",
      status: "published",
      price: 300000,
      county: "532623",
      prefecture: "532600",
      fieldLabel: "高原特色现代农业",
    });
    expect(await SearchOutbox.countDocuments()).toBe(0);
  });

  it("follows changes and removes the item when it is no longer public", async () => {
    const id = await publish("辣椒疫病绿色防控");
    await drainOutbox();
    await setFeatured(admin, "achievement", id, true);
    await drainOutbox();
    expect((await getDoc(id))?.featured).toBe(true);
    await transitionListing(seller, "achievement", id, "withdraw");
    await drainOutbox();
    expect(await getDoc(id)).toBeNull();
    // Back to draft, edited, republished: the index shows the new content.
    await transitionListing(seller, "achievement", id, "reopen");
    await updateListing(seller, "achievement", id, content("辣椒疫病与烟青虫绿色防控"));
    await transitionListing(seller, "achievement", id, "submit");
    await transitionListing(broker, "achievement", id, "approve");
    await drainOutbox();
    expect((await getDoc(id))?.title).toBe("辣椒疫病与烟青虫绿色防控");
  });

  it("applies the settings idempotently: Chinese segmentation and the domain synonyms", async () => {
    await ensureIndexes();
    const settings = await index().getSettings();
    expect(settings.searchableAttributes?.[0]).toBe("title");
    expect(settings.synonyms?.["烂根"]).toContain("根腐病");
    expect(settings.localizedAttributes).toEqual([{ attributePatterns: ["*"], locales: ["cmn"] }]);
    const id = await publish("三七连作障碍土壤修复技术");
    await drainOutbox();
    const hits = (await index().search("重茬", { filter: 'status = "published"' })).hits.map((h) => h.id);
    expect(hits).toContain(id); // 重茬 is a farmer's word for 连作
  });
});

describe("while Meilisearch is down", () => {
  let dir: string;
  let port: number;
  let own: EmbeddedMeili | undefined;
  const shared = () => ({ mongoUri: inject("mongoUri"), meiliHost: inject("meiliHost"), meiliKey: inject("meiliKey") });

  beforeAll(async () => {
    dir = await tmpDir("meili-outage");
    port = await freePort();
  });
  afterAll(async () => {
    await own?.process.stop();
    setServiceEndpoints(shared());
    await fs.rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    own = await startMeilisearch({ dataDir: dir, port, logDir: path.join(dir, "logs") });
    setServiceEndpoints({ mongoUri: inject("mongoUri"), meiliHost: own.host, meiliKey: own.key });
  };

  it("editing and publishing still work, and the index catches up when it is back", async () => {
    await start();
    await ensureIndexes();
    await own!.process.stop(); // Meilisearch goes away

    const id = await publish("三七花低温干燥保色工艺"); // the platform keeps working
    await expect(applyOutboxOnce()).rejects.toThrow();
    const waiting = await SearchOutbox.find({ listingId: id }).lean();
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((w) => w.attempts === 1 && w.dueAt > new Date())).toBe(true);

    await start(); // back, with its data
    // Retried once due (after the back-off); here we ask for "later" instead of sleeping.
    while ((await applyOutboxOnce(new Date(Date.now() + 120_000))) > 0);
    expect((await getDoc(id))?.title).toBe("三七花低温干燥保色工艺");
    expect(await SearchOutbox.countDocuments({ listingId: id })).toBe(0);
  });
});

describe("npm run reindex", () => {
  it("rebuilds from MongoDB and swaps the new index in without a moment of empty results", async () => {
    const ids = [await publish("山地履带式多功能农机"), await publish("高山绿茶清洁化加工线")];
    await drainOutbox();
    // Something MongoDB knows and the index lost (e.g. an index restored from an old snapshot).
    await index().deleteDocument(ids[0]!).waitTask();
    let emptySeen = false;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const r = await index().search("", { limit: 0 });
        if (r.estimatedTotalHits === 0) emptySeen = true;
      }
    })();
    let lastProgress = { done: 0, total: 0 };
    const count = await rebuildIndex("achievement", (p) => (lastProgress = p));
    polling = false;
    await poll;
    expect(emptySeen).toBe(false);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(lastProgress).toEqual({ kind: "achievement", done: count, total: count });
    expect(await getDoc(ids[0]!)).not.toBeNull();
    const stats = await meili().getIndexes({ limit: 1000 });
    expect(stats.results.some((i) => i.uid.includes("_rebuild_"))).toBe(false); // the old copy is gone
  });
});
