import { beforeAll, describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { DealRoom, RoomMessage } from "~/models/deal-room.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MatchRecord } from "~/models/match-record.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Recommendation } from "~/models/recommendation.server.ts";
import * as demandPage from "~/routes/demands.$id.tsx";
import * as recommendationsApi from "~/routes/api.v1.demands.$id.recommendations.ts";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import * as newRoom from "~/routes/rooms.new.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { findMatchesForAchievement, findMatchesForDemand } from "~/services/matching/matches.server.ts";
import { runMatchNotifications } from "~/services/matching/sweep.server.ts";
import { resetMatchingVocabulary } from "~/services/matching/vocabulary.server.ts";
import { recommendAchievement } from "~/services/recommendations/commands.server.ts";
import { searchListings } from "~/services/search/search.server.ts";
import { SearchParamsSchema } from "~/schemas/search.ts";
import { isMember } from "~/services/rooms/membership.server.ts";
import { ensureIndexes } from "../../search/indexes.ts";
import { clearMatchingCaches } from "../../search/matching/index.ts";
import { drainOutbox } from "../../search/outbox.ts";
import { achievementContent, publishedDemand, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { seedDemo } from "../../seeds/demo.ts";

/**
 * 推荐我的成果 and 已解决 (issue 13, point 9 and point 3) through the demand page's real loader and
 * action, as a browser without JavaScript posts them, against the real MongoDB and Meilisearch:
 * a recommendation opens the deal room and tells the demand's owner, who sees it beside the
 * computed matches; the refusals; a solved demand leaves matching and takes no recommendation.
 */

const pages = pageRequests({ orgType: "institute" });
const { person, get, post, postJson, call } = pages;

let seller: SessionUser, colleague: SessionUser, otherSeller: SessionUser, owner: SessionUser, ownerColleague: SessionUser;
let broker: SessionUser, reviewer: SessionUser, buyerOnly: SessionUser, buyerSeller: SessionUser;

const SOIL = {
  summary: "土壤熏蒸、有益菌群重建与生物炭调理，三七连作地块存苗率由 31% 提高到 78%。",
  description: "三七忌连作，本技术重建土壤有益微生物群落，解决三七连作障碍和烂根问题。",
  keywords: ["三七", "连作障碍", "土壤修复"],
  field: "plateau-agriculture" as const,
  transactionModes: ["license", "transfer"] as ("license" | "transfer")[],
  price: { mode: "negotiable" as const },
  patentNumbers: [],
  ipType: "none" as const,
};
const tag = () => Math.random().toString(36).slice(2, 7);
const soilAchievement = (who = seller) => tradingAchievement(who, reviewer, { ...SOIL, title: `三七连作障碍土壤修复技术 ${tag()}` });
const demand = () => publishedDemand(owner, reviewer, { title: `三七地块连作烂根，求土壤修复办法 ${tag()}` });

const page = (id: string, who: SessionUser | null) => call(demandPage.loader, get(`/demands/${id}`, who), { id });
const recommend = (id: string, who: SessionUser | null, fields: Record<string, string>, o: { csrf?: boolean } = {}) =>
  call(demandPage.action, post(`/demands/${id}`, who, { intent: "recommend", ...fields }, o), { id });

type PageData = {
  item: { status: string; solution: { achievement: { id: string } | null } | null };
  canSolve: boolean;
  matches: { status: string; items?: { id: string }[] };
  recommendations: {
    all:
      | { achievement: { id: string; title: string }; by: { name: string; side: string }; note: string | null; roomId: string | null }[]
      | null;
    panel: {
      open: boolean;
      reason: string | null;
      options: { id: string }[];
      mine: { achievement: { id: string }; roomId: string | null }[];
    } | null;
    solutions: { id: string }[];
  };
};
async function load(id: string, who: SessionUser | null): Promise<PageData> {
  const res = await page(id, who);
  expect(res.status).toBe(200);
  return (await res.json()) as PageData;
}

async function refusalOf(res: Response) {
  const data = (await res.json()) as ActionResult;
  if (data.ok) throw new Error(`expected a refusal, got ${JSON.stringify(data)}`);
  return resultFor(data, data.intent, data.target)!;
}

beforeAll(async () => {
  await pages.init();
  await ensureIndexes();
  seller = await person("zhou@sanqi-lab.cn", ["seller"], "文山三七研究院");
  colleague = await person("li@sanqi-lab.cn", ["seller"], "文山三七研究院");
  otherSeller = await person("wang@tea-lab.cn", ["seller"], "普洱茶研究所");
  owner = await person("yang@coop.cn", ["buyer"], "西畴县兴街镇三七种植专业合作社");
  ownerColleague = await person("he@coop.cn", ["buyer"], "西畴县兴街镇三七种植专业合作社");
  broker = await person("chen@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  reviewer = await person("review@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  buyerOnly = await person("buyer@tea.cn", ["buyer"], "茶业公司");
  buyerSeller = await person("both@coop.cn", ["buyer", "seller"], "西畴县兴街镇三七种植专业合作社");
});

describe("recommending an achievement to a demand (issue 13, point 9)", () => {
  it("opens a deal room with the demand's owner, tells the owner's people, and shows it beside the matches", async () => {
    const achievementId = await soilAchievement();
    const demandId = await demand();
    await drainOutbox();
    resetMatchingVocabulary();
    clearMatchingCaches();

    // The seller sees the form with their achievement on offer.
    const before = await load(demandId, seller);
    expect(before.recommendations.panel?.open).toBe(true);
    expect(before.recommendations.panel?.options.map((o) => o.id)).toContain(achievementId);
    expect(before.recommendations.all).toBeNull(); // the list is the owner's

    const res = await recommend(demandId, seller, { achievementId, note: "我们的技术已在文山 3 个乡镇连作地块示范，欢迎实地考察。" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/demands/${demandId}?done=recommended#my-recommendations`);

    // The room: the achievement's seller side and the demand's owner as buyer, the note as its first message.
    const room = await DealRoom.findOne({ listing: achievementId }).lean();
    expect(room).not.toBeNull();
    expect(String(room!.buyer!.user)).toBe(owner.id);
    expect(room!.seller!.organizationName).toBe("文山三七研究院");
    expect(String(room!.demand)).toBe(demandId);
    expect(room!.origin).toBe("recommendation");
    const messages = await RoomMessage.find({ room: room!._id }).sort({ seq: 1 }).lean();
    expect(messages.map((m) => m.kind)).toEqual(["system", "text"]);
    expect(messages[0]!.event).toBe("rooms.system.recommended");
    expect(messages[1]!.text).toContain("欢迎实地考察");
    expect(messages[1]!.author!.side).toBe("seller");
    expect(await isMember(owner, String(room!._id))).toBe("buyer");
    expect(await isMember(colleague, String(room!._id))).toBe("seller");

    // The demand's people are told (not the recommender), with a link to the room.
    for (const u of [owner, ownerColleague]) {
      const n = await Notification.find({ user: u.id, type: "demand.recommended" }).lean();
      expect(n).toHaveLength(1);
      expect(n[0]!.link).toBe(`/rooms/${String(room!._id)}`);
      expect(n[0]!.params).toMatchObject({ by: seller.name });
    }
    expect(await Notification.countDocuments({ user: seller.id, type: "demand.recommended" })).toBe(0);
    expect(await AuditEvent.countDocuments({ subjectType: "demand", subject: demandId, action: "recommended" })).toBe(1);

    // The owner sees it beside the computed matches, with the note and the way into the room.
    const mine = await load(demandId, owner);
    expect(mine.matches.status).toBe("ok");
    expect(mine.recommendations.all).toHaveLength(1);
    expect(mine.recommendations.all![0]).toMatchObject({
      achievement: { id: achievementId },
      by: { name: seller.name, side: "seller" },
      note: "我们的技术已在文山 3 个乡镇连作地块示范，欢迎实地考察。",
      roomId: String(room!._id),
    });
    // A reviewer sees the list too (no room of theirs to enter); the seller sees their own with the room.
    const asReviewer = await load(demandId, reviewer);
    expect(asReviewer.recommendations.all?.[0]?.roomId).toBeNull();
    const asSeller = await load(demandId, seller);
    expect(asSeller.recommendations.panel?.mine.map((r) => r.roomId)).toEqual([String(room!._id)]);
    // …and cannot recommend the same achievement again: it is no longer offered, and a second post is refused.
    expect(asSeller.recommendations.panel?.options.map((o) => o.id)).not.toContain(achievementId);
    const again = await recommend(demandId, colleague, { achievementId });
    expect(again.status).toBe(409);
    expect((await refusalOf(again)).formError).toBe("recommendations.errors.duplicate");
    // The colleague finds their organisation's recommendation, with the way into the room.
    expect((await load(demandId, colleague)).recommendations.panel?.mine.map((r) => r.roomId)).toEqual([String(room!._id)]);
    expect(await Recommendation.countDocuments({ demand: demandId })).toBe(1);
  });

  it("reuses the room the owner already opened about that achievement", async () => {
    const achievementId = await soilAchievement();
    const demandId = await demand();
    const opened = await call(newRoom.action, post("/rooms/new", owner, { from: "match", listingId: achievementId, demandId }));
    expect(opened.status).toBe(302);
    const res = await recommend(demandId, seller, { achievementId });
    expect(res.status).toBe(302);
    expect(await DealRoom.countDocuments({ listing: achievementId })).toBe(1);
    const rec = await Recommendation.findOne({ demand: demandId }).lean();
    expect(opened.headers.get("Location")).toBe(`/rooms/${String(rec!.room)}#latest`);
  });

  it("lets a broker recommend any achievement on offer and seats them in the room as its mediator", async () => {
    const achievementId = await soilAchievement(otherSeller);
    const demandId = await demand();
    const panel = (await load(demandId, broker)).recommendations.panel;
    expect(panel?.options.map((o) => o.id)).toContain(achievementId);
    expect((await recommend(demandId, broker, { achievementId, note: "居间推荐" })).status).toBe(302);
    const room = await DealRoom.findOne({ listing: achievementId, "buyer.user": owner.id }).lean();
    expect(room!.brokers.map((b) => String(b.user))).toEqual([broker.id]);
    expect(await isMember(broker, String(room!._id))).toBe("broker");
    expect(await isMember(otherSeller, String(room!._id))).toBe("seller");
    const rec = (await load(demandId, owner)).recommendations.all!;
    expect(rec[0]).toMatchObject({ by: { name: broker.name, side: "broker" }, note: "居间推荐" });
  });

  it("refuses what it must, with the reason, and stores nothing", async () => {
    const demandId = await demand();
    const mineOnOffer = await soilAchievement();
    const othersOnOffer = await soilAchievement(otherSeller);
    const draft = await createAchievement(seller, achievementContent({ ...SOIL, title: "三七土壤修复（草稿）" }));

    const field = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      return (await refusalOf(res)).fieldErrors.achievementId;
    };
    // A seller recommends only their own organisation's achievements…
    expect(await field(await recommend(demandId, seller, { achievementId: othersOnOffer }), 400)).toEqual([
      "recommendations.errors.notYours",
    ]);
    // …and only one on offer (a draft is nobody's business: it is "unknown").
    expect(await field(await recommend(demandId, seller, { achievementId: draft }), 400)).toEqual(["recommendations.errors.notOnOffer"]);
    expect(await field(await recommend(demandId, seller, { achievementId: "" }), 400)).toEqual([
      "recommendations.errors.achievementRequired",
    ]);
    // Not to one's own demand, not without the seller or broker role, not without the CSRF token.
    const own = await recommend(demandId, buyerSeller, { achievementId: mineOnOffer });
    expect(own.status).toBe(403);
    expect((await refusalOf(own)).formError).toBe("recommendations.errors.ownDemand");
    const buyer = await recommend(demandId, buyerOnly, { achievementId: mineOnOffer });
    expect(buyer.status).toBe(403);
    expect((await refusalOf(buyer)).formError).toBe("recommendations.errors.roleRequired");
    expect((await recommend(demandId, seller, { achievementId: mineOnOffer }, { csrf: false })).status).toBe(403);
    // The owner and a plain buyer are offered no form.
    expect((await load(demandId, owner)).recommendations.panel).toBeNull();
    expect((await load(demandId, buyerOnly)).recommendations.panel).toBeNull();

    expect(await Recommendation.countDocuments({ demand: demandId })).toBe(0);
    expect(await DealRoom.countDocuments({ demand: demandId })).toBe(0);
    expect(await Notification.countDocuments({ type: "demand.recommended", "subject.id": demandId })).toBe(0);
  });
});

describe("marking a demand solved (issue 13, point 3)", () => {
  it("takes the demand out of matching and recommendations, with its badge and audit entry", async () => {
    const recommended = await soilAchievement();
    const waiting = await soilAchievement(colleague);
    const demandId = await demand();
    await recommendAchievement(seller, demandId, { achievementId: recommended });
    await drainOutbox();
    resetMatchingVocabulary();
    clearMatchingCaches();
    expect((await findMatchesForDemand(demandId)).length).toBeGreaterThan(0);
    expect((await findMatchesForAchievement(waiting)).map((m) => m.id)).toContain(demandId);

    // Only the owner is offered 标记为已解决, naming what solved it from the recommendations.
    const owners = await load(demandId, owner);
    expect(owners.canSolve).toBe(true);
    expect(owners.recommendations.solutions.map((s) => s.id)).toContain(recommended);
    expect((await load(demandId, seller)).canSolve).toBe(false);
    const stranger = await call(demandPage.action, post(`/demands/${demandId}`, seller, { intent: "solve" }), { id: demandId });
    expect(stranger.status).toBe(403);

    const res = await call(demandPage.action, post(`/demands/${demandId}`, owner, { intent: "solve", achievementId: recommended }), {
      id: demandId,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/demands/${demandId}?done=solve`);
    const stored = await Demand.findById(demandId).lean();
    expect(stored!.status).toBe("solved");
    expect(String(stored!.solution?.achievement)).toBe(recommended);
    expect(await AuditEvent.countDocuments({ subjectType: "demand", subject: demandId, action: "solve", to: "solved" })).toBe(1);

    // Public still, shown as solved, with no matches and no recommendation form.
    const after = await load(demandId, null);
    expect(after.item.status).toBe("solved");
    expect(after.item.solution?.achievement?.id).toBe(recommended);
    const asSeller = await load(demandId, colleague);
    expect(asSeller.recommendations.panel).toMatchObject({ open: false, reason: "recommendations.errors.demandSolved" });
    const refused = await recommend(demandId, colleague, { achievementId: waiting });
    expect(refused.status).toBe(409);
    expect((await refusalOf(refused)).formError).toBe("recommendations.errors.demandSolved");

    // Matching: none for the demand, the demand for no achievement (the index followed), no sweep notifications.
    await drainOutbox();
    clearMatchingCaches();
    expect(await findMatchesForDemand(demandId)).toEqual([]);
    expect((await findMatchesForAchievement(waiting)).map((m) => m.id)).not.toContain(demandId);
    // An open twin of the demand is announced with the same achievements; the solved one is not.
    const openTwin = await demand();
    await drainOutbox();
    clearMatchingCaches();
    await runMatchNotifications({ maxListings: 1000, threshold: 0.1 });
    expect(await MatchRecord.countDocuments({ demand: openTwin, achievement: waiting })).toBe(1);
    expect(await MatchRecord.countDocuments({ demand: demandId })).toBe(0);
    expect(await Notification.countDocuments({ type: { $in: ["match.demand", "match.achievement"] }, "subject.id": demandId })).toBe(0);
    expect(await Notification.countDocuments({ type: "match.achievement", "counterpart.id": demandId })).toBe(0);

    // Search shows it as solved (the 已解决 badge), not as an open demand.
    const title = (await Demand.findById(demandId, { title: 1 }).lean())!.title;
    const found = await searchListings("demands", SearchParamsSchema.parse({ kind: "demands", q: title }));
    if (!found.ok) throw new Error("search unavailable");
    expect(found.hits.find((h) => h.id === demandId)?.status).toBe("solved");

    // Solving twice is a conflict.
    const twice = await call(demandPage.action, post(`/demands/${demandId}`, owner, { intent: "solve" }), { id: demandId });
    expect(twice.status).toBe(409);
  });
});

describe("GET and POST /api/v1/demands/:id/recommendations", () => {
  const bearer = (path: string, token: string | null, init: RequestInit = {}) =>
    new Request(`http://localhost${path}`, {
      ...init,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.body ? { "Content-Type": "application/json" } : {}) },
    });

  it("recommends as a person and lists the demand's recommendations for its owner, brokers and admins only", async () => {
    const achievementId = await soilAchievement();
    const demandId = await demand();
    const path = `/api/v1/demands/${demandId}/recommendations`;
    const created = await call(recommendationsApi.action, postJson(path, seller, { achievementId, note: "接口推荐" }), { id: demandId });
    expect(created.status).toBe(201);
    const { recommendation } = (await created.json()) as { recommendation: { id: string; roomId: string } };
    expect(recommendation.roomId).toMatch(/^[0-9a-f]{24}$/);
    const bad = await call(recommendationsApi.action, postJson(path, seller, { achievementId: "x" }), { id: demandId });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string[]> } }).error.fields.achievementId).toBeDefined();

    const ownerToken = (await createApiToken(CLI_ISSUER, { name: "合作社", userEmail: owner.email, roles: ["buyer"] })).token;
    const adminToken = (await createApiToken(CLI_ISSUER, { name: "州平台", roles: ["admin"] })).token;
    const buyerToken = (await createApiToken(CLI_ISSUER, { name: "只读", roles: ["buyer"] })).token;
    const asOwner = await call(recommendationsApi.loader, bearer(path, ownerToken), { id: demandId });
    expect(asOwner.status).toBe(200);
    expect(await asOwner.json()).toEqual({
      recommendations: [
        {
          id: recommendation.id,
          achievement: { id: achievementId, title: expect.any(String), status: "trading" },
          recommendedBy: { name: seller.name, organizationName: "文山三七研究院", side: "seller" },
          note: "接口推荐",
          createdAt: expect.any(String),
          roomId: recommendation.roomId,
        },
      ],
    });
    const asAdmin = (await (await call(recommendationsApi.loader, bearer(path, adminToken), { id: demandId })).json()) as {
      recommendations: { roomId: string | null }[];
    };
    expect(asAdmin.recommendations.map((r) => r.roomId)).toEqual([null]);
    expect((await call(recommendationsApi.loader, bearer(path, buyerToken), { id: demandId })).status).toBe(403);
    expect((await call(recommendationsApi.loader, bearer(path, null), { id: demandId })).status).toBe(401);
  });
});

describe("the demo data", () => {
  it("shows a recommended achievement on a demand, with its room, and seeding again adds nothing", async () => {
    await seedDemo();
    const d01 = await Demand.findOne({ externalId: "demo-D01" }).lean();
    const recs = await Recommendation.find({ demand: d01!._id }).lean();
    expect(recs.map((r) => r.achievementTitle)).toEqual(["三七根腐病生物防治菌剂及施用技术"]);
    const room = await DealRoom.findById(recs[0]!.room).lean();
    expect(room!.buyer!.name).toBe("合作社 杨社长");
    expect(room!.seller!.organizationName).toBe("文山三七研究院");
    expect(await RoomMessage.countDocuments({ room: room!._id, kind: "text" })).toBe(1);
    await seedDemo();
    expect(await Recommendation.countDocuments({ demand: d01!._id })).toBe(1);
  });
});
