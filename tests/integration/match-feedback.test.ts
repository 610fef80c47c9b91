import { beforeAll, describe, expect, it } from "vitest";
import { MatchFeedback } from "~/models/match-feedback.server.ts";
import { MatchRecord } from "~/models/match-record.server.ts";
import { Notification } from "~/models/notification.server.ts";
import * as achievementPage from "~/routes/achievements.$id.tsx";
import { loader as demandMatchesApi } from "~/routes/api.v1.demands.$id.matches.ts";
import * as feedbackApi from "~/routes/api.v1.demands.$id.matches.$achievementId.feedback.ts";
import * as weakPage from "~/routes/bureau.vocabulary_.weak.tsx";
import * as demandPage from "~/routes/demands.$id.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import { createDemand } from "~/services/listings/commands.server.ts";
import { findMatchesForAchievement, findMatchesForDemand } from "~/services/matching/matches.server.ts";
import { runMatchNotifications } from "~/services/matching/sweep.server.ts";
import { resetMatchingVocabulary } from "~/services/matching/vocabulary.server.ts";
import { proposeCard } from "~/services/rooms/cards.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { acceptOffer, makeOffer } from "~/services/trading/offers/commands.server.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { clearMatchingCaches } from "../../search/matching/index.ts";
import { drainOutbox } from "../../search/outbox.ts";
import { type achievementContent, publishedDemand, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * Learning from what people do with matches (issue 16 point 5, decision 031), against the real
 * MongoDB and Meilisearch, through the demand and achievement pages' real loaders and actions (as
 * a browser without JavaScript posts), the API and the notification sweep: 不相关 hides a pair
 * everywhere, 相关 and engagements (a room from a match, an offer, a deal) boost it with a reason,
 * the latest mark wins, strangers are refused; and the weak demands page (point 4).
 */

const pages = pageRequests({ orgType: "institute" });
const { person, get, post, postJson, call } = pages;

let lab: SessionUser, otherLab: SessionUser, owner: SessionUser, colleague: SessionUser, broker: SessionUser;
let stranger: SessionUser, bureau: SessionUser;
const ids: Record<string, string> = {};

const ROT = {
  title: "三七根腐病生物防治菌剂",
  summary: "拮抗木霉与解淀粉芽孢杆菌复配，田间防效 72% 以上。",
  description: "针对三七连作条件下由镰刀菌引起的根腐病，研制复配微生物菌剂及土壤处理、蘸根、灌根施用技术，存苗率提高 18 个百分点。",
  keywords: ["三七", "根腐病", "生物防治", "微生物菌剂"],
};
const SOIL = {
  title: "三七连作障碍土壤修复技术",
  summary: "土壤熏蒸、有益菌群重建与生物炭调理，轮作间隔由 8 年缩短到 3–4 年。",
  description: "三七忌连作，种过三七的地块需间隔 8 年以上。本技术重建土壤有益微生物群落，连作地块存苗率由 31% 提高到 78%，减少烂根。",
  keywords: ["三七", "连作障碍", "土壤修复"],
};
const DRYER = {
  title: "三七热泵烘干设备",
  summary: "闭式热泵干燥，较燃煤烘干节能 50%。",
  description: "适用于三七、天麻等药材的烘干，温湿度自动控制，干燥均匀。",
  keywords: ["三七", "热泵干燥", "烘干"],
};
const TEA = {
  title: "高山绿茶清洁化连续加工生产线",
  summary: "电热滚筒杀青、连续揉捻与理条。",
  description: "以电代柴改造传统茶叶初制加工，温度精确可控，茶叶品质稳定。",
  keywords: ["茶叶加工", "清洁化"],
  field: "food-processing" as const,
};

const achievement = (content: Partial<Parameters<typeof achievementContent>[0]>, who = lab) =>
  tradingAchievement(who, broker, {
    field: "plateau-agriculture",
    ipType: "none",
    patentNumbers: [],
    trl: 7,
    transactionModes: ["license"],
    licenseExclusivity: ["non-exclusive"],
    price: { mode: "negotiable" },
    ...content,
  });

type Item = { id: string; title: string; score: number; reasons: { code: string; marked?: boolean; engaged?: string | null }[] };
type PageItem = Item & { canJudge?: boolean; marked?: string; markedByMe?: boolean };
type PageMatches = { status: string; items: PageItem[]; hidden?: { id: string; title: string; markedByMe: boolean }[] };

async function demandMatches(who: SessionUser | null, id = ids.farmer!): Promise<PageMatches> {
  const res = await call(demandPage.loader, get(`/demands/${id}`, who), { id });
  expect(res.status).toBe(200);
  return ((await res.json()) as { matches: PageMatches }).matches;
}
async function achievementMatches(who: SessionUser | null, id: string): Promise<PageMatches> {
  const res = await call(achievementPage.loader, get(`/achievements/${id}`, who), { id });
  expect(res.status).toBe(200);
  return ((await res.json()) as { matches: PageMatches }).matches;
}
const mark = (who: SessionUser | null, counterpartId: string, verdict: string, demandId = ids.farmer!) =>
  call(demandPage.action, post(`/demands/${demandId}`, who, { intent: "matchFeedback", counterpartId, verdict }), { id: demandId });
const apiMark = (who: SessionUser, achievementId: string, verdict: unknown, demandId = ids.farmer!) =>
  call(feedbackApi.action, postJson(`/api/v1/demands/${demandId}/matches/${achievementId}/feedback`, who, { verdict }), {
    id: demandId,
    achievementId,
  });
const idsOf = (items: { id: string }[]) => items.map((m) => m.id);

let roleToken: string;
async function apiMatches(): Promise<{ id: string; score: number; reasons: string[] }[]> {
  const request = new Request(`http://localhost/api/v1/demands/${ids.farmer}/matches?limit=50`, {
    headers: { Authorization: `Bearer ${roleToken}` },
  });
  const res = await call(demandMatchesApi, request, { id: ids.farmer! });
  expect(res.status).toBe(200);
  return ((await res.json()) as { matches: { id: string; score: number; reasons: string[] }[] }).matches;
}

/** The score the matcher alone gives rot for the farmer's demand (nobody has judged it yet). */
let rotBase = 0;

beforeAll(async () => {
  await pages.init();
  await ensureIndexes();
  lab = await person("zhou@sanqi-lab.cn", ["seller"], "文山三七研究院");
  otherLab = await person("wang@tea-lab.cn", ["seller"], "普洱茶研究所");
  owner = await person("yang@coop.cn", ["buyer"], "西畴县兴街镇三七种植专业合作社");
  colleague = await person("he@coop.cn", ["buyer"], "西畴县兴街镇三七种植专业合作社");
  broker = await person("chen@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  stranger = await person("buyer@tea.cn", ["buyer"], "茶业公司");
  bureau = await person("keji@wenshan.gov.cn", ["bureau"], "文山州科学技术局");
  roleToken = (await createApiToken(CLI_ISSUER, { name: "州平台（只读）", roles: ["buyer"] })).token;

  ids.rot = await achievement(ROT);
  ids.soil = await achievement(SOIL);
  ids.dryer = await achievement({ ...DRYER, field: "advanced-manufacturing" });
  ids.tea = await achievement(TEA, otherLab);
  ids.farmer = await publishedDemand(owner, broker, {
    title: "老地块种三七烂根死苗",
    description: "合作社的三七都种在老地块上，这几年烂根、死苗越来越多，打药也不管用，想找不伤地的治理办法。",
    keywords: [],
    transactionModes: ["license"],
  });
  // Words no achievement here uses: a weakly matched demand.
  ids.yak = await publishedDemand(owner, broker, {
    title: "高原牦牛冬春掉膘严重",
    description: "牧区冬春缺草，牦牛掉膘、死亡率高，想找补饲办法。",
    keywords: ["牦牛", "掉膘"],
    transactionModes: ["license"],
  });
  ids.draft = await createDemand(owner, {
    title: "三七烂根（草稿）",
    description: "还没写完的需求：三七烂根死苗。",
    field: "plateau-agriculture",
    keywords: [],
    transactionModes: ["license"],
    region: "532623",
  });
  await drainOutbox();
  resetMatchingVocabulary();
  clearMatchingCaches();
  rotBase = (await findMatchesForDemand(ids.farmer, { limit: 50 })).find((m) => m.id === ids.rot)!.score;
});

describe("who sees 相关 / 不相关", () => {
  it("the demand's organisation, brokers and admins get the buttons; nobody else", async () => {
    const forOwner = await demandMatches(owner);
    expect(forOwner.status).toBe("ok");
    expect(idsOf(forOwner.items)).toContain(ids.rot);
    expect(forOwner.items.every((m) => m.canJudge)).toBe(true);
    expect((await demandMatches(colleague)).items.every((m) => m.canJudge)).toBe(true);
    expect((await demandMatches(broker)).items.every((m) => m.canJudge)).toBe(true);
    for (const who of [stranger, lab, bureau, null]) {
      const m = await demandMatches(who);
      expect(m.items.length).toBeGreaterThan(0);
      expect(m.items.some((x) => x.canJudge)).toBe(false);
      expect(m.hidden ?? []).toEqual([]);
    }
  });
});

describe("不相关", () => {
  it("by the owner removes the pair from the demand's page, the API, the achievement's demands and the sweep", async () => {
    const res = await mark(owner, ids.rot!, "irrelevant");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/demands/${ids.farmer}?done=matchIrrelevant#matches-title`);

    const page = await demandMatches(owner);
    expect(idsOf(page.items)).not.toContain(ids.rot);
    expect(page.items.length).toBeGreaterThan(0); // the others stay
    expect(page.hidden).toEqual([{ id: ids.rot, title: ROT.title, markedByMe: true }]);
    // Its colleague and brokers see the collapsed list too (with 改为相关 instead of 撤销); others do not.
    expect((await demandMatches(broker)).hidden).toEqual([{ id: ids.rot, title: ROT.title, markedByMe: false }]);
    expect((await demandMatches(stranger)).hidden ?? []).toEqual([]);
    expect(idsOf((await demandMatches(stranger)).items)).not.toContain(ids.rot);

    expect(idsOf(await apiMatches())).not.toContain(ids.rot);
    expect(idsOf(await findMatchesForDemand(ids.farmer!, { viewer: { type: "system" } }))).not.toContain(ids.rot);
    expect(idsOf(await findMatchesForAchievement(ids.rot!, { limit: 50 }))).not.toContain(ids.farmer);

    // The sweep uses the same ranking: the pair is never announced, while the others are.
    const sweep = await runMatchNotifications({ maxListings: 1000, threshold: 0.1 });
    expect(sweep.listings).toBeGreaterThan(0);
    expect(await MatchRecord.countDocuments({ demand: ids.farmer, achievement: ids.soil })).toBe(1);
    expect(await MatchRecord.countDocuments({ demand: ids.farmer, achievement: ids.rot })).toBe(0);
    expect(await Notification.countDocuments({ "subject.id": ids.farmer, "counterpart.id": ids.rot })).toBe(0);
    expect(await Notification.countDocuments({ "subject.id": ids.rot, "counterpart.id": ids.farmer })).toBe(0);
  });

  it("撤销 brings it back at its own score", async () => {
    const res = await mark(owner, ids.rot!, "none");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/demands/${ids.farmer}?done=matchUnmarked#matches-title`);
    const page = await demandMatches(owner);
    const rot = page.items.find((m) => m.id === ids.rot);
    expect(rot).toMatchObject({ id: ids.rot, score: rotBase });
    expect(rot!.reasons.some((r) => r.code === "feedback")).toBe(false);
    expect(page.hidden).toEqual([]);
    expect(await MatchFeedback.countDocuments({ demand: ids.farmer, achievement: ids.rot })).toBe(0);
  });

  it("from anyone else is refused: 403 for who may see the demand, 404 for who may not; nothing is recorded", async () => {
    for (const who of [stranger, lab, bureau]) {
      const res = await mark(who, ids.rot!, "irrelevant");
      expect(res.status).toBe(403);
      const failure = resultFor((await res.json()) as ActionResult, "matchFeedback", ids.rot!);
      expect(failure?.formError).toBe("matchFeedback.errors.notAJudge");
      expect((await apiMark(who, ids.rot!, "irrelevant")).status).toBe(403);
    }
    // A draft is not theirs to see: 404, on the page and through the API.
    expect((await mark(stranger, ids.rot!, "irrelevant", ids.draft)).status).toBe(404);
    expect((await apiMark(stranger, ids.rot!, "irrelevant", ids.draft)).status).toBe(404);
    // Unknown achievement; bad verdict names the field.
    expect((await apiMark(owner, "0123456789abcdef01234567", "irrelevant")).status).toBe(404);
    const bad = await apiMark(owner, ids.rot!, "maybe");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { status: 400, fields: { verdict: [expect.stringContaining("verdict")] } } });
    // Without a login the page sends one to log in.
    expect((await mark(null, ids.rot!, "irrelevant")).status).toBe(302);
    expect(await MatchFeedback.countDocuments({ demand: ids.farmer })).toBe(0);
    expect((await demandMatches(owner)).items.find((m) => m.id === ids.rot)?.score).toBe(rotBase);
  });
});

describe("相关 and the latest mark", () => {
  it("a broker's 相关 (API) boosts the pair with its reason; a later 不相关 wins; then a later 相关 again", async () => {
    const res = await apiMark(broker, ids.rot!, "relevant");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ feedback: { demandId: ids.farmer, achievementId: ids.rot, verdict: "relevant" } });
    const boostedScore = Math.min(1, Math.round((rotBase + 0.1) * 1000) / 1000);

    const page = await demandMatches(owner);
    const rot = page.items.find((m) => m.id === ids.rot);
    expect(rot).toMatchObject({ score: boostedScore, marked: "relevant", markedByMe: false });
    expect(rot!.reasons[0]).toEqual({ code: "feedback", marked: true, engaged: null });
    const api = (await apiMatches()).find((m) => m.id === ids.rot)!;
    expect(api.score).toBe(boostedScore);
    expect(api.reasons[0]).toBe("经办人确认相关");
    // The achievement's list says the same about the pair.
    expect((await findMatchesForAchievement(ids.rot!, { limit: 50 })).find((m) => m.id === ids.farmer)?.score).toBe(boostedScore);

    // The owner's colleague disagrees, later: the latest mark counts.
    expect((await mark(colleague, ids.rot!, "irrelevant")).status).toBe(302);
    expect(idsOf((await demandMatches(owner)).items)).not.toContain(ids.rot);
    expect(idsOf(await apiMatches())).not.toContain(ids.rot);
    expect((await demandMatches(colleague)).hidden).toEqual([{ id: ids.rot, title: ROT.title, markedByMe: true }]);

    // The broker confirms again, later still: back, boosted.
    expect((await apiMark(broker, ids.rot!, "relevant")).status).toBe(200);
    expect((await demandMatches(owner)).items.find((m) => m.id === ids.rot)).toMatchObject({ score: boostedScore });

    // Everyone withdraws: the matcher's own score again.
    expect((await apiMark(broker, ids.rot!, null)).status).toBe(200);
    expect((await mark(colleague, ids.rot!, "none")).status).toBe(302);
    expect((await demandMatches(owner)).items.find((m) => m.id === ids.rot)).toMatchObject({ score: rotBase });
  });

  it("a pair marked 相关 stays on the demand's list even where the matcher does not rank it", async () => {
    expect(idsOf((await demandMatches(owner)).items)).not.toContain(ids.tea);
    expect((await mark(owner, ids.tea!, "relevant")).status).toBe(302);
    const tea = (await demandMatches(owner)).items.find((m) => m.id === ids.tea);
    expect(tea).toMatchObject({ marked: "relevant", markedByMe: true });
    expect(tea!.score).toBeLessThanOrEqual(1);
    expect(tea!.reasons[0]).toEqual({ code: "feedback", marked: true, engaged: null });
    expect(idsOf(await apiMatches())).toContain(ids.tea);
    expect((await mark(owner, ids.tea!, "none")).status).toBe(302);
    expect(idsOf((await demandMatches(owner)).items)).not.toContain(ids.tea);
  });
});

describe("engagements as positive signals", () => {
  const signals = (achievement: string, kind: string) =>
    MatchFeedback.find({ demand: ids.farmer, achievement, kind: kind as "room" }, { verdict: 1, by: 1, role: 1, _id: 0 }).lean();

  it("a room opened from a match, an offer and a deal count for the demand's pair; an unrelated room does not", async () => {
    // 洽谈 on the farmer's match: the room's pair.
    await openRoom(owner, { from: "match", listingId: ids.soil!, demandId: ids.farmer! });
    expect(await signals(ids.soil!, "room")).toEqual([{ verdict: "relevant", by: expect.anything(), role: "buyer" }]);
    const soil = (await demandMatches(owner)).items.find((m) => m.id === ids.soil)!;
    expect(soil.reasons[0]).toEqual({ code: "feedback", marked: false, engaged: "room" });

    // An offer on that achievement by the demand's organisation, then the deal (a non-exclusive licence).
    const offer = await makeOffer(owner, ids.soil!, {
      amountFen: 12_000_000,
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
      message: "希望分期付款",
    });
    expect(await signals(ids.soil!, "offer")).toHaveLength(1);
    await acceptOffer(lab, offer.id);
    expect(await signals(ids.soil!, "deal")).toHaveLength(1);
    const after = (await demandMatches(owner)).items.find((m) => m.id === ids.soil)!;
    expect(after.reasons[0]).toEqual({ code: "feedback", marked: false, engaged: "deal" });
    expect(after.score).toBe(Math.min(1, Math.round((soil.score - 0.05 + 0.15) * 1000) / 1000));
    expect((await apiMatches()).find((m) => m.id === ids.soil)!.reasons[0]).toBe("已成交");

    // An offer card in a room opened from a match.
    const roomId = await openRoom(owner, { from: "match", listingId: ids.dryer!, demandId: ids.farmer! });
    await proposeCard(owner, roomId, {
      terms: { price: "120000", transactionMode: "license", licenseExclusivity: "non-exclusive", territory: "云南省", termMonths: 36 },
    } as never);
    expect(await signals(ids.dryer!, "room")).toHaveLength(1);
    expect(await signals(ids.dryer!, "offer")).toHaveLength(1);

    // Unrelated: a room opened from the listing (no demand), a stranger's room, offer and deal.
    await openRoom(owner, { from: "listing", listingId: ids.rot! });
    await openRoom(stranger, { from: "listing", listingId: ids.tea! });
    const strangers = await makeOffer(stranger, ids.rot!, {
      amountFen: 9_000_000,
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
      message: "",
    });
    await acceptOffer(lab, strangers.id);
    expect(await MatchFeedback.countDocuments({ achievement: ids.rot, kind: { $ne: "mark" } })).toBe(0);
    expect(await MatchFeedback.countDocuments({ achievement: ids.tea })).toBe(0);
    // Someone else's demand cannot be named for a room: refused, nothing recorded.
    await expect(openRoom(stranger, { from: "match", listingId: ids.dryer!, demandId: ids.farmer! })).rejects.toMatchObject({
      status: 404,
    });
    expect(await MatchFeedback.countDocuments({ by: stranger.id })).toBe(0);
  });
});

describe("on the achievement's page", () => {
  it("the matching demand's owner and brokers mark it; others do not see the buttons", async () => {
    const forOwner = await achievementMatches(owner, ids.soil!);
    const farmer = forOwner.items.find((m) => m.id === ids.farmer);
    expect(farmer?.canJudge).toBe(true);
    expect((await achievementMatches(broker, ids.soil!)).items.find((m) => m.id === ids.farmer)?.canJudge).toBe(true);
    for (const who of [stranger, lab, null]) {
      expect((await achievementMatches(who, ids.soil!)).items.some((m) => m.canJudge)).toBe(false);
    }
    const res = await call(
      achievementPage.action,
      post(`/achievements/${ids.soil}`, broker, { intent: "matchFeedback", counterpartId: ids.farmer!, verdict: "irrelevant" }),
      { id: ids.soil! },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/achievements/${ids.soil}?done=matchIrrelevant#matches-title`);
    expect(idsOf((await achievementMatches(owner, ids.soil!)).items)).not.toContain(ids.farmer);
    expect(idsOf((await demandMatches(owner)).items)).not.toContain(ids.soil);
    expect((await demandMatches(owner)).hidden?.map((h) => h.id)).toContain(ids.soil);
    const refused = await call(
      achievementPage.action,
      post(`/achievements/${ids.soil}`, stranger, { intent: "matchFeedback", counterpartId: ids.farmer!, verdict: "relevant" }),
      { id: ids.soil! },
    );
    expect(refused.status).toBe(403);
  });
});

describe("/bureau/vocabulary/weak", () => {
  type Weak = { threshold: number; items: { id: string; best: number | null; unmatchedWords: string[] }[] };
  it("lists open demands whose best match is weak, with the words no achievement uses", async () => {
    for (const who of [bureau, broker]) {
      const res = await call(weakPage.loader, get("/bureau/vocabulary/weak", who));
      expect(res.status).toBe(200);
      const data = (await res.json()) as Weak;
      expect(data.threshold).toBe(0.35);
      const yak = data.items.find((d) => d.id === ids.yak);
      expect(yak).toBeDefined();
      expect(yak!.best === null || yak!.best < 0.35).toBe(true);
      expect(yak!.unmatchedWords).toContain("牦牛");
      expect(data.items.map((d) => d.id)).not.toContain(ids.farmer); // well matched
      expect(data.items.map((d) => d.id)).not.toContain(ids.draft); // not public
    }
  });

  it("is for vocabulary:edit only, and names a bad page", async () => {
    for (const who of [owner, stranger, lab]) {
      expect((await call(weakPage.loader, get("/bureau/vocabulary/weak", who))).status).toBe(403);
    }
    expect((await call(weakPage.loader, get("/bureau/vocabulary/weak", null))).status).toBe(302);
    const bad = await call(weakPage.loader, get("/bureau/vocabulary/weak?page=abc", bureau));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("weakDemands.errors.page");
  });
});
