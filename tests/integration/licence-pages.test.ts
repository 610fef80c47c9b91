import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { beforeAll, describe, expect, it } from "vitest";
import { mainFormReply, type ListingFormResult } from "~/components/listing-form/form-result.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import * as achievementPage from "~/routes/achievements.$id.tsx";
import * as editAchievement from "~/routes/achievements.$id_.edit.tsx";
import * as buyPage from "~/routes/achievements.$id_.buy.tsx";
import * as newAchievement from "~/routes/achievements.new.tsx";
import * as roomPage from "~/routes/rooms.$id/route.tsx";
import { openRoom } from "~/services/rooms/open.server.ts";
import { confirmBuyRequest } from "~/services/trading/buy-requests/commands.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createI18n } from "~/utils/i18n.ts";
import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * Issue 13, point 5 through the pages, as a browser without JavaScript uses them: the listing form
 * takes a price per mode and licence kind (yuan, 万 too) with errors under the right field; the
 * achievement page lists them, 面议 for the rest; the buy page lets the buyer choose what they buy,
 * and a non-exclusive licence is bought by one buyer after another while the listing stays on
 * offer. Pages are rendered to HTML by React Router's static handler, so what is asserted is what
 * the person reads.
 */

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (a: Args) => Promise<Response>;

const pages = pageRequests({ orgType: "university", context: {} });
const { person, get, post, call } = pages;

interface PageModule {
  loader: unknown;
  action?: unknown;
  default: () => ReturnType<typeof achievementPage.default> | ReturnType<typeof roomPage.default>;
  ErrorBoundary: () => ReturnType<typeof achievementPage.ErrorBoundary>;
}

/** A page as a document request: loader (and action for a POST), then the React page as HTML. */
async function render(request: Request, mod: PageModule, path: string): Promise<{ status: number; html: string }> {
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
  if (context instanceof Response) return { status: context.status, html: "" };
  const router = createStaticRouter(handler.dataRoutes, context);
  const html = renderToString(
    createElement(
      I18nextProvider,
      { i18n: createI18n("zh-CN") },
      createElement(AuthenticityTokenProvider, {
        token: pages.csrf.token,
        children: createElement(StaticRouterProvider, { router, context, hydrate: false }),
      }),
    ),
  );
  return { status: context.statusCode, html: html.replaceAll("<!-- -->", "") };
}

/** The text a reader sees (tags dropped, whitespace collapsed). */
const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;|\s+/g, " ")
    .trim();

let seller: SessionUser, broker: SessionUser, buyerA: SessionUser, buyerB: SessionUser, buyerC: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  buyerA = await person("a@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  buyerB = await person("b@food.cn", ["buyer"], "食品公司");
  buyerC = await person("c@tea.cn", ["buyer"], "茶业公司");
});

const priced = (over: Partial<AchievementDataInput> = {}) =>
  listingAt(
    seller,
    broker,
    "trading",
    achievementContent({
      title: `三七种子包衣防腐技术 ${Math.random().toString(36).slice(2, 7)}`,
      transactionModes: ["transfer", "license"],
      licenseExclusivity: ["exclusive", "sole", "non-exclusive"],
      price: { mode: "fixed" },
      prices: [
        { transactionMode: "transfer", amount: 300_000_00 },
        { transactionMode: "license", licenseExclusivity: "exclusive", amount: 200_000_00 },
        { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 50_000_00 },
      ],
      ...over,
    }),
  );

const form: Record<string, string> = {
  title: "三七根腐病生物防治菌剂",
  summary: "拮抗菌复配菌剂，田间防效 72%。",
  description: "针对三七连作根腐病的微生物菌剂及施用技术。",
  field: "plateau-agriculture",
  ipType: "none",
  trl: "6",
  priceMode: "fixed",
  region: "532623",
};
const formBody = (over: Record<string, string> = {}) => {
  const body = new URLSearchParams({ ...form, ...over, csrf: pages.csrf.token, intent: "save" });
  body.append("transactionModes", "transfer");
  body.append("transactionModes", "license");
  body.append("licenseExclusivity", "exclusive");
  body.append("licenseExclusivity", "non-exclusive");
  return body;
};
const postForm = (path: string, over: Record<string, string>) => {
  const req = post(path, seller, {});
  return new Request(req.url, { method: "POST", headers: req.headers, body: formBody(over) });
};

describe("the listing form", () => {
  it("stores a price per mode and licence kind (万 accepted) and shows them again on the edit page", async () => {
    const res = await call(
      newAchievement.action,
      postForm("/achievements/new", { priceTransfer: "30万", priceExclusive: "200000", priceNonExclusive: "5万" }),
    );
    expect(res.status).toBe(302);
    const id = /\/achievements\/([0-9a-f]{24})/.exec(res.headers.get("Location") ?? "")![1]!;
    const stored = (await Achievement.findById(id).lean())!;
    expect(stored.prices).toEqual([
      { transactionMode: "transfer", amount: 300_000_00 },
      { transactionMode: "license", licenseExclusivity: "exclusive", amount: 200_000_00 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 50_000_00 },
    ]);
    expect(stored.price).toMatchObject({ mode: "fixed", amount: 50_000_00 });
    const edit = await (await call(editAchievement.loader, get(`/achievements/${id}/edit`, seller), { id })).json();
    expect(edit.defaults).toMatchObject({
      priceAmount: "",
      priceTransfer: "300000",
      priceExclusive: "200000",
      priceNonExclusive: "50000",
      priceSole: "",
    });
  });

  it("names the field of a price for a kind not offered, a bad amount, or a price on a negotiable listing", async () => {
    const before = await Achievement.countDocuments();
    const res = await call(
      newAchievement.action,
      postForm("/achievements/new", { priceTransfer: "30万", priceSole: "100000", priceEquity: "abc" }),
    );
    expect(res.status).toBe(400);
    const reply = mainFormReply((await res.json()) as ListingFormResult)!;
    expect(reply.error).toEqual({
      priceSole: ["prices.errors.optionNotOffered"],
      priceEquity: ["prices.errors.optionNotOffered", "errors.amount"],
    });
    expect(reply.initialValue).toMatchObject({ priceTransfer: "30万", priceSole: "100000" });
    const negotiable = await call(newAchievement.action, postForm("/achievements/new", { priceMode: "negotiable", priceTransfer: "30万" }));
    expect(mainFormReply((await negotiable.json()) as ListingFormResult)!.error).toEqual({ priceTransfer: ["prices.errors.onlyFixed"] });
    expect(await Achievement.countDocuments()).toBe(before);
  });
});

describe("the achievement and buy pages", () => {
  it("list each option's price, 面议 for an offered one without", async () => {
    const id = await priced();
    const page = await render(get(`/achievements/${id}`, null), achievementPage, "/achievements/:id");
    expect(page.status).toBe(200);
    const text = textOf(page.html);
    expect(text).toContain("转让 ¥300,000");
    expect(text).toContain("独占许可 ¥200,000");
    expect(text).toContain("排他许可 面议");
    expect(text).toContain("普通许可 ¥50,000");
    // The headline price is the lowest, marked as such.
    expect(text).toContain("挂牌价 ¥50,000 起");
  });

  it("let one buyer after another take a non-exclusive licence at its price while the listing stays on offer", async () => {
    const id = await priced();
    // Without a choice, the buy page lists the priced options to choose from, and no confirm button.
    const choose = await render(get(`/achievements/${id}/buy`, buyerA), buyPage, "/achievements/:id/buy");
    expect(textOf(choose.html)).toContain("选择购买方式");
    expect(choose.html).toContain(`href="/achievements/${id}/buy?option=license.non-exclusive"`);
    expect(choose.html).not.toContain('data-testid="confirm-buy"');
    const chosen = await render(get(`/achievements/${id}/buy?option=license.non-exclusive`, buyerA), buyPage, "/achievements/:id/buy");
    expect(textOf(chosen.html)).toContain("普通许可 ¥50,000");
    expect(chosen.html).toContain('name="amount" value="50000"');

    const buy = (who: SessionUser) =>
      call(
        buyPage.action,
        post(`/achievements/${id}/buy`, who, {
          amount: "50000",
          transactionMode: "license",
          licenseExclusivity: "non-exclusive",
          agree: "on",
        }),
        { id },
      );
    // Each asks; the licence is granted when the seller confirms (buy-now no longer deals on one click, decision 023).
    for (const who of [buyerA, buyerB]) {
      const res = await buy(who);
      expect(res.status).toBe(302);
      const requestId = /^\/my\/buy-requests\?done=requested#request-([0-9a-f]{24})$/.exec(res.headers.get("Location") ?? "")?.[1];
      expect(requestId).toBeTruthy();
      await confirmBuyRequest(seller, requestId!);
    }
    expect(await Deal.countDocuments({ listing: id, status: "open" })).toBe(2);
    // Still on offer: the page says how many licences were granted, and a third buyer may buy.
    const page = await render(get(`/achievements/${id}`, buyerC), achievementPage, "/achievements/:id");
    expect(textOf(page.html)).toContain("已授予 2 项普通许可");
    expect(page.html).toContain('data-testid="buy-now"');
    // The first licensee cannot take it twice; the page says why.
    const again = await buy(buyerA);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { form: { error: Record<string, string[]> } }).form.error).toEqual({ "": ["trading.licenceHeld"] });

    // A transfer ends it: the page says sold, and nobody buys a licence any more.
    const sale = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, buyerC, { amount: "300000", transactionMode: "transfer", agree: "on" }),
      { id },
    );
    expect(sale.status).toBe(302);
    await confirmBuyRequest(seller, /#request-([0-9a-f]{24})$/.exec(sale.headers.get("Location") ?? "")![1]!);
    const sold = await render(get(`/achievements/${id}`, buyerC), achievementPage, "/achievements/:id");
    expect(sold.html).toContain('data-testid="sold-badge"');
    const late = await render(get(`/achievements/${id}/buy?option=license.non-exclusive`, buyerC), buyPage, "/achievements/:id/buy");
    expect(late.html).toContain('data-testid="buy-problem"');
  });
});

describe("the deal rooms of a listing with a non-exclusive licence", () => {
  it("show the licensee's room its deal's terms and no card form, while another buyer's room still takes cards", async () => {
    const id = await priced({ price: { mode: "negotiable" }, prices: [] });
    const mine = await openRoom(buyerA, { from: "listing", listingId: id });
    const theirs = await openRoom(buyerB, { from: "listing", listingId: id });
    const roomPath = (room: string) => `/rooms/${room}`;
    const propose = (who: SessionUser, room: string, fields: Record<string, string>) =>
      call(roomPage.action, post(roomPath(room), who, { intent: "propose", ...fields }), { id: room });
    expect((await propose(buyerA, mine, { price: "45000", transactionMode: "license", licenseExclusivity: "non-exclusive" })).status).toBe(
      302,
    );
    const room = await render(get(roomPath(mine), seller), roomPage, "/rooms/:id");
    const cardId = /name="cardId" value="([0-9a-f]{24})"/.exec(room.html)![1]!;
    const accepted = await call(roomPage.action, post(roomPath(mine), seller, { intent: "accept", cardId }), { id: mine });
    expect(accepted.headers.get("Location")).toBe(`/rooms/${mine}?done=accepted`);

    const after = await render(get(roomPath(mine), buyerA), roomPage, "/rooms/:id");
    expect(after.html).toContain('data-testid="agreed-terms"');
    expect(textOf(after.html)).toContain("许可（普通许可）");
    expect(after.html).not.toContain('data-testid="propose-fold"');
    expect(textOf(after.html)).toContain("本洽谈室的普通许可已成交，不再接受报价卡");
    const again = await propose(buyerA, mine, { price: "300000", transactionMode: "transfer" });
    expect(again.status).toBe(409);

    // The other buyer's room: no agreement, the card form offered, and a card taken.
    const other = await render(get(roomPath(theirs), buyerB), roomPage, "/rooms/:id");
    expect(other.html).not.toContain('data-testid="cards-closed"');
    expect(other.html).toContain('data-testid="propose-fold"');
    expect(
      (await propose(buyerB, theirs, { price: "50000", transactionMode: "license", licenseExclusivity: "non-exclusive" })).status,
    ).toBe(302);
    expect(await Deal.countDocuments({ listing: id })).toBe(1);
  });
});
