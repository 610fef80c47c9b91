import { createElement, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { beforeAll, describe, expect, it } from "vitest";
import { NoticePeriod } from "~/components/listing/detail-parts.tsx";
import { StatusBadge } from "~/components/listing/status-badge.tsx";
import { Maturity } from "~/components/listing/maturity.tsx";
import { ModesDisplay } from "~/components/listing/modes.tsx";
import { BudgetDisplay, PriceDisplay } from "~/components/listing/price.tsx";
import { pageWindow } from "~/components/listing/pagination.tsx";
import { Achievement } from "~/models/achievement.server.ts";
import * as home from "~/routes/_index.tsx";
import * as achievementDetail from "~/routes/achievements.$id.tsx";
import * as editAchievement from "~/routes/achievements.$id_.edit.tsx";
import * as achievementsIndex from "~/routes/achievements._index.tsx";
import * as demandDetail from "~/routes/demands.$id.tsx";
import * as demandsIndex from "~/routes/demands._index.tsx";
import * as myAchievements from "~/routes/my.achievements.tsx";
import * as myDemands from "~/routes/my.demands.tsx";
import * as review from "~/routes/review/route.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { AchievementDataInput, DemandDataInput } from "~/schemas/listing.ts";
import { createSession, getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement, createDemand, fileObjection } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { createI18n } from "~/utils/i18n.ts";
import { patentCheckChar } from "~/utils/patent.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { csrfProtection } from "~/web/forms.server.ts";

/**
 * The listing pages through their real loaders and actions: signed session cookie, real CSRF
 * token, real MongoDB. What is asserted is what the page would show (loader data, status codes,
 * error messages) and what a later visitor would see. One long file because the detail, my-items
 * and review pages act on the same items through one workflow, whose steps follow each other here.
 */

// ------------------------------------------------------------------------------------------------
// Requests as a browser sends them

type Args = { request: Request; params: Record<string, string>; context: { clientIp: string } };
const BASE = "http://localhost";

async function sessionCookie(user: SessionUser): Promise<string> {
  const storage = sessionStorage();
  const session = await storage.getSession();
  session.set(SESSION_ID_KEY, await createSession(user.id));
  return (await storage.commitSession(session)).split(";")[0]!;
}

let csrf: { token: string; cookie: string };

function get(path: string, cookie?: string): Request {
  return new Request(BASE + path, { headers: cookie ? { Cookie: cookie } : {} });
}

function post(path: string, cookie: string | null, fields: Record<string, string>, opts: { csrf?: boolean } = {}): Request {
  const body = new URLSearchParams(fields);
  if (opts.csrf !== false) body.set("csrf", csrf.token);
  return new Request(BASE + path, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Cookie: [cookie, csrf.cookie].filter(Boolean).join("; "),
    },
    body,
  });
}

function args(request: Request, params: Record<string, string> = {}): Args {
  return { request, params, context: { clientIp: "127.0.0.1" } };
}

/** A loader/action's answer, or the Response it threw (404, 403, redirects to login). */
async function call(fn: (a: Args) => Promise<Response>, a: Args): Promise<Response> {
  try {
    return await fn(a);
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

/** An action's refusal (the one action-result shape) as the page's forms read it, with `resultFor`. */
async function refusalOf(res: Response) {
  const data = (await res.json()) as ActionResult;
  if (data.ok) throw new Error(`expected a refusal, got ${JSON.stringify(data)}`);
  return { ok: data.ok, intent: data.intent, target: data.target, ...resultFor(data, data.intent, data.target)! };
}

// Route modules' loaders/actions typed loosely: they return Responses.
type Handler = (a: Args) => Promise<Response>;
const h = (fn: unknown) => fn as Handler;

// ------------------------------------------------------------------------------------------------
// People and items

let seller: SessionUser; // 文山学院, university
let seller2: SessionUser; // same kind, another organisation
let buyer: SessionUser; // an enterprise: posts demands, can object
let broker: SessionUser; // reviews
let brokerSeller: SessionUser; // a broker whose own organisation also lists achievements
let admin: SessionUser;
const cookies = new Map<SessionUser, string>();
const c = (u: SessionUser) => cookies.get(u)!;

async function user(
  email: string,
  roles: SessionUser["roles"],
  org: { name: string; type: "university" | "enterprise" | "service-agency" | "institute" } | null,
) {
  const o = org ? await upsertOrganization({ ...org, region: "532623" }) : null;
  const doc = await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization: o });
  const u = (await getSessionUserById(String(doc._id)))!;
  cookies.set(u, await sessionCookie(u));
  return u;
}

let n = 0;
function achievementInput(over: Partial<AchievementDataInput> = {}): AchievementDataInput {
  n++;
  return {
    title: `三七种苗脱毒快繁技术 ${n}`,
    summary: "组织培养脱毒快繁，种苗成活率 95% 以上。",
    description: "以三七茎尖为外植体，经热处理脱毒与组织培养快繁，建立无病种苗繁育体系。",
    field: "plateau-agriculture",
    keywords: ["三七", "脱毒", "组培"],
    ipType: "software-copyright",
    trl: 6,
    transactionModes: ["license", "transfer"],
    licenseExclusivity: ["exclusive"],
    price: { mode: "fixed", amount: 30_000_000 },
    inventors: [{ name: "张教授", share: 70 }],
    region: "532623",
    fiscalFunding: { funded: true, project: "云南省重点研发计划" },
    ...over,
  };
}

function demandInput(over: Partial<DemandDataInput> = {}): DemandDataInput {
  n++;
  return {
    title: `茶园病虫害绿色防控需求 ${n}`,
    description: "我们合作社的茶园每年小绿叶蝉危害严重，希望有不用化学农药的办法。",
    field: "plateau-agriculture",
    keywords: ["茶叶", "病虫害"],
    budget: { min: 5_000_000, max: 20_000_000 },
    transactionModes: ["cooperation"],
    minTrl: 5,
    region: "532623",
    ...over,
  };
}

async function submitted(owner: SessionUser, over: Partial<AchievementDataInput> = {}) {
  const id = await createAchievement(owner, achievementInput(over));
  await transitionListing(owner, "achievement", id, "submit");
  return id;
}

async function published(owner: SessionUser, over: Partial<AchievementDataInput> = {}, now?: Date) {
  const id = await submitted(owner, over);
  await transitionListing(broker, "achievement", id, "approve", { now });
  return id;
}

const statusOf = async (id: string) => (await Achievement.findById(id, { status: 1 }).lean())!.status;

beforeAll(async () => {
  const [token, cookie] = await csrfProtection().commitToken(new Request(BASE));
  csrf = { token: token as string, cookie: (cookie as string).split(";")[0]! };
  seller = await user("seller@pages.test", ["seller"], { name: "文山学院（测试）", type: "university" });
  seller2 = await user("seller2@pages.test", ["seller"], { name: "云南省农业科学院（测试）", type: "institute" });
  buyer = await user("buyer@pages.test", ["buyer"], { name: "西畴县茶业有限公司（测试）", type: "enterprise" });
  broker = await user("broker@pages.test", ["broker"], { name: "文山州科技成果转移转化服务中心（测试）", type: "service-agency" });
  brokerSeller = await user("broker-seller@pages.test", ["broker", "seller"], {
    name: "西畴县技术转移中心（测试）",
    type: "service-agency",
  });
  admin = await user("admin@pages.test", ["admin"], null);
});

// ------------------------------------------------------------------------------------------------

describe("achievement detail page", () => {
  it("answers 404 to strangers for a draft but shows a published item to everyone", async () => {
    const draft = await createAchievement(seller, achievementInput());
    for (const cookie of [undefined, c(buyer), c(seller2)]) {
      const res = await call(h(achievementDetail.loader), args(get(`/achievements/${draft}`, cookie), { id: draft }));
      expect(res.status).toBe(404);
    }
    // A malformed id is the same friendly 404, not a 500.
    expect((await call(h(achievementDetail.loader), args(get("/achievements/nope"), { id: "nope" }))).status).toBe(404);

    const pub = await published(seller);
    const res = await call(h(achievementDetail.loader), args(get(`/achievements/${pub}`), { id: pub }));
    expect(res.status).toBe(200);
    const data = await res.json();
    expect(data.item).toMatchObject({
      title: expect.stringContaining("三七种苗脱毒快繁技术"),
      status: "published",
      owner: { name: "文山学院（测试）", type: "university" },
      price: { mode: "fixed", amount: 30_000_000 },
      fiscalFunding: { funded: true, project: "云南省重点研发计划" },
      regionName: expect.stringContaining("西畴县"),
    });
    expect(data.item.noticeEndsAt).toBeTruthy();
    // The 公示 runs: the page says so (badge) and tells buyers why they cannot buy yet.
    expect(data.inNotice).toBe(true);
    expect(data.trading).toMatchObject({ state: "closed", canBuy: false, noticeEndsAt: data.item.noticeEndsAt, objectionPending: false });
    expect(data.pageTitle).toMatch(/^三七种苗脱毒快繁技术 \d+ · 科技成果 · 成果$/);
    // Strangers see no history, no objections, no buttons.
    expect(data.audit).toEqual([]);
    expect(data.objections).toEqual([]);
    expect(data.actions).toEqual([]);
    expect(data.canEdit).toBe(false);
  });

  it("shows the owner the audit log with who did what, and an edit link only while editable", async () => {
    const id = await published(seller);
    const owner = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(seller)), { id }))).json();
    expect(owner.audit.map((e: { action: string }) => e.action)).toEqual(["create", "submit", "approve"]);
    expect(owner.audit[2]).toMatchObject({ from: "submitted", to: "published", actorName: broker.name, actorRoles: ["broker"], via: "ui" });
    expect(owner.canEdit).toBe(false);
    expect(owner.actions).toContain("withdraw");

    const draft = await createAchievement(seller, achievementInput());
    const d = await (await call(h(achievementDetail.loader), args(get(`/achievements/${draft}`, c(seller)), { id: draft }))).json();
    expect(d.canEdit).toBe(true);
    expect(d.actions).toEqual(["submit"]); // no 撤回 on a draft (issue 13, point 17)
  });

  it("refuses a seller approving their own item with 403 and leaves it unchanged", async () => {
    const id = await submitted(seller);
    const res = await call(h(achievementDetail.action), args(post(`/achievements/${id}`, c(seller), { intent: "approve" }), { id }));
    expect(res.status).toBe(403);
    expect(await refusalOf(res)).toMatchObject({ ok: false, intent: "approve", formError: "workflow.notAllowed" });
    expect(await statusOf(id)).toBe("submitted");
  });

  it("needs a reason to reject (400 under the reason field, what was typed kept) and then records it", async () => {
    const id = await submitted(seller);
    const empty = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(broker), { intent: "reject", reason: "   " }), { id }),
    );
    expect(empty.status).toBe(400);
    expect(await refusalOf(empty)).toMatchObject({ fieldErrors: { reason: ["workflow.reasonRequired"] }, values: { reason: "   " } });
    expect(await statusOf(id)).toBe("submitted");

    const ok = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(broker), { intent: "reject", reason: "请补充中试报告" }), { id }),
    );
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe(`/achievements/${id}?done=reject`);
    expect(await statusOf(id)).toBe("rejected");
    const owner = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(seller)), { id }))).json();
    expect(owner.item.rejectionReason).toBe("请补充中试报告");
    expect(owner.canEdit).toBe(true);
    expect(owner.audit.at(-1)).toMatchObject({ action: "reject", reason: "请补充中试报告" });
  });

  it("shows the workflow's refusal during the notice period as a 409 form error", async () => {
    const id = await published(seller);
    const res = await call(h(achievementDetail.action), args(post(`/achievements/${id}`, c(seller), { intent: "startTrading" }), { id }));
    expect(res.status).toBe(409);
    expect(await refusalOf(res)).toMatchObject({ formError: "workflow.noticeNotOver" });
    expect(await statusOf(id)).toBe("published");
  });

  it("refuses a post without the CSRF token", async () => {
    const id = await submitted(seller);
    const res = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(broker), { intent: "approve" }, { csrf: false }), { id }),
    );
    expect(res.status).toBe(403);
    expect(await statusOf(id)).toBe("submitted");
  });

  it("lets a logged-in stranger object during the notice period; a reviewer needs a resolution to uphold it", async () => {
    const id = await published(seller);
    const stranger = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(buyer)), { id }))).json();
    expect(stranger.canObject).toBe(true);
    const anonymous = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`), { id }))).json();
    expect(anonymous.canObject).toBe(false);

    const short = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(buyer), { intent: "object", text: "不对" }), { id }),
    );
    expect(short.status).toBe(400);
    expect(await refusalOf(short)).toMatchObject({ fieldErrors: { text: ["errors.objectionLength"] }, values: { text: "不对" } });

    const filed = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(buyer), { intent: "object", text: "该技术的专利权属存在争议，请核实。" }), { id }),
    );
    expect(filed.headers.get("Location")).toBe(`/achievements/${id}?done=objection`);

    const forReviewer = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(broker)), { id }))).json();
    expect(forReviewer.objections).toHaveLength(1);
    const objectionId = forReviewer.objections[0].id;
    // upholdObjection is offered per objection, never as a bare button.
    expect(forReviewer.actions).not.toContain("upholdObjection");

    const noResolution = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(broker), { intent: "resolveObjection", objectionId, decision: "uphold", resolution: "" }), { id }),
    );
    expect(noResolution.status).toBe(400);
    expect(await refusalOf(noResolution)).toMatchObject({ target: objectionId, fieldErrors: { resolution: ["errors.required"] } });
    expect(await statusOf(id)).toBe("published");

    const upheld = await call(
      h(achievementDetail.action),
      args(
        post(`/achievements/${id}`, c(broker), { intent: "resolveObjection", objectionId, decision: "uphold", resolution: "权属证明不足" }),
        { id },
      ),
    );
    expect(upheld.status).toBe(302);
    expect(await statusOf(id)).toBe("rejected");
    // No longer public: the objector now gets the 404 page.
    expect((await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(buyer)), { id }))).status).toBe(404);
  });

  it("invites anonymous visitors to object only while the 公示 runs (not after it, not once trading or sold)", async () => {
    const running = await published(seller);
    const ended = await published(seller, {}, new Date(Date.now() - 20 * 86_400_000));
    const trading = await published(seller, {}, new Date(Date.now() - 20 * 86_400_000));
    await transitionListing(seller, "achievement", trading, "startTrading");
    const inNotice = async (id: string) =>
      (await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`), { id }))).json()).inNotice;
    expect(await inNotice(running)).toBe(true);
    expect(await inNotice(ended)).toBe(false);
    expect(await inNotice(trading)).toBe(false);
  });

  it("tells buyers why a listing past its 公示 is not trading yet when an objection waits for a reviewer", async () => {
    const id = await published(seller, {}, new Date(Date.now() - 20 * 86_400_000));
    await fileObjection(buyer, "achievement", id, "权属存在争议，请核实发明人信息。", new Date(Date.now() - 19 * 86_400_000));
    const data = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`), { id }))).json();
    expect(data.trading).toMatchObject({ state: "closed", canBuy: false, noticeEndsAt: null, objectionPending: true });
  });

  it("never offers 开始交易 on a demand, and refuses it when posted anyway", async () => {
    const id = await createDemand(buyer, demandInput());
    await transitionListing(buyer, "demand", id, "submit");
    await transitionListing(broker, "demand", id, "approve", { now: new Date(Date.now() - 20 * 86_400_000) });
    const data = await (await call(h(demandDetail.loader), args(get(`/demands/${id}`, c(buyer)), { id }))).json();
    expect(data.inNotice).toBe(false);
    expect(data.actions).toEqual(["withdraw"]);
    const res = await call(h(demandDetail.action), args(post(`/demands/${id}`, c(buyer), { intent: "startTrading" }), { id }));
    expect(res.status).toBe(409);
    expect(await refusalOf(res)).toMatchObject({ formError: "workflow.demandNotTraded" });
  });

  it("lets an admin feature an item for the home page, and nobody else", async () => {
    const id = await published(seller2, { title: "高原夏秋蔬菜避雨栽培技术" });
    const byBroker = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(broker), { intent: "feature", featured: "true" }), { id }),
    );
    expect(byBroker.status).toBe(403);
    const adminView = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(admin)), { id }))).json();
    expect(adminView.canFeature).toBe(true);
    const res = await call(
      h(achievementDetail.action),
      args(post(`/achievements/${id}`, c(admin), { intent: "feature", featured: "true" }), { id }),
    );
    expect(res.headers.get("Location")).toBe(`/achievements/${id}?done=featured`);
    const page = await (await call(h(home.loader), args(get("/")))).json();
    expect(page.listings.featured.map((a: { title: string }) => a.title)).toContain("高原夏秋蔬菜避雨栽培技术");
  });

  it("features on the home page only items still on offer, never sold ones (issue 13, point 17)", async () => {
    const feature = async (title: string) => {
      const id = await published(seller2, { title });
      const res = await call(
        h(achievementDetail.action),
        args(post(`/achievements/${id}`, c(admin), { intent: "feature", featured: "true" }), { id }),
      );
      expect(res.headers.get("Location")).toBe(`/achievements/${id}?done=featured`);
      return id;
    };
    await feature("三七种苗脱毒快繁技术（在售）");
    const sold: string[] = [];
    for (const status of ["deal", "contracted", "registered"] as const) {
      const title = `三七种苗脱毒快繁技术（${status}）`;
      const id = await feature(title);
      await Achievement.updateOne({ _id: id }, { $set: { status } }); // sold since it was featured
      sold.push(title);
    }
    const page = await (await call(h(home.loader), args(get("/")))).json();
    const featured: string[] = page.listings.featured.map((a: { title: string }) => a.title);
    expect(featured).toContain("三七种苗脱毒快繁技术（在售）");
    for (const title of sold) expect(featured).not.toContain(title);
    expect(page.listings.featured.every((a: { status: string }) => a.status === "published" || a.status === "trading")).toBe(true);
  });
});

describe("review queue", () => {
  it("is for brokers and admins only", async () => {
    expect((await call(h(review.loader), args(get("/review", c(seller))))).status).toBe(403);
    const anonymous = await call(h(review.loader), args(get("/review")));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toBe("/login?redirectTo=%2Freview");
  });

  it("a broker approves once they opened the item: it leaves the queue, becomes public and is on browse page 1", async () => {
    const id = await submitted(seller, { title: "文山三七皂苷提取纯化工艺" });
    const before = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(before.achievements.map((r: { item: { id: string } }) => r.item.id)).toContain(id);

    // No one-click approve: until the broker opened the item's page, approving is refused (issue 13, point 12).
    const early = await call(h(review.action), args(post("/review", c(broker), { intent: "approve", kind: "achievement", id })));
    expect(early.status).toBe(409);
    expect(await refusalOf(early)).toMatchObject({ target: `achievement:${id}`, formError: "review.errors.openFirst" });
    expect((await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(broker)), { id }))).status).toBe(200);

    const res = await call(h(review.action), args(post("/review", c(broker), { intent: "approve", kind: "achievement", id })));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/review?done=approve");
    const after = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(after.achievements.map((r: { item: { id: string } }) => r.item.id)).not.toContain(id);

    expect((await call(h(achievementDetail.loader), args(get(`/achievements/${id}`), { id }))).status).toBe(200);
    const browse = await (await call(h(achievementsIndex.loader), args(get("/achievements")))).json();
    expect(browse.page).toBe(1);
    expect(browse.items[0]).toMatchObject({ id, title: "文山三七皂苷提取纯化工艺", status: "published" });
  });

  it("rejecting without a reason answers 400 with the error under the reason, and the queue is still there", async () => {
    const id = await submitted(seller);
    const res = await call(h(review.action), args(post("/review", c(broker), { intent: "reject", kind: "achievement", id, reason: "" })));
    expect(res.status).toBe(400);
    expect(await refusalOf(res)).toMatchObject({
      intent: "reject",
      target: `achievement:${id}`,
      fieldErrors: { reason: ["workflow.reasonRequired"] },
    });
    expect(await statusOf(id)).toBe("submitted");
    const queue = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(queue.achievements.map((r: { item: { id: string } }) => r.item.id)).toContain(id);
  });

  it("lists a reviewer's own item without offering approval, and shows the refusal as an error, not a 500", async () => {
    const id = await submitted(brokerSeller, { title: "喀斯特石漠化区花椒种植技术" });
    const queue = await (await call(h(review.loader), args(get("/review", c(brokerSeller))))).json();
    const row = queue.achievements.find((r: { item: { id: string } }) => r.item.id === id);
    expect(row.mine).toBe(true);
    // Another broker sees it as reviewable.
    const other = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(other.achievements.find((r: { item: { id: string } }) => r.item.id === id).mine).toBe(false);

    const res = await call(h(review.action), args(post("/review", c(brokerSeller), { intent: "approve", kind: "achievement", id })));
    expect(res.status).toBe(403);
    expect(await refusalOf(res)).toMatchObject({ target: `achievement:${id}`, formError: "workflow.notAllowed" });
    expect(await statusOf(id)).toBe("submitted");
  });

  it("reviews demands too, and resolves objections from the queue with a required resolution", async () => {
    const demand = await createDemand(buyer, demandInput({ title: "莲花塘乡魔芋深加工技术需求" }));
    await transitionListing(buyer, "demand", demand, "submit");
    expect((await call(h(demandDetail.loader), args(get(`/demands/${demand}`, c(seller)), { id: demand }))).status).toBe(404);
    expect((await call(h(demandDetail.loader), args(get(`/demands/${demand}`, c(broker)), { id: demand }))).status).toBe(200);
    const approve = await call(h(review.action), args(post("/review", c(broker), { intent: "approve", kind: "demand", id: demand })));
    expect(approve.status).toBe(302);
    const detail = await (await call(h(demandDetail.loader), args(get(`/demands/${demand}`), { id: demand }))).json();
    expect(detail.item).toMatchObject({
      status: "published",
      enterprise: { name: "西畴县茶业有限公司（测试）" },
      budget: { min: 5_000_000, max: 20_000_000 },
      minTrl: 5,
    });
    const demands = await (await call(h(demandsIndex.loader), args(get("/demands")))).json();
    expect(demands.items[0]).toMatchObject({ id: demand, title: "莲花塘乡魔芋深加工技术需求" });
    expect(demands.pageTitle).toBe("技术需求 · 成果");

    const achievement = await published(seller, { title: "三七叶黄酮提取技术" });
    await call(
      h(achievementDetail.action),
      args(post(`/achievements/${achievement}`, c(buyer), { intent: "object", text: "数据来源不清楚，请说明。" }), { id: achievement }),
    );
    const queue = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    const objection = queue.objections.find((o: { subjectId: string }) => o.subjectId === achievement);
    expect(objection).toMatchObject({ kind: "achievement", title: "三七叶黄酮提取技术", byName: buyer.name });

    const bad = await call(
      h(review.action),
      args(post("/review", c(broker), { intent: "resolveObjection", objectionId: objection.id, decision: "dismiss", resolution: " " })),
    );
    expect(bad.status).toBe(400);
    expect(await refusalOf(bad)).toMatchObject({ target: objection.id, fieldErrors: { resolution: ["errors.required"] } });

    const ok = await call(
      h(review.action),
      args(
        post("/review", c(broker), {
          intent: "resolveObjection",
          objectionId: objection.id,
          decision: "dismiss",
          resolution: "已核实数据来源",
        }),
      ),
    );
    expect(ok.headers.get("Location")).toBe("/review?done=objectionDismissed");
    expect(await statusOf(achievement)).toBe("published");
    const after = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(after.objections.find((o: { id: string }) => o.id === objection.id)).toBeUndefined();
  });
});

describe("the same patent number on two organisations' achievements (issue 13, point 6)", () => {
  /** A valid invention patent number of 2021 nobody else in this file uses. */
  function patentNumber(serial: number) {
    const digits = `20211${String(9_000_000 + serial).padStart(7, "0")}`;
    return `ZL${digits}.${patentCheckChar(digits)}`;
  }
  type Row = { item: { id: string }; patentConflicts: unknown[] };
  const rowOf = (queue: { achievements: Row[] }, id: string) => queue.achievements.find((r) => r.item.id === id)!;

  it("warns the reviewer on the queue and the detail page, the second owner on theirs, and tells the public nothing", async () => {
    const number = patentNumber(1);
    const first = await published(seller, { ipType: "invention-patent", patentNumbers: [number] });
    // Typed differently (lower case, spaces); stored normalised, so it is the same patent.
    const typed = `${number.slice(0, 6).toLowerCase()} ${number.slice(6)}`;
    const second = await submitted(seller2, { ipType: "invention-patent", patentNumbers: [typed] });

    const queue = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(rowOf(queue, second).patentConflicts).toEqual([
      { patentNumber: number, id: first, title: expect.any(String), ownerName: "文山学院（测试）", status: "published" },
    ]);

    const reviewerDetail = await (
      await call(h(achievementDetail.loader), args(get(`/achievements/${second}`, c(broker)), { id: second }))
    ).json();
    expect(reviewerDetail.patentConflicts).toMatchObject([{ patentNumber: number, id: first, ownerName: "文山学院（测试）" }]);
    // The reviewer sees the claim on the published one too, though the second is not public yet.
    const reviewerFirst = await (
      await call(h(achievementDetail.loader), args(get(`/achievements/${first}`, c(admin)), { id: first }))
    ).json();
    expect(reviewerFirst.patentConflicts).toMatchObject([{ id: second, ownerName: "云南省农业科学院（测试）", status: "submitted" }]);

    // The second owner is warned (the first is public); nothing was refused: the item is in review.
    const ownerDetail = await (
      await call(h(achievementDetail.loader), args(get(`/achievements/${second}`, c(seller2)), { id: second }))
    ).json();
    expect(ownerDetail.patentConflicts).toMatchObject([{ id: first }]);
    expect(await statusOf(second)).toBe("submitted");
    // Withdrawn to edit it, the form warns too.
    await transitionListing(seller2, "achievement", second, "withdraw");
    const edit = await (
      await call(h(editAchievement.loader), args(get(`/achievements/${second}/edit`, c(seller2)), { id: second }))
    ).json();
    expect(edit.patentConflicts).toMatchObject([{ patentNumber: number, id: first }]);

    // The public, buyers and the first owner learn nothing of the unpublished second listing.
    for (const cookie of [undefined, c(buyer), c(seller)]) {
      const data = await (await call(h(achievementDetail.loader), args(get(`/achievements/${first}`, cookie), { id: first }))).json();
      expect(data.patentConflicts).toEqual([]);
      expect(JSON.stringify(data)).not.toContain(second);
    }
  });

  it("shows no warning for a patent nobody else claims, nor for another listing of the same organisation", async () => {
    const number = patentNumber(2);
    const one = await published(seller, { ipType: "invention-patent", patentNumbers: [number] });
    const two = await submitted(seller, { ipType: "invention-patent", patentNumbers: [number] });
    const alone = await submitted(seller2, { ipType: "invention-patent", patentNumbers: [patentNumber(3)] });
    const queue = await (await call(h(review.loader), args(get("/review", c(broker))))).json();
    expect(rowOf(queue, two).patentConflicts).toEqual([]);
    expect(rowOf(queue, alone).patentConflicts).toEqual([]);
    for (const id of [one, two, alone]) {
      const data = await (await call(h(achievementDetail.loader), args(get(`/achievements/${id}`, c(broker)), { id }))).json();
      expect(data.patentConflicts).toEqual([]);
    }
  });
});

describe("browse lists", () => {
  it("paginates 12 per page, clamps ?page= beyond the last page, ignores junk, and filters by field", async () => {
    // A fresh field keeps this independent of the other tests' items.
    for (let i = 0; i < 14; i++) await published(seller2, { field: "new-energy", title: `光伏组件清洗机器人 ${i}` });
    const page = async (q: string) => await (await call(h(achievementsIndex.loader), args(get(`/achievements${q}`)))).json();

    const first = await page("?field=new-energy");
    expect(first).toMatchObject({ total: 14, page: 1, pages: 2, field: "new-energy" });
    expect(first.items).toHaveLength(12);
    expect(first.items[0].title).toBe("光伏组件清洗机器人 13"); // newest first

    const beyond = await page("?field=new-energy&page=99");
    expect(beyond).toMatchObject({ page: 2, pages: 2 });
    expect(beyond.items.map((a: { title: string }) => a.title)).toEqual(["光伏组件清洗机器人 1", "光伏组件清洗机器人 0"]);

    expect(await page("?field=new-energy&page=abc")).toMatchObject({ page: 1 });
    expect(await page("?field=new-energy&page=-3")).toMatchObject({ page: 1 });
    // An unknown field is ignored rather than an error page.
    expect(await page("?field=astrology")).toMatchObject({ field: null });

    const empty = await page("?field=construction");
    expect(empty).toMatchObject({ total: 0, page: 1, pages: 1, items: [] });
  });

  it("offers 发布成果 only to sellers and names the page", async () => {
    const anon = await (await call(h(achievementsIndex.loader), args(get("/achievements")))).json();
    expect(anon.canCreate).toBe(false);
    expect(anon.pageTitle).toBe("科技成果 · 成果");
    const asSeller = await (await call(h(achievementsIndex.loader), args(get("/achievements?field=biomedicine", c(seller))))).json();
    expect(asSeller.canCreate).toBe(true);
    expect(asSeller.pageTitle).toBe("生物医药与大健康 · 科技成果 · 成果");
    const english = await (await call(h(achievementsIndex.loader), args(get("/achievements", "lng=en")))).json();
    expect(english.pageTitle).toBe("Achievements · Chengguo");
  });
});

describe("my items dashboards", () => {
  it("needs the seller role for achievements and the buyer role for demands", async () => {
    expect((await call(h(myAchievements.loader), args(get("/my/achievements", c(buyer))))).status).toBe(403);
    expect((await call(h(myDemands.loader), args(get("/my/demands", c(seller))))).status).toBe(403);
    expect((await call(h(myDemands.loader), args(get("/my/demands", c(buyer))))).status).toBe(200);
  });

  it("counts my items per status, filters by status, and submits and withdraws from the row", async () => {
    const owner = await user("dash@pages.test", ["seller"], { name: "文山三七研究院（看板测试）", type: "institute" });
    const draft = await createAchievement(owner, achievementInput({ title: "看板草稿" }));
    const sent = await createAchievement(owner, achievementInput({ title: "看板已退回" }));
    await transitionListing(owner, "achievement", sent, "submit");
    await transitionListing(broker, "achievement", sent, "reject", { reason: "缺少检测报告" });
    // Someone else's item never shows up.
    await createAchievement(seller, achievementInput({ title: "别人的草稿" }));

    const all = await (await call(h(myAchievements.loader), args(get("/my/achievements", c(owner))))).json();
    expect(all.total).toBe(2);
    expect(all.counts).toMatchObject({ draft: 1, rejected: 1, submitted: 0 });
    const rejectedRow = all.rows.find((r: { item: { id: string } }) => r.item.id === sent);
    expect(rejectedRow).toMatchObject({ canEdit: true, item: { rejectionReason: "缺少检测报告" } });
    expect(rejectedRow.actions).toEqual(["submit", "withdraw"]);

    const onlyDrafts = await (await call(h(myAchievements.loader), args(get("/my/achievements?status=draft", c(owner))))).json();
    expect(onlyDrafts.rows.map((r: { item: { title: string } }) => r.item.title)).toEqual(["看板草稿"]);

    const res = await call(
      h(myAchievements.action),
      args(post("/my/achievements?status=draft", c(owner), { intent: "submit", id: draft })),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/my/achievements?status=draft&done=submit");
    expect(await statusOf(draft)).toBe("submitted");

    // Submitting again is the wrong status: a row error with 409, not a crash.
    const again = await call(h(myAchievements.action), args(post("/my/achievements", c(owner), { intent: "submit", id: draft })));
    expect(again.status).toBe(409);
    expect(await refusalOf(again)).toMatchObject({ target: draft, formError: "workflow.wrongStatus" });

    // Someone else's non-public item: it does not exist for them (404 on the row); nothing changes.
    const foreign = await call(h(myAchievements.action), args(post("/my/achievements", c(seller), { intent: "withdraw", id: draft })));
    expect(foreign.status).toBe(404);
    expect(await refusalOf(foreign)).toMatchObject({ formError: "errors.notFound" });
    expect(await statusOf(draft)).toBe("submitted");

    const withdrawn = await call(h(myAchievements.action), args(post("/my/achievements", c(owner), { intent: "withdraw", id: draft })));
    expect(withdrawn.status).toBe(302);
    const after = await (await call(h(myAchievements.loader), args(get("/my/achievements", c(owner))))).json();
    expect(after.counts).toMatchObject({ withdrawn: 1, rejected: 1, draft: 0 });
    expect(after.rows.find((r: { item: { id: string } }) => r.item.id === draft).actions).toEqual(["reopen"]);
  });
});

describe("what the components print", () => {
  const i18n = createI18n("zh-CN");
  const html = (el: ReactElement) => renderToStaticMarkup(createElement(I18nextProvider, { i18n }, el));

  it("prices, budgets, maturity, modes and the notice period read as a Chinese user expects", () => {
    expect(html(createElement(PriceDisplay, { price: { mode: "fixed", amount: 30_000_000 } }))).toContain("挂牌价 ¥300,000");
    expect(html(createElement(PriceDisplay, { price: { mode: "negotiable", amount: null } }))).toContain("面议");
    expect(html(createElement(PriceDisplay, { price: { mode: "auction", amount: 12_345_050 } }))).toContain("竞价 · 起拍价 ¥123,450.50");
    expect(html(createElement(BudgetDisplay, { budget: { min: 5_000_000, max: 20_000_000 } }))).toContain("¥50,000 – ¥200,000");
    expect(html(createElement(BudgetDisplay, { budget: { min: null, max: 20_000_000 } }))).toContain("不超过 ¥200,000");
    expect(html(createElement(Maturity, { trl: 6 }))).toContain("TRL 6 · 通过中试");
    expect(html(createElement(Maturity, { trl: 4 }))).toContain("TRL 4 · 已有样品");
    expect(html(createElement(ModesDisplay, { modes: ["transfer", "license"], exclusivity: ["exclusive", "non-exclusive"] }))).toContain(
      "转让</span><span> · 许可（独占许可、普通许可）",
    );
    // 2026-12-08T16:30Z is already 9 December in China.
    expect(
      html(createElement(NoticePeriod, { publishedAt: "2026-11-23T16:30:00.000Z", noticeEndsAt: "2026-12-08T16:30:00.000Z" })),
    ).toContain("公示期至 2026-12-09");
  });

  it("the badge says 公示中 with the notice's end while it runs, and the plain status otherwise", () => {
    expect(html(createElement(StatusBadge, { status: "published", noticeEndsAt: "2026-12-08T16:30:00.000Z" }))).toContain(
      "公示中 · 至 2026-12-09",
    );
    expect(html(createElement(StatusBadge, { status: "published", noticeEndsAt: null }))).toContain("已发布");
    expect(html(createElement(StatusBadge, { status: "trading", noticeEndsAt: "2026-12-08T16:30:00.000Z" }))).toContain("交易中");
  });

  it("the demand form promises only the matching there is (achievements, no experts)", () => {
    expect(i18n.t("listingForm.newDemandIntro")).toContain("匹配科技成果");
    expect(i18n.t("listingForm.newDemandIntro")).not.toContain("专家");
    expect(createI18n("en").t("listingForm.newDemandIntro")).not.toContain("expert");
  });

  it("page numbers keep the ends and the neighbourhood of the current page", () => {
    expect(pageWindow(1, 1)).toEqual([1]);
    expect(pageWindow(5, 10)).toEqual([1, null, 3, 4, 5, 6, 7, null, 10]);
    expect(pageWindow(2, 4)).toEqual([1, 2, 3, 4]);
  });
});
