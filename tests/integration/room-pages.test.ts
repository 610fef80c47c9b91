import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { createStaticHandler, createStaticRouter, StaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { beforeAll, describe, expect, it } from "vitest";
import { Deal } from "~/models/deal.server.ts";
import { DealRoom, RoomMessage } from "~/models/deal-room.server.ts";
import { MatchesSection } from "~/components/matching/matches-section.tsx";
import * as achievementPage from "~/routes/achievements.$id.tsx";
import * as dealPage from "~/routes/deals.$id.tsx";
import * as attachmentRoute from "~/routes/rooms.$id.attachments.$fileId.tsx";
import * as roomPage from "~/routes/rooms.$id/route.tsx";
import * as roomsPage from "~/routes/rooms._index.tsx";
import * as newRoom from "~/routes/rooms.new.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { postMessage } from "~/services/rooms/messages.server.ts";
import { createI18n } from "~/utils/i18n.ts";
import { pageRequests } from "../support/page-requests.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { chinaDate } from "~/utils/china-time.ts";
import { inNoticeAchievement, pdfBytes, tradingAchievement } from "../../seeds/trading-fixtures.ts";

/**
 * The 洽谈室 pages through their real loaders and actions, as a browser without JavaScript uses
 * them: signed session cookie, CSRF token, urlencoded and multipart posts, and the room page
 * rendered to HTML by React Router's static handler (the same data flow Remix uses for a document
 * request), so what is asserted is what the person gets back. One long file because every form
 * of the room page shares the same room and parties, and the page is rendered the same way for all.
 */

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (a: Args) => Promise<Response>;

const pages = pageRequests({ orgType: "university", context: {} });
const { person, get, post, call } = pages;
const csrf = pages.csrf;
const upload = (
  path: string,
  user: SessionUser,
  file: { name: string; bytes: Uint8Array; type?: string } | null,
  fields: Record<string, string> = {},
) => pages.upload(path, user, file, { intent: "upload", ...fields });

interface PageModule {
  loader: unknown;
  action?: unknown;
  default: () => ReturnType<typeof roomPage.default>;
  ErrorBoundary: () => ReturnType<typeof roomPage.ErrorBoundary>;
}

/** A page as a document request: loader (and action for a POST), then the React page as HTML. */
async function render(
  request: Request,
  mod: PageModule = roomPage,
  path = "/rooms/:id",
): Promise<{ status: number; html: string; location: string | null }> {
  const handler = createStaticHandler([
    {
      id: "page",
      path,
      loader: (a) => (mod.loader as Handler)(a as Args),
      action: mod.action ? (a) => (mod.action as Handler)(a as Args) : undefined,
      Component: mod.default,
      ErrorBoundary: mod.ErrorBoundary,
    },
  ]);
  const context = await handler.query(request);
  if (context instanceof Response) return { status: context.status, html: "", location: context.headers.get("Location") };
  const router = createStaticRouter(handler.dataRoutes, context);
  const i18n = createI18n("zh-CN");
  const html = renderToString(
    createElement(
      I18nextProvider,
      { i18n },
      createElement(AuthenticityTokenProvider, {
        token: csrf.token,
        children: createElement(StaticRouterProvider, { router, context, hydrate: false }),
      }),
    ),
  );
  // React separates adjacent text with <!-- -->; the reader sees one text.
  return { status: context.statusCode, html: html.replaceAll("<!-- -->", ""), location: null };
}

let seller: SessionUser, buyer: SessionUser, outsider: SessionUser, broker: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  outsider = await person("outsider@tea.cn", ["buyer"], "茶业公司");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
});

const listing = () =>
  tradingAchievement(seller, broker, {
    title: `三七种子包衣防腐技术 ${Math.random().toString(36).slice(2, 7)}`,
    price: { mode: "negotiable" },
  });

/** A room opened the way a buyer opens it: the 联系/洽谈 form on the listing's page. */
async function openByForm(listingId: string, who = buyer): Promise<string> {
  const res = await call(newRoom.action, post("/rooms/new", who, { from: "listing", listingId }));
  expect(res.status).toBe(302);
  const m = /^\/rooms\/([0-9a-f]{24})#latest$/.exec(res.headers.get("Location") ?? "");
  expect(m).toBeTruthy();
  return m![1]!;
}

const roomPath = (id: string) => `/rooms/${id}`;

/** An action's refusal (the one action-result shape) as the room's forms read it, with `resultFor`. */
async function refusalOf(res: Response) {
  const data = (await res.json()) as ActionResult;
  if (data.ok) throw new Error(`expected a refusal, got ${JSON.stringify(data)}`);
  return { ok: data.ok, intent: data.intent, target: data.target, ...resultFor(data, data.intent, data.target)! };
}

describe("opening a room", () => {
  it("opens from a listing with a plain POST (CSRF checked) and refuses who may not", async () => {
    const listingId = await listing();
    const id = await openByForm(listingId);
    expect(await openByForm(listingId)).toBe(id);
    expect((await call(newRoom.action, post("/rooms/new", buyer, { from: "listing", listingId }, { csrf: false }))).status).toBe(403);
    const sellerTry = await call(newRoom.action, post("/rooms/new", seller, { from: "listing", listingId }));
    expect(sellerTry.status).toBe(403);
    expect(await sellerTry.text()).toBe("rooms.errors.buyerRoleRequired");
    expect((await call(newRoom.action, post("/rooms/new", buyer, { from: "listing", listingId: "nope" }))).status).toBe(400);
    expect((await call(newRoom.action, post("/rooms/new", buyer, { from: "listing", listingId: "000000000000000000000000" }))).status).toBe(
      404,
    );
    const anon = await call(newRoom.action, post("/rooms/new", null, { from: "listing", listingId }));
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
    expect((await call(newRoom.loader, get("/rooms/new", buyer))).headers.get("Location")).toBe("/rooms");
  });
});

describe("the ways into a room", () => {
  it("offers 联系/洽谈 on a listing's page to a buyer of another organisation only", async () => {
    const listingId = await listing();
    const path = `/achievements/${listingId}`;
    const asBuyer = await render(get(path, buyer), achievementPage, "/achievements/:id");
    expect(asBuyer.status).toBe(200);
    expect(asBuyer.html).toMatch(
      /<form method="post" action="\/rooms\/new"[^>]*>.*?name="from" value="listing".*?name="listingId" value="[0-9a-f]{24}".*?联系\/洽谈/s,
    );
    for (const who of [seller, broker, null]) {
      expect((await render(get(path, who), achievementPage, "/achievements/:id")).html).not.toContain('data-testid="open-room"');
    }
  });

  it("offers 洽谈 on each match of a demand to the demand's owner", () => {
    const items = [{ id: "6b05e3d465b6ea7bfdd307da", externalId: null, title: "三七根腐病生物防治菌剂", score: 0.8, reasons: [] }];
    const html = (negotiate?: { demandId: string }) =>
      renderToString(
        createElement(
          I18nextProvider,
          { i18n: createI18n("zh-CN") },
          createElement(AuthenticityTokenProvider, {
            token: "tok",
            children: createElement(
              StaticRouter,
              { location: "/demands/x" },
              createElement(MatchesSection, { kind: "demand", matches: { status: "ok", items }, negotiate }),
            ),
          }),
        ),
      ).replaceAll("<!-- -->", "");
    const owner = html({ demandId: "6b05e3d465b6ea7bfdd307db" });
    expect(owner).toContain('action="/rooms/new"');
    expect(owner).toContain('name="from" value="match"');
    expect(owner).toContain('name="listingId" value="6b05e3d465b6ea7bfdd307da"');
    expect(owner).toContain('name="demandId" value="6b05e3d465b6ea7bfdd307db"');
    expect(owner).toContain('name="csrf" value="tok"');
    expect(owner).toContain(">洽谈</button>");
    expect(html()).not.toContain("/rooms/new");
  });
});

describe("the room page without JavaScript", () => {
  it("renders the history on the server, posts a message by form and shows markup as text", async () => {
    const id = await openByForm(await listing());
    await postMessage(seller, id, { text: "您好，欢迎洽谈。\n可以先看检测报告。" });

    const first = await render(get(roomPath(id), buyer));
    expect(first.status).toBe(200);
    expect(first.html).toContain("您好，欢迎洽谈。\n可以先看检测报告。");
    expect(first.html).toContain("发起了洽谈");
    expect(first.html).toContain('data-testid="nda-panel"');
    expect(first.html).toContain('name="intent" value="send"');
    expect(first.html).toContain("您的身份：买方");

    const text = '价格能否再谈？\n<script>alert("x")</script><img src=x onerror=alert(1)>';
    const res = await call(roomPage.action, post(roomPath(id), buyer, { intent: "send", text, clientId: "form-1" }), { id });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/rooms/${id}?done=sent#latest`);
    // The same form sent twice stores one message.
    expect((await call(roomPage.action, post(roomPath(id), buyer, { intent: "send", text, clientId: "form-1" }), { id })).status).toBe(302);
    const stored = await RoomMessage.find({ room: id, kind: "text", "author.user": buyer.id }).lean();
    expect(stored.map((m) => m.text)).toEqual([text]);

    const page = await render(get(`${roomPath(id)}?done=sent`, seller));
    expect(page.html).toContain("消息已发送");
    expect(page.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(page.html).not.toContain('<script>alert("x")</script>');
    expect(page.html).not.toContain("<img src=x");
  });

  it("answers bad input with 400, the errors next to their fields and what was typed kept", async () => {
    const id = await openByForm(await listing());
    const empty = await call(roomPage.action, post(roomPath(id), buyer, { intent: "send", text: "   \n " }), { id });
    expect(empty.status).toBe(400);
    expect(await refusalOf(empty)).toMatchObject({ ok: false, intent: "send", fieldErrors: { text: ["rooms.errors.textRequired"] } });

    const card = {
      intent: "propose",
      price: "12.345",
      transactionMode: "license",
      licenseExclusivity: "",
      territory: "云南省文山州",
      termMonths: "36",
      royaltyPercent: "",
      "milestones[0].title": "",
      "milestones[0].amount": "",
      "milestones[1].title": "",
      "milestones[1].amount": "5000",
      "milestones[1].dueInDays": "30",
      note: "首付后派人驻点指导",
    };
    const bad = await call(roomPage.action, post(roomPath(id), seller, card), { id });
    expect(bad.status).toBe(400);
    const data = await refusalOf(bad);
    expect(data.fieldErrors).toEqual({
      price: ["auction.errors.amountNumber"],
      licenseExclusivity: ["rooms.errors.exclusivityRequired"],
      "milestones[1].title": ["rooms.errors.milestoneTitle"],
    });
    expect(data.values).toMatchObject({ territory: "云南省文山州", note: "首付后派人驻点指导", "milestones[1].amount": "5000" });
    expect(await RoomMessage.countDocuments({ room: id, kind: "offer" })).toBe(0);

    // The same post as a document request: the form is open, shows the errors and keeps the input.
    const page = await render(post(roomPath(id), seller, card));
    expect(page.status).toBe(400);
    expect(page.html).toMatch(/<details class="room-fold" open="" data-testid="propose-fold">/);
    expect(page.html).toContain("金额应为数字，最多两位小数（元）");
    expect(page.html).toContain("请填写里程碑名称");
    expect(page.html).toContain("许可方式须选择许可类型");
    expect(page.html).toContain('value="云南省文山州"');
    expect(page.html).toContain('value="12.345"');
    expect(page.html).toContain("首付后派人驻点指导</textarea>");

    // Milestones adding up to more than the price; a broker's card without the party it is for.
    const over = await call(
      roomPage.action,
      post(roomPath(id), seller, { ...card, price: "4000", licenseExclusivity: "sole", "milestones[1].title": "首付" }),
      { id },
    );
    expect((await refusalOf(over)).fieldErrors).toEqual({ milestones: ["rooms.errors.milestonesExceedPrice"] });
    const invite = await call(roomPage.action, post(roomPath(id), buyer, { intent: "invite", email: "broker@agency.cn" }), { id });
    expect(invite.headers.get("Location")).toBe(`/rooms/${id}?done=invited`);
    const brokerCard = await call(
      roomPage.action,
      post(roomPath(id), broker, { ...card, price: "150000", licenseExclusivity: "sole", "milestones[1].title": "首付" }),
      { id },
    );
    expect(brokerCard.status).toBe(400);
    expect((await refusalOf(brokerCard)).fieldErrors).toEqual({ onBehalfOf: ["rooms.errors.onBehalfRequired"] });
    // Inviting someone who is not a broker: the error on the email field, the email kept.
    const notBroker = await call(roomPage.action, post(roomPath(id), buyer, { intent: "invite", email: "outsider@tea.cn" }), { id });
    expect(notBroker.status).toBe(400);
    expect(await refusalOf(notBroker)).toMatchObject({
      fieldErrors: { email: ["rooms.errors.notABroker"] },
      values: { email: "outsider@tea.cn" },
    });
  });

  it("gives a non-member a 404, never the room, and sends visitors to log in", async () => {
    const id = await openByForm(await listing());
    expect((await call(roomPage.loader, get(roomPath(id), outsider), { id })).status).toBe(404);
    expect((await render(get(roomPath(id), outsider))).status).toBe(404);
    expect((await call(roomPage.action, post(roomPath(id), outsider, { intent: "send", text: "你好" }), { id })).status).toBe(404);
    expect((await call(roomPage.action, post(roomPath(id), outsider, { intent: "nda" }), { id })).status).toBe(404);
    expect((await call(roomPage.loader, get("/rooms/000000000000000000000000", buyer), { id: "000000000000000000000000" })).status).toBe(
      404,
    );
    expect(await RoomMessage.countDocuments({ room: id, "author.user": outsider.id })).toBe(0);
    const anon = await call(roomPage.loader, get(roomPath(id), null), { id });
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(roomPath(id))}`);
    // A post without the CSRF token changes nothing.
    expect((await call(roomPage.action, post(roomPath(id), buyer, { intent: "send", text: "伪造" }, { csrf: false }), { id })).status).toBe(
      403,
    );
  });

  it("pages back through the history with ?before=, each page a link", async () => {
    const id = await openByForm(await listing());
    for (let i = 2; i <= 56; i++) await postMessage(i % 2 ? seller : buyer, id, { text: `消息 ${i}` });
    const latest = await render(get(roomPath(id), buyer));
    expect(latest.html).toContain("消息 56");
    expect(latest.html).toContain("消息 7<");
    expect(latest.html).not.toContain("消息 6<");
    expect(latest.html).toContain(`href="/rooms/${id}?before=7"`);
    expect(latest.html).toContain("更早的消息");
    const older = await render(get(`${roomPath(id)}?before=7`, buyer));
    expect(older.html).toContain("消息 6<");
    expect(older.html).toContain("发起了洽谈");
    expect(older.html).not.toContain("消息 7<");
    expect(older.html).not.toContain("更早的消息");
    expect(older.html).toContain("回到最新消息");
  });
});

describe("offer cards, the NDA and files by form", () => {
  it("proposes a card, shows it with all its terms, and accepting it makes the deal and shows the agreed terms", async () => {
    const id = await openByForm(await listing());
    const res = await call(
      roomPage.action,
      post(roomPath(id), seller, {
        intent: "propose",
        price: "150,000",
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        territory: "云南省",
        termMonths: "24",
        royaltyPercent: "2.5",
        "milestones[0].title": "签约首付",
        "milestones[0].amount": "50000",
        "milestones[0].dueInDays": "15",
        "milestones[2].title": "验收尾款",
        "milestones[2].amount": "100000",
        note: "",
      }),
      { id },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/rooms/${id}?done=proposed#latest`);

    const buyerView = await render(get(roomPath(id), buyer));
    for (const s of [
      "¥150,000",
      "许可（独占许可）",
      "云南省",
      "24 个月",
      "销售额的 2.5%",
      "签约首付 · ¥50,000",
      "签约后 15 天内",
      "验收尾款 · ¥100,000",
      "第 1 版",
      "待答复",
    ]) {
      expect(buyerView.html).toContain(s);
    }
    expect(buyerView.html).toContain('data-testid="card-accept"');
    // The proposing side only sees "withdraw".
    const sellerView = await render(get(roomPath(id), seller));
    expect(sellerView.html).not.toContain('data-testid="card-accept"');
    expect(sellerView.html).toContain('data-testid="card-withdraw"');

    const card = (await DealRoom.findById(id).lean())!;
    const cardId = String((await RoomMessage.findOne({ room: card._id, kind: "offer" }).lean())!.card);
    // The seller cannot accept its own card: refused in place (403), nothing made.
    const own = await call(roomPage.action, post(roomPath(id), seller, { intent: "accept", cardId }), { id });
    expect(own.status).toBe(403);
    expect(await refusalOf(own)).toMatchObject({ intent: "accept", target: cardId, formError: "rooms.errors.answerOtherSide" });

    const accepted = await call(roomPage.action, post(roomPath(id), buyer, { intent: "accept", cardId }), { id });
    expect(accepted.headers.get("Location")).toBe(`/rooms/${id}?done=accepted`);
    const deal = (await Deal.findOne({ "termsSource.room": card._id }).lean())!;
    expect(deal).toMatchObject({ source: "negotiation", terms: { price: 15_000_000 } });

    const after = await render(get(`${roomPath(id)}?done=accepted`, seller));
    expect(after.html).toContain('data-testid="agreed-terms"');
    expect(after.html).toContain(`href="/deals/${deal._id}"`);
    expect(after.html).toContain("已约定的条款");
    expect(after.html).toContain("已接受");
    // The deal made, the room takes no card: no card form, and the reason said (issue 13, point 1).
    expect(after.html).not.toContain('data-testid="propose-fold"');
    expect(after.html).toContain('data-testid="cards-closed"');
    expect(after.html).toContain("该成果已成交，洽谈室不再接受报价卡");
    const again = await call(
      roomPage.action,
      post(roomPath(id), buyer, { intent: "propose", price: "200000", transactionMode: "transfer" }),
      {
        id,
      },
    );
    expect(again.status).toBe(409);
    expect(await refusalOf(again)).toMatchObject({ intent: "propose", formError: "rooms.errors.dealMade" });
    // The deal page offers the way back into the room, to the parties.
    const dealData = await (await call(dealPage.loader, get(`/deals/${deal._id}`, buyer), { id: String(deal._id) })).json();
    expect(dealData).toMatchObject({ isParty: true, deal: { source: "negotiation" } });
    const fromDeal = await call(newRoom.action, post("/rooms/new", seller, { from: "deal", dealId: String(deal._id) }));
    expect(fromDeal.headers.get("Location")).toBe(`/rooms/${id}#latest`);
  });

  it("during the 公示 shows no card form but the notice's end date, and refuses a posted card with it (issue 13, point 4)", async () => {
    const listingId = await inNoticeAchievement(seller, broker, { title: `公示中的成果 ${Math.random().toString(36).slice(2, 7)}` });
    const date = chinaDate((await Achievement.findById(listingId, { noticeEndsAt: 1 }).lean())!.noticeEndsAt!);
    const id = await openByForm(listingId);
    const page = await render(get(roomPath(id), buyer));
    expect(page.html).not.toContain('data-testid="propose-fold"');
    expect(page.html).toContain(`该成果正在公示，公示期至 ${date}，结束后方可交易`);
    const res = await call(
      roomPage.action,
      post(roomPath(id), buyer, { intent: "propose", price: "120000", transactionMode: "transfer" }),
      {
        id,
      },
    );
    expect(res.status).toBe(409);
    expect(await refusalOf(res)).toMatchObject({ intent: "propose", formError: "rooms.errors.inNotice", params: { date } });
  });

  it("uploads by multipart and streams a confidential file only after both sides accepted the NDA", async () => {
    const id = await openByForm(await listing());
    const done = await call(
      roomPage.action,
      upload(
        roomPath(id),
        seller,
        { name: "菌株配方 v2.pdf", bytes: pdfBytes("secret formula"), type: "application/pdf" },
        { confidential: "on" },
      ),
      { id },
    );
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe(`/rooms/${id}?done=uploaded#latest`);
    const plainDone = await call(roomPage.action, upload(roomPath(id), buyer, { name: "需求说明.pdf", bytes: pdfBytes("plain") }), { id });
    expect(plainDone.status).toBe(302);
    const [secret, plain] = await RoomMessage.find({ room: id, kind: "attachment" }).sort({ seq: 1 }).lean();
    const secretPath = `${roomPath(id)}/attachments/${secret!.attachment!.fileId}`;
    const plainPath = `${roomPath(id)}/attachments/${plain!.attachment!.fileId}`;
    const params = (fileId: unknown) => ({ id, fileId: String(fileId) });

    // Not a PDF or an image: refused on the file field. No file: said so.
    const html = await call(
      roomPage.action,
      upload(roomPath(id), buyer, { name: "x.pdf", bytes: new TextEncoder().encode("<html></html>") }),
      { id },
    );
    expect(html.status).toBe(400);
    expect(await refusalOf(html)).toMatchObject({ intent: "upload", fieldErrors: { file: ["rooms.errors.fileType"] } });
    const none = await call(roomPage.action, upload(roomPath(id), buyer, null, { confidential: "on" }), { id });
    expect(await refusalOf(none)).toMatchObject({ fieldErrors: { file: ["rooms.errors.fileRequired"] }, values: { confidential: "on" } });

    // The page shows the 🔒 mark and, before the NDA, a note instead of a link.
    const before = await render(get(roomPath(id), buyer));
    expect(before.html).toContain("菌株配方 v2.pdf");
    expect(before.html).toContain("🔒 保密");
    expect(before.html).toContain("双方接受保密协议后才能查看此文件");
    expect(before.html).not.toContain(`href="${secretPath}"`);
    expect(before.html).toContain(`href="${plainPath}"`);

    const plainFile = await call(attachmentRoute.loader, get(plainPath, seller), params(plain!.attachment!.fileId));
    expect(plainFile.status).toBe(200);
    expect(await plainFile.text()).toContain("plain");

    const forbidden = await call(attachmentRoute.loader, get(secretPath, buyer), params(secret!.attachment!.fileId));
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    expect(await forbidden.text()).toContain("双方都接受保密协议后才能查看保密附件");
    expect((await call(attachmentRoute.loader, get(secretPath, outsider), params(secret!.attachment!.fileId))).status).toBe(404);
    expect(
      (
        await call(attachmentRoute.loader, get(`${roomPath(id)}/attachments/000000000000000000000000`, buyer), {
          id,
          fileId: "000000000000000000000000",
        })
      ).status,
    ).toBe(404);

    expect((await call(roomPage.action, post(roomPath(id), buyer, { intent: "nda" }), { id })).headers.get("Location")).toBe(
      `/rooms/${id}?done=nda`,
    );
    expect((await call(attachmentRoute.loader, get(secretPath, buyer), params(secret!.attachment!.fileId))).status).toBe(403);
    await call(roomPage.action, post(roomPath(id), seller, { intent: "nda" }), { id });

    const file = await call(attachmentRoute.loader, get(`${secretPath}?download=1`, buyer), params(secret!.attachment!.fileId));
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("application/pdf");
    expect(file.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(file.headers.get("Cache-Control")).toBe("private, no-store");
    expect(file.headers.get("Content-Disposition")).toBe(
      `attachment; filename="____ v2.pdf"; filename*=UTF-8''${encodeURIComponent("菌株配方 v2.pdf")}`,
    );
    expect(Buffer.from(await file.arrayBuffer()).toString("latin1")).toContain("secret formula");
    const inline = await call(attachmentRoute.loader, get(secretPath, seller), params(secret!.attachment!.fileId));
    expect(inline.headers.get("Content-Disposition")).toMatch(/^inline; /);

    const after = await render(get(roomPath(id), seller));
    expect(after.html).toContain(`href="${secretPath}"`);
    expect(after.html).toContain("双方均已接受，保密附件可以查看。");
    expect(after.html).toContain("您已接受本协议。");
  });
});

describe("my rooms", () => {
  it("lists the rooms with the other side, my side and unread counts; opening a room reads it", async () => {
    const id = await openByForm(await listing());
    await postMessage(buyer, id, { text: "一" });
    await postMessage(buyer, id, { text: "二" });
    const list = await (await call(roomsPage.loader, get("/rooms", seller))).json();
    expect(list.rooms.find((r: { id: string }) => r.id === id)).toMatchObject({
      mySide: "seller",
      unread: 3,
      counterpart: "兴街镇三七种植专业合作社",
    });
    expect((await call(roomPage.loader, get(roomPath(id), seller), { id })).status).toBe(200);
    const again = await (await call(roomsPage.loader, get("/rooms", seller))).json();
    expect(again.rooms.find((r: { id: string }) => r.id === id).unread).toBe(0);
    // Paging back does not count as reading the newest messages.
    await postMessage(buyer, id, { text: "三" });
    await call(roomPage.loader, get(`${roomPath(id)}?before=2`, seller), { id });
    expect((await (await call(roomsPage.loader, get("/rooms", seller))).json()).rooms.find((r: { id: string }) => r.id === id).unread).toBe(
      1,
    );
    // Anyone else does not see it.
    const theirs = await (await call(roomsPage.loader, get("/rooms", outsider))).json();
    expect(theirs.rooms.map((r: { id: string }) => r.id)).not.toContain(id);
    expect((await openRoom(buyer, { from: "listing", listingId: (await DealRoom.findById(id).lean())!.listing.toString() })) === id).toBe(
      true,
    );
  });
});
