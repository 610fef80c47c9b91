import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { MatchRecord } from "~/models/match-record.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { loader as achievementMatchesApi } from "~/routes/api.v1.achievements.$id.matches.ts";
import { loader as demandMatchesApi } from "~/routes/api.v1.demands.$id.matches.ts";
import * as demandPage from "~/routes/demands.$id.tsx";
import * as notificationsPage from "~/routes/notifications.tsx";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import { createSession, getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import { createAchievement, createDemand, updateListing } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { setServiceEndpoints } from "~/utils/env.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { drainOutbox, syncListings } from "../../search/outbox.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { csrfProtection } from "~/web/forms.server.ts";
import { listNotifications, unreadCount } from "~/services/notifications/inbox.server.ts";
import { runMatchNotifications } from "~/services/matching/sweep.server.ts";
import { resetMatchingVocabulary } from "~/services/matching/vocabulary.server.ts";
import { findMatchesForAchievement, findMatchesForDemand, matchesForPage } from "~/services/matching/matches.server.ts";
import { scorePercent } from "~/utils/match-reasons.ts";
import { clearMatchingCaches } from "../../search/matching/index.ts";

/**
 * Matching against the real Meilisearch and MongoDB: the hard constraints, the vocabulary bridge
 * between a farmer's and a researcher's words, the budget as a soft constraint, the reasons, the
 * API routes and the detail page (called as Remix would, with real Requests), and the
 * notifications of new matches. One long file because the cases share one labelled corpus in the
 * index, which is slower to build than the cases are to run.
 */

let lab: SessionUser; // 文山三七研究院: offers achievements
let lab2: SessionUser; // a colleague in the same institute
let coop: SessionUser; // 兴街镇三七合作社: posts demands
let broker: SessionUser;
const ids: Record<string, string> = {};

const yuan = (n: number) => n * 100;

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
  price: { mode: "fixed", amount: yuan(300_000) },
  region: "532601",
  ...over,
});

const demandInput = (over: Partial<DemandDataInput>): DemandDataInput => ({
  title: "需求",
  description: "说明",
  field: "plateau-agriculture",
  keywords: [],
  budget: { max: yuan(500_000) },
  transactionModes: ["license"],
  minTrl: 6,
  region: "532623102",
  ...over,
});

async function publishAchievement(key: string, over: Partial<AchievementDataInput>) {
  const id = await createAchievement(lab, achievementInput(over));
  await transitionListing(lab, "achievement", id, "submit");
  await transitionListing(broker, "achievement", id, "approve");
  ids[key] = id;
  return id;
}

async function publishDemand(key: string, over: Partial<DemandDataInput>, publish = true) {
  const id = await createDemand(coop, demandInput(over));
  if (publish) {
    await transitionListing(coop, "demand", id, "submit");
    await transitionListing(broker, "demand", id, "approve");
  }
  ids[key] = id;
  return id;
}

const ROT = {
  summary: "拮抗木霉与解淀粉芽孢杆菌复配，田间防效 72% 以上。",
  description: "针对三七连作条件下由镰刀菌引起的根腐病，研制复配微生物菌剂及土壤处理、蘸根、灌根施用技术，存苗率提高 18 个百分点。",
  keywords: ["三七", "根腐病", "生物防治", "微生物菌剂"],
};

beforeAll(async () => {
  await ensureIndexes();
  const institute = await upsertOrganization({ name: "文山三七研究院", type: "institute", region: "532601" });
  const cooperative = await upsertOrganization({ name: "西畴县兴街镇三七种植专业合作社", type: "enterprise", region: "532623" });
  const agency = await upsertOrganization({ name: "文山州科技成果转移转化服务中心", type: "service-agency", region: "532601" });
  const make = async (email: string, roles: SessionUser["roles"], org: { _id: unknown }) =>
    (await getSessionUserById(
      String((await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization: org }))._id),
    ))!;
  lab = await make("zhou@sanqi.cn", ["seller"], institute);
  lab2 = await make("li@sanqi.cn", ["seller"], institute);
  coop = await make("yang@coop.cn", ["buyer"], cooperative);
  broker = await make("chen@agency.cn", ["broker"], agency);

  // What a lab would list, in a lab's words.
  await publishAchievement("rot", { title: "三七根腐病生物防治菌剂", trl: 6, ...ROT });
  await publishAchievement("soil", {
    title: "三七连作障碍土壤修复技术",
    summary: "土壤熏蒸、有益菌群重建与生物炭调理，轮作间隔由 8 年缩短到 3–4 年。",
    description: "三七忌连作，种过三七的地块需间隔 8 年以上。本技术重建土壤有益微生物群落，连作地块存苗率由 31% 提高到 78%。",
    keywords: ["三七", "连作障碍", "土壤修复"],
    trl: 7,
    price: { mode: "negotiable" },
  });
  // Topically perfect, but only for sale outright (the demand wants a licence).
  await publishAchievement("transferOnly", {
    title: "三七根腐病生物防治菌剂生产技术（整体转让）",
    trl: 8,
    ...ROT,
    transactionModes: ["transfer"],
    licenseExclusivity: [],
  });
  // Topically perfect, but still in the lab (TRL 3 < 6 − 1).
  await publishAchievement("trl3", { title: "三七根腐病拮抗菌株筛选", trl: 3, ...ROT });
  // One below the demand's minimum TRL: the form's hard rule (issue 13 point 2) refuses it too.
  await publishAchievement("trl5", { title: "三七根腐病复合菌剂小试技术", trl: 5, ...ROT });
  // Topically perfect, but already sold (issue 13 point 3): public, no longer on offer.
  await publishAchievement("sold", { title: "三七根腐病生物防治菌剂（已成交）", trl: 7, ...ROT });
  await Achievement.updateOne({ _id: ids.sold }, { $set: { status: "deal" } });
  await syncListings("achievement", [ids.sold!]);
  // Something else entirely.
  await publishAchievement("tea", {
    title: "高山绿茶清洁化连续加工生产线",
    summary: "电热滚筒杀青、连续揉捻与理条。",
    description: "以电代柴改造传统茶叶初制加工，温度精确可控，茶叶品质稳定。",
    keywords: ["茶叶加工", "清洁化"],
    field: "food-processing",
  });
  // Two dryers that differ only in price.
  const dryer = {
    summary: "闭式热泵干燥，较燃煤烘干节能 50%。",
    description: "适用于三七、天麻等药材的烘干，温湿度自动控制，干燥均匀，有效成分保留率高。",
    keywords: ["三七", "热泵干燥", "烘干"],
    field: "advanced-manufacturing" as const,
    trl: 7,
  };
  await publishAchievement("dryerCheap", { title: "三七热泵烘干设备", ...dryer, price: { mode: "fixed", amount: yuan(300_000) } });
  await publishAchievement("dryerDear", { title: "三七热泵烘干设备（大型）", ...dryer, price: { mode: "fixed", amount: yuan(900_000) } });

  // What the cooperative writes, in its own words.
  await publishDemand("farmer", {
    title: "老地块种三七烂根死苗",
    description: "合作社的三七都种在老地块上，这几年烂根、死苗越来越多，打药也不管用，想找不伤地的治理办法。",
    keywords: [],
    transactionModes: ["license"],
    minTrl: 6,
    budget: { max: yuan(500_000) },
  });
  await publishDemand("drying", {
    title: "三七烘干能耗高，想换节能的烘干设备",
    description: "合作社现在用煤烘干三七，能耗高、干燥不均匀，想引进节能的烘干技术和设备。",
    keywords: ["三七", "烘干"],
    field: "advanced-manufacturing",
    transactionModes: ["license"],
    minTrl: 6,
    budget: { max: yuan(500_000) },
  });
  await publishDemand("draft", { title: "三七烂根（草稿）", description: "还没写完的需求：三七烂根死苗。" }, false);
  await drainOutbox();
  resetMatchingVocabulary();
  clearMatchingCaches();
});

const matchIds = (list: { id: string }[]) => list.map((m) => m.id);

describe("matching a demand with achievements", () => {
  it("never breaks a hard constraint: a shared transaction mode, TRL ≥ minTrl (issue 13 point 2)", async () => {
    const matches = await findMatchesForDemand(ids.farmer!, { limit: 50 });
    const found = matchIds(matches);
    expect(found).toContain(ids.rot);
    expect(found).not.toContain(ids.transferOnly); // transfer only; the demand wants a licence
    expect(found).not.toContain(ids.trl3); // TRL 3 vs minTrl 6
    expect(found).not.toContain(ids.trl5); // TRL 5 vs minTrl 6: the form says 只接受达到该成熟度的成果
    for (const m of matches) expect(m.reasons.some((r) => r.code === "trlBelow")).toBe(false);
    // …from the achievement's side too: the TRL 5 achievement serves no demand asking TRL ≥ 6.
    expect(matchIds(await findMatchesForAchievement(ids.trl5!, { limit: 50 }))).not.toContain(ids.farmer);
  });

  it("never offers an achievement already sold (issue 13 point 3)", async () => {
    expect(matchIds(await findMatchesForDemand(ids.farmer!, { limit: 50 }))).not.toContain(ids.sold);
    expect(await findMatchesForAchievement(ids.sold!, { limit: 50 })).toEqual([]);
  });

  it("bridges the farmer's words to the researchers': 老地块 烂根 死苗 → 根腐病, 连作障碍", async () => {
    const matches = await findMatchesForDemand(ids.farmer!, { limit: 10 });
    const found = matchIds(matches);
    expect(found.slice(0, 3)).toEqual(expect.arrayContaining([ids.rot, ids.soil]));
    expect(found).not.toContain(ids.tea);
    const rot = matches.find((m) => m.id === ids.rot)!;
    expect(rot.reasons).toContainEqual({ code: "keyword", word: "根腐病", via: "烂根" });
    const soil = matches.find((m) => m.id === ids.soil)!;
    expect(soil.reasons.some((r) => r.code === "keyword" && ["连作障碍", "连作", "地块"].includes(r.word))).toBe(true);
    for (const m of matches) {
      expect(m.score).toBeGreaterThan(0);
      expect(m.score).toBeLessThanOrEqual(1);
    }
  });

  it("ranks a price within the budget above an otherwise equal one over it", async () => {
    const matches = await findMatchesForDemand(ids.drying!, { limit: 10 });
    const found = matchIds(matches);
    expect(found).toContain(ids.dryerCheap);
    expect(found).toContain(ids.dryerDear);
    expect(found.indexOf(ids.dryerCheap!)).toBeLessThan(found.indexOf(ids.dryerDear!));
    expect(matches.find((m) => m.id === ids.dryerCheap)!.reasons).toContainEqual({ code: "withinBudget" });
    expect(matches.find((m) => m.id === ids.dryerDear)!.reasons).toContainEqual({ code: "overBudget" });
  });

  it("finds, for an achievement, the demands it could serve", async () => {
    const matches = await findMatchesForAchievement(ids.rot!, { limit: 10 });
    expect(matchIds(matches)).toContain(ids.farmer);
    expect(matchIds(matches)).not.toContain(ids.draft); // only public demands are matched
    // The transfer-only achievement serves no demand here: both want a licence.
    expect(await findMatchesForAchievement(ids.transferOnly!, { limit: 10 })).toEqual([]);
  });

  it("keeps the visibility rules of the listing asked about", async () => {
    await expect(findMatchesForDemand(ids.draft!)).rejects.toMatchObject({ status: 404 });
    await expect(findMatchesForDemand(ids.draft!, { viewer: { type: "user", actor: lab } })).rejects.toMatchObject({ status: 404 });
    await expect(findMatchesForDemand(ids.draft!, { viewer: { type: "user", actor: coop } })).resolves.toBeInstanceOf(Array);
    await expect(findMatchesForDemand("0123456789abcdef01234567")).rejects.toMatchObject({ status: 404 });
  });
});

// ------------------------------------------------------------------------------------------------
// The API

type Handler = (a: { request: Request; params: Record<string, string>; context: { clientIp: string } }) => Promise<Response>;
async function api(handler: unknown, path: string, token: string | null, params: Record<string, string>) {
  const request = new Request(`http://localhost${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const res = await (handler as Handler)({ request, params, context: { clientIp: "127.0.0.1" } });
  return { res, json: (await res.json()) as Record<string, unknown> };
}

describe("GET /api/v1/demands/:id/matches and /api/v1/achievements/:id/matches", () => {
  let buyerToken: string;
  let adminToken: string;
  beforeAll(async () => {
    buyerToken = (await createApiToken(CLI_ISSUER, { name: "州平台（只读）", roles: ["buyer"] })).token;
    adminToken = (await createApiToken(CLI_ISSUER, { name: "州平台", roles: ["admin"] })).token;
  });

  it("answers the documented shape, best first, with Chinese reasons", async () => {
    const { res, json } = await api(demandMatchesApi, `/api/v1/demands/${ids.farmer}/matches?limit=10`, buyerToken, { id: ids.farmer! });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/application\/json/);
    const matches = json.matches as { id: string; externalId: string | null; title: string; score: number; reasons: string[] }[];
    expect(matches.length).toBeGreaterThan(1);
    for (const m of matches) {
      expect(Object.keys(m).sort()).toEqual(["externalId", "id", "reasons", "score", "title"]);
    }
    expect(matches.map((m) => m.score)).toEqual([...matches.map((m) => m.score)].sort((a, b) => b - a));
    const rot = matches.find((m) => m.id === ids.rot)!;
    expect(rot).toMatchObject({ title: "三七根腐病生物防治菌剂", externalId: null });
    expect(rot.reasons).toContain("关键词: 根腐病（≈烂根）");
    expect(rot.reasons).toContain("价格在预算内");
    expect(rot.reasons).toContain("成熟度 TRL 6 ≥ 6");
  });

  it("takes limit 1–50 (default 10) and refuses anything else with 400", async () => {
    const one = await api(demandMatchesApi, `/api/v1/demands/${ids.farmer}/matches?limit=1`, buyerToken, { id: ids.farmer! });
    expect((one.json.matches as unknown[]).length).toBe(1);
    for (const bad of ["0", "51", "abc", "2.5"]) {
      const { res, json } = await api(demandMatchesApi, `/api/v1/demands/${ids.farmer}/matches?limit=${bad}`, buyerToken, {
        id: ids.farmer!,
      });
      expect(res.status).toBe(400);
      expect(json).toMatchObject({
        error: {
          status: 400,
          code: "invalid_request",
          fields: { limit: ["limit 应为 1–50 的整数 / limit must be a whole number from 1 to 50"] },
        },
      });
    }
  });

  it("needs a token, and answers 404 for what the token may not see", async () => {
    expect((await api(demandMatchesApi, `/api/v1/demands/${ids.farmer}/matches`, null, { id: ids.farmer! })).res.status).toBe(401);
    const hidden = await api(demandMatchesApi, `/api/v1/demands/${ids.draft}/matches`, buyerToken, { id: ids.draft! });
    expect(hidden.res.status).toBe(404);
    expect(hidden.json).toMatchObject({ error: { status: 404, code: "not_found" } });
    expect((await api(demandMatchesApi, `/api/v1/demands/nope/matches`, buyerToken, { id: "nope" })).res.status).toBe(404);
    // An admin token sees drafts, and so their matches.
    expect((await api(demandMatchesApi, `/api/v1/demands/${ids.draft}/matches`, adminToken, { id: ids.draft! })).res.status).toBe(200);
  });

  it("serves the demands an achievement could serve", async () => {
    const { res, json } = await api(achievementMatchesApi, `/api/v1/achievements/${ids.rot}/matches`, buyerToken, { id: ids.rot! });
    expect(res.status).toBe(200);
    expect((json.matches as { id: string }[]).map((m) => m.id)).toContain(ids.farmer);
  });
});

// ------------------------------------------------------------------------------------------------
// While Meilisearch is down

describe("while Meilisearch is unavailable", () => {
  const shared = () => ({ mongoUri: inject("mongoUri"), meiliHost: inject("meiliHost"), meiliKey: inject("meiliKey") });
  beforeAll(() => {
    clearMatchingCaches();
    setServiceEndpoints({ ...shared(), meiliHost: "http://127.0.0.1:9" }); // nothing listens there
  });
  afterAll(() => {
    setServiceEndpoints(shared());
  });

  it("the API answers 503 in its JSON envelope", async () => {
    const token = (await createApiToken(CLI_ISSUER, { name: "outage", roles: ["buyer"] })).token;
    const { res, json } = await api(demandMatchesApi, `/api/v1/demands/${ids.farmer}/matches`, token, { id: ids.farmer! });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("30");
    expect(json).toMatchObject({
      error: {
        status: 503,
        code: "service_unavailable",
        message: "匹配服务暂不可用，请稍后再试 / Matching is unavailable right now; try again later",
      },
    });
  });

  it("the detail page still works and says 匹配暂不可用", async () => {
    const request = new Request(`http://localhost/demands/${ids.farmer}`);
    const res = (await demandPage.loader({ request, params: { id: ids.farmer! }, context: { clientIp: "127.0.0.1" } })) as Response;
    expect(res.status).toBe(200);
    const data = (await res.json()) as { item: { title: string }; matches: { status: string } };
    expect(data.item.title).toBe("老地块种三七烂根死苗");
    expect(data.matches).toEqual({ status: "unavailable" });
  });
});

describe("the detail page", () => {
  it("shows the matches below the description", async () => {
    const request = new Request(`http://localhost/demands/${ids.farmer}`);
    const res = (await demandPage.loader({ request, params: { id: ids.farmer! }, context: { clientIp: "127.0.0.1" } })) as Response;
    const data = (await res.json()) as { matches: { status: string; items: { id: string; reasons: { code: string }[] }[] } };
    expect(data.matches.status).toBe("ok");
    expect(data.matches.items.map((m) => m.id)).toContain(ids.rot);
  });
});

// ------------------------------------------------------------------------------------------------
// Notifications

async function sessionCookie(user: SessionUser): Promise<string> {
  const storage = sessionStorage();
  const session = await storage.getSession();
  session.set(SESSION_ID_KEY, await createSession(user.id));
  return (await storage.commitSession(session)).split(";")[0]!;
}

describe("notifications of new matches", () => {
  it("tells both owners once per pair, and not again on the next run", async () => {
    const first = await runMatchNotifications();
    expect(first.listings).toBeGreaterThan(0);
    expect(first.pairs).toBeGreaterThan(0);
    const pair = await MatchRecord.findOne({ demand: ids.farmer, achievement: ids.rot }).lean();
    expect(pair).not.toBeNull();

    // The demand owner's organisation: one notification per user.
    const forCoop = await Notification.find({ user: coop.id, "subject.id": ids.farmer, "counterpart.id": ids.rot }).lean();
    expect(forCoop).toHaveLength(1);
    expect(forCoop[0]!.type).toBe("match.demand");
    // The achievement owner's organisation: both of its users.
    for (const u of [lab, lab2]) {
      const forLab = await Notification.find({ user: u.id, "subject.id": ids.rot, "counterpart.id": ids.farmer }).lean();
      expect(forLab).toHaveLength(1);
      expect(forLab[0]!.type).toBe("match.achievement");
    }
    // No pair breaks a hard constraint.
    expect(await MatchRecord.countDocuments({ achievement: { $in: [ids.transferOnly, ids.trl3, ids.trl5, ids.sold] } })).toBe(0);
    // (Their workflow notifications — approved, opened for trading — are not matches.)
    const matches = { type: { $in: ["match.demand" as const, "match.achievement" as const] } };
    expect(await Notification.countDocuments({ ...matches, "counterpart.id": { $in: [ids.trl5, ids.sold] } })).toBe(0);
    expect(await Notification.countDocuments({ ...matches, "subject.id": { $in: [ids.trl5, ids.sold] } })).toBe(0);

    const total = await Notification.countDocuments();
    const second = await runMatchNotifications();
    expect(second).toMatchObject({ listings: 0, pairs: 0, notifications: 0 });
    expect(await Notification.countDocuments()).toBe(total);
  });

  it("shows one score per pair: the demand page, the achievement page and the notification agree (issue 13 point 15)", async () => {
    const notified = await Notification.find({ type: "match.demand" }).lean();
    expect(notified.length).toBeGreaterThanOrEqual(2);
    for (const n of notified) {
      const demandId = String(n.subject.id);
      const achievementId = String(n.counterpart!.id);
      const onDemandPage = await matchesForPage(coop, "demand", demandId, 50);
      const onAchievementPage = await matchesForPage(lab, "achievement", achievementId, 50);
      if (onDemandPage.status !== "ok" || onAchievementPage.status !== "ok") throw new Error("matching unavailable");
      const fromDemand = onDemandPage.items.find((m) => m.id === achievementId);
      const fromAchievement = onAchievementPage.items.find((m) => m.id === demandId);
      expect(fromDemand, `${n.subject.title} → ${n.counterpart!.title}`).toBeDefined();
      expect(fromAchievement, `${n.counterpart!.title} → ${n.subject.title}`).toBeDefined();
      const percents = [scorePercent(n.score!), scorePercent(fromDemand!.score), scorePercent(fromAchievement!.score)];
      expect(percents, `${n.subject.title} ↔ ${n.counterpart!.title}`).toEqual([percents[0], percents[0], percents[0]]);
      // …and the notification's own counterpart says the same.
      const other = await Notification.findOne({
        type: "match.achievement",
        "subject.id": n.counterpart!.id,
        "counterpart.id": n.subject.id,
      }).lean();
      expect(scorePercent(other!.score!)).toBe(percents[0]);
    }
  });

  it("looks at a listing again after it changes, without repeating pairs already announced", async () => {
    const total = await Notification.countDocuments();
    // The demand goes back to draft, is edited and published again: its matches are recomputed.
    await transitionListing(coop, "demand", ids.drying!, "withdraw");
    await transitionListing(coop, "demand", ids.drying!, "reopen");
    await updateListing(
      coop,
      "demand",
      ids.drying!,
      demandInput({
        title: "三七烘干能耗高，想换节能的热泵烘干设备",
        description: "合作社现在用煤烘干三七，能耗高、干燥不均匀，想引进节能的热泵烘干技术和设备。",
        keywords: ["三七", "烘干", "热泵干燥"],
        field: "advanced-manufacturing",
      }),
    );
    await transitionListing(coop, "demand", ids.drying!, "submit");
    await transitionListing(broker, "demand", ids.drying!, "approve");
    await drainOutbox();
    const again = await runMatchNotifications();
    expect(again.listings).toBe(1);
    const pairs = await MatchRecord.aggregate([
      { $group: { _id: { d: "$demand", a: "$achievement" }, n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ]);
    expect(pairs).toEqual([]);
    const dupes = await Notification.aggregate([
      { $match: { type: { $in: ["match.demand", "match.achievement"] } } },
      { $group: { _id: { u: "$user", s: "$subject.id", c: "$counterpart.id" }, n: { $sum: 1 } } },
      { $match: { n: { $gt: 1 } } },
    ]);
    expect(dupes).toEqual([]);
    expect(await Notification.countDocuments()).toBeGreaterThanOrEqual(total);
  });

  it("lists a user's notifications newest first on /notifications, with 全部标为已读", async () => {
    const unread = await unreadCount(coop.id);
    expect(unread).toBeGreaterThan(0);
    const list = await listNotifications(coop.id);
    expect(list.unread).toBe(unread);
    const times = list.items.map((n) => n.createdAt);
    expect(times).toEqual([...times].sort().reverse());

    const cookie = await sessionCookie(coop);
    const page = await notificationsPage.loader({
      request: new Request("http://localhost/notifications", { headers: { Cookie: cookie } }),
      params: {},
      context: { clientIp: "127.0.0.1" },
    });
    const data = (await page.json()) as {
      items: { type: string; subject: { title: string }; counterpart: { title: string } }[];
      unread: number;
    };
    expect(data.unread).toBe(unread);
    expect(
      data.items.some(
        (n) => n.type === "match.demand" && n.subject.title === "老地块种三七烂根死苗" && n.counterpart.title === "三七根腐病生物防治菌剂",
      ),
    ).toBe(true);

    const [token, csrfCookie] = await csrfProtection().commitToken(new Request("http://localhost"));
    const body = new URLSearchParams({ csrf: token as string, intent: "markAllRead" });
    const res = await notificationsPage.action({
      request: new Request("http://localhost/notifications", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: `${cookie}; ${(csrfCookie as string).split(";")[0]}` },
        body,
      }),
      params: {},
      context: { clientIp: "127.0.0.1" },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/notifications?done=allRead");
    expect(await unreadCount(coop.id)).toBe(0);
    expect(await unreadCount(lab.id)).toBeGreaterThan(0); // someone else's stay unread
  });

  it("needs a login", async () => {
    const res = await notificationsPage
      .loader({ request: new Request("http://localhost/notifications"), params: {}, context: { clientIp: "127.0.0.1" } })
      .catch((e: unknown) => e as Response);
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("says a matched listing withdrawn since is no longer public instead of linking to its 404 (issue 13 point 13)", async () => {
    const cookie = await sessionCookie(coop);
    type Item = { type: string; subject: { id: string }; counterpart: { id: string } | null; link: string | null; gone: boolean };
    const inbox = async () =>
      (
        (await (
          await notificationsPage.loader({
            request: new Request("http://localhost/notifications", { headers: { Cookie: cookie } }),
            params: {},
            context: { clientIp: "127.0.0.1" },
          })
        ).json()) as { items: Item[] }
      ).items;
    const aboutRot = (items: Item[]) => items.find((n) => n.subject.id === ids.farmer && n.counterpart?.id === ids.rot)!;
    expect(aboutRot(await inbox()).gone).toBe(false);

    await transitionListing(lab, "achievement", ids.rot!, "withdraw");
    const items = await inbox();
    expect(aboutRot(items).gone).toBe(true);
    // Only that one: the other matches are still public.
    expect(items.filter((n) => n.gone).every((n) => n.counterpart?.id === ids.rot)).toBe(true);
    // Its owner still sees it (their own item), so their notifications about the demand stay links.
    const forLab = await listNotifications(lab.id, { actor: lab });
    expect(forLab.items.filter((n) => n.subject.id === ids.rot).every((n) => !n.gone)).toBe(true);
    // The page it would have linked to is indeed a 404 for the demand's owner.
    await expect(findMatchesForAchievement(ids.rot!, { viewer: { type: "user", actor: coop } })).rejects.toMatchObject({ status: 404 });
  });
});
