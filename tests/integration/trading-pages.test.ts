import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Offer } from "~/models/offer.server.ts";
import * as achievementDetail from "~/routes/achievements.$id.tsx";
import * as buyPage from "~/routes/achievements.$id_.buy.tsx";
import * as offerPage from "~/routes/achievements.$id_.offer.tsx";
import * as apiBuy from "~/routes/api.v1.achievements.$id.buy.ts";
import * as apiDeal from "~/routes/api.v1.deals.$id.ts";
import * as apiOfferAction from "~/routes/api.v1.offers.$id.$action.ts";
import * as apiOffer from "~/routes/api.v1.offers.$id.ts";
import * as apiOffers from "~/routes/api.v1.offers._index.ts";
import * as dealPage from "~/routes/deals.$id.tsx";
import * as dealsPage from "~/routes/deals._index.tsx";
import * as offersPage from "~/routes/offers._index.tsx";
import * as threadPage from "~/routes/offers.$id.tsx";
import * as myBuyRequests from "~/routes/my.buy-requests.tsx";
import * as apiBuyRequestAction from "~/routes/api.v1.buy-requests.$id.$action.ts";
import * as apiBuyRequest from "~/routes/api.v1.buy-requests.$id.ts";
import * as apiBuyRequests from "~/routes/api.v1.buy-requests._index.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { pageRequests } from "../support/page-requests.ts";
import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";

/**
 * The trading pages through their real loaders and actions, as a browser without JavaScript uses
 * them (signed session cookie, CSRF token, urlencoded posts), and the trading API's resource
 * routes with the session cookie and JSON. Asserted is what the person gets back.
 */

const pages = pageRequests({ orgType: "institute" });
const { person, get, post, postJson, call } = pages;

let seller: SessionUser, buyer: SessionUser, other: SessionUser, outsider: SessionUser, broker: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  other = await person("other@food.cn", ["buyer"], "食品公司");
  outsider = await person("outsider@tea.cn", ["buyer"], "茶业公司");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
});

const content = (over: Partial<AchievementDataInput> = {}): AchievementDataInput =>
  achievementContent({
    title: "三七种子包衣防腐技术",
    summary: "种子包衣减少三七种子腐烂",
    description: "以生防菌与成膜剂包衣三七种子。",
    keywords: ["三七", "种子包衣"],
    trl: 6,
    transactionModes: ["license", "transfer"],
    price: { mode: "fixed", amount: 15_000_000 },
    ...over,
  });

const tradingListing = (over: Partial<AchievementDataInput> = {}) => listingAt(seller, broker, "trading", content(over));

const dealIdFrom = (location: string | null) => /^\/deals\/([0-9a-f]{24})\?done=(bought|accepted)$/.exec(location ?? "")?.[1];

/** The buy page's POST asking the seller to confirm (decision 023): the request's id from where it redirects. */
const requestIdFrom = (location: string | null) => /^\/my\/buy-requests\?done=requested#request-([0-9a-f]{24})$/.exec(location ?? "")?.[1];

/** The seller side confirms the request on /my/buy-requests: the deal's id from where it redirects. */
async function sellerConfirms(requestId: string) {
  const res = await call(myBuyRequests.action, post("/my/buy-requests", seller, { intent: "confirm", requestId }));
  expect(res.status).toBe(302);
  return dealIdFrom(res.headers.get("Location"));
}

interface Reply {
  form?: { status?: string; error?: Record<string, string[] | null>; initialValue?: Record<string, unknown> };
}

describe("buy-now pages", () => {
  it("shows the confirmation page, then the POST asks the seller, who confirms: the deal and its page", async () => {
    const id = await tradingListing();
    const detail = await (await call(achievementDetail.loader, get(`/achievements/${id}`, buyer), { id })).json();
    expect(detail.trading).toMatchObject({ state: "trading", priceMode: "fixed", canBuy: true });

    const page = await call(buyPage.loader, get(`/achievements/${id}/buy`, buyer), { id });
    expect(page.status).toBe(200);
    const data = await page.json();
    expect(data.quote).toMatchObject({
      problem: null,
      listing: { title: "三七种子包衣防腐技术", price: { mode: "fixed", amount: 15_000_000 }, seller: { name: "文山学院" } },
    });
    expect(data.quote.listing.transactionModes).toEqual(["license", "transfer"]);
    // The two ways, with the deposit (10% of ¥150,000) and the seller's time to confirm.
    const chosen = await (await call(buyPage.loader, get(`/achievements/${id}/buy?option=transfer`, buyer), { id })).json();
    expect(chosen.ways).toEqual({ depositPercent: 10, depositFen: 1_500_000, confirmHours: 48 });

    // Without ticking "I agree": 400, the error under the box, nothing stored.
    const unticked = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, buyer, { amount: "150000", transactionMode: "license", licenseExclusivity: "exclusive" }),
      { id },
    );
    expect(unticked.status).toBe(400);
    expect(((await unticked.json()) as Reply).form!.error).toEqual({ agree: ["buyNow.errors.agree"] });
    expect(await Deal.countDocuments({ listing: id })).toBe(0);

    const res = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, buyer, {
        amount: "150000",
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        way: "confirm",
        agree: "on",
      }),
      { id },
    );
    expect(res.status).toBe(302);
    const requestId = requestIdFrom(res.headers.get("Location"));
    expect(requestId).toBeTruthy();
    // Nothing is sold yet: the listing stays on offer while the seller decides.
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
    expect((await Achievement.findById(id).lean())!.status).toBe("trading");
    const mine = await (await call(myBuyRequests.loader, get("/my/buy-requests", buyer))).json();
    expect(mine.mine).toMatchObject([{ id: requestId, status: "pending", way: "confirm" }]);
    const dealId = await sellerConfirms(requestId!);
    expect(dealId).toBeTruthy();

    const deal = await call(dealPage.loader, get(`/deals/${dealId}`, buyer), { id: dealId! });
    expect(deal.status).toBe(200);
    expect((await deal.json()).deal).toMatchObject({
      source: "buy-now",
      price: { amount: 15_000_000 },
      terms: { transactionMode: "license", licenseExclusivity: "exclusive" },
      listing: { id },
    });
    expect((await call(dealPage.loader, get(`/deals/${dealId}`, seller), { id: dealId! })).status).toBe(200);
    const list = await (await call(dealsPage.loader, get("/deals", buyer))).json();
    expect(list.deals.map((d: { id: string }) => d.id)).toContain(dealId);

    // The listing page now says "sold"; the confirmation page says why one cannot buy.
    const after = await (await call(achievementDetail.loader, get(`/achievements/${id}`, other), { id })).json();
    expect(after.trading).toMatchObject({ state: "sold", canBuy: false });
    const late = await (await call(buyPage.loader, get(`/achievements/${id}/buy`, other), { id })).json();
    expect(late.quote.problem).toBe("trading.alreadySold");
    const again = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, other, { amount: "150000", transactionMode: "transfer", agree: "on" }),
      { id },
    );
    expect(again.status).toBe(409);
    expect(((await again.json()) as Reply).form!.error).toEqual({ "": ["trading.alreadySold"] });
  });

  it("keeps the deal page from anyone who is not a party: 404", async () => {
    const id = await tradingListing();
    const res = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, buyer, { amount: "150000", transactionMode: "transfer", way: "confirm", agree: "on" }),
      { id },
    );
    const dealId = (await sellerConfirms(requestIdFrom(res.headers.get("Location"))!))!;
    expect((await call(dealPage.loader, get(`/deals/${dealId}`, outsider), { id: dealId })).status).toBe(404);
    expect((await call(dealPage.loader, get(`/deals/000000000000000000000000`, buyer), { id: "000000000000000000000000" })).status).toBe(
      404,
    );
    const anon = await call(dealPage.loader, get(`/deals/${dealId}`, null), { id: dealId });
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/deals/${dealId}`)}`);
    const outsiderList = await (await call(dealsPage.loader, get("/deals", outsider))).json();
    expect(outsiderList.deals.map((d: { id: string }) => d.id)).not.toContain(dealId);
  });

  it("answers a price changed meanwhile with 409 and shows the new price", async () => {
    const id = await tradingListing();
    // The seller's new price, on every priced option.
    await Achievement.updateOne({ _id: id }, { $set: { "price.amount": 16_000_000, "prices.$[].amount": 16_000_000 } });
    const res = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, buyer, { amount: "150000", transactionMode: "transfer", agree: "on" }),
      { id },
    );
    expect(res.status).toBe(409);
    expect(((await res.json()) as Reply).form!.error).toEqual({ "": ["trading.priceChanged"] });
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
    expect((await (await call(buyPage.loader, get(`/achievements/${id}/buy`, buyer), { id })).json()).quote.listing.price.amount).toBe(
      16_000_000,
    );
  });

  it("refuses a post without the CSRF token, and sends visitors to log in", async () => {
    const id = await tradingListing();
    const forged = await call(
      buyPage.action,
      post(`/achievements/${id}/buy`, buyer, { amount: "150000", transactionMode: "transfer", agree: "on" }, { csrf: false }),
      { id },
    );
    expect(forged.status).toBe(403);
    const anon = await call(buyPage.loader, get(`/achievements/${id}/buy`, null), { id });
    expect(anon.headers.get("Location")).toBe(`/login?redirectTo=${encodeURIComponent(`/achievements/${id}/buy`)}`);
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
  });
});

describe("offer pages", () => {
  it("answers a bad offer with 400, the error next to its field and the input kept", async () => {
    const id = await tradingListing({ price: { mode: "negotiable" } });
    const page = await (await call(offerPage.loader, get(`/achievements/${id}/offer`, buyer), { id })).json();
    expect(page.quote).toMatchObject({ problem: null, listing: { priceMode: "negotiable" } });
    const res = await call(
      offerPage.action,
      post(`/achievements/${id}/offer`, buyer, {
        amount: "12.345",
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        message: "希望分三期付款",
        expiryKind: "days",
        expiresInDays: "45",
      }),
      { id },
    );
    expect(res.status).toBe(400);
    const reply = ((await res.json()) as Reply).form!;
    expect(reply.error).toEqual({ amount: ["offers.errors.amount"], expiresInDays: ["offers.errors.expiresInDays"] });
    expect(reply.initialValue).toMatchObject({
      amount: "12.345",
      message: "希望分三期付款",
      transactionMode: "license",
      expiresInDays: "45",
    });
    expect(await Offer.countDocuments({ listing: id })).toBe(0);

    // A mode the listing does not offer: the service names the field; the form keeps the input.
    const mode = await call(
      offerPage.action,
      post(`/achievements/${id}/offer`, buyer, {
        amount: "90000",
        transactionMode: "equity",
        message: "作价入股",
        expiryKind: "days",
        expiresInDays: "7",
      }),
      { id },
    );
    expect(mode.status).toBe(400);
    const modeReply = ((await mode.json()) as Reply).form!;
    expect(modeReply.error).toMatchObject({ transactionMode: ["trading.modeNotOffered"] });
    expect(modeReply.initialValue).toMatchObject({ amount: "90000", message: "作价入股" });
  });

  it("makes an offer, shows the thread to both sides (404 to others), and accepting opens the deal", async () => {
    const id = await tradingListing({ price: { mode: "negotiable" } });
    const res = await call(
      offerPage.action,
      post(`/achievements/${id}/offer`, buyer, {
        amount: "120000",
        transactionMode: "license",
        licenseExclusivity: "non-exclusive",
        message: "",
        expiryKind: "days",
        expiresInDays: "7",
      }),
      { id },
    );
    expect(res.status).toBe(302);
    const thread = /^\/offers\/([0-9a-f]{24})\?done=made$/.exec(res.headers.get("Location") ?? "")![1]!;

    const mine = await (await call(offersPage.loader, get("/offers", buyer))).json();
    expect(mine.outgoing.map((t: { thread: string }) => t.thread)).toEqual([thread]);
    const theirs = await (await call(offersPage.loader, get("/offers", seller))).json();
    expect(theirs.incoming[0]).toMatchObject({ thread, awaitingMe: true, latest: { amount: 12_000_000, status: "open" } });

    const sellerView = await (await call(threadPage.loader, get(`/offers/${thread}`, seller), { id: thread })).json();
    expect(sellerView.thread).toMatchObject({ side: "seller", actions: { accept: true, reject: true, counter: true, withdraw: false } });
    expect((await call(threadPage.loader, get(`/offers/${thread}`, outsider), { id: thread })).status).toBe(404);

    // The panel on the listing: the buyer sees their offer; the seller sees one waiting.
    const buyerDetail = await (await call(achievementDetail.loader, get(`/achievements/${id}`, buyer), { id })).json();
    expect(buyerDetail.trading).toMatchObject({ canOffer: false, myOpenOffer: { thread, amount: 12_000_000 } });
    const sellerDetail = await (await call(achievementDetail.loader, get(`/achievements/${id}`, seller), { id })).json();
    expect(sellerDetail.trading).toMatchObject({ isOwnerSide: true, incomingOffers: 1 });

    // The seller counters with a bad amount: 400 on the counter form, input kept.
    const badCounter = await call(
      threadPage.action,
      post(`/offers/${thread}`, seller, {
        intent: "counter",
        offerId: thread,
        amount: "",
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        message: "独占另议",
      }),
      { id: thread },
    );
    expect(badCounter.status).toBe(400);
    const badReply = (await badCounter.json()) as Reply & { intent: string };
    expect(badReply.intent).toBe("counter");
    expect(badReply.form!.error).toEqual({ amount: ["offers.errors.amountRequired"] });
    expect(badReply.form!.initialValue).toMatchObject({ message: "独占另议" });

    const counter = await call(
      threadPage.action,
      post(`/offers/${thread}`, seller, {
        intent: "counter",
        offerId: thread,
        amount: "150000",
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        expiryKind: "days",
        expiresInDays: "3",
      }),
      { id: thread },
    );
    expect(counter.headers.get("Location")).toBe(`/offers/${thread}?done=counter`);
    const v2 = (await Offer.findOne({ thread, version: 2 }).lean())!;

    // Accepting the stale first version is refused, with the reason on the page.
    const stale = await call(threadPage.action, post(`/offers/${thread}`, buyer, { intent: "accept", offerId: thread }), { id: thread });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toEqual({ intent: "accept", formError: "offers.errors.status.countered" });

    const accepted = await call(threadPage.action, post(`/offers/${thread}`, buyer, { intent: "accept", offerId: String(v2._id) }), {
      id: thread,
    });
    expect(accepted.status).toBe(302);
    const dealId = dealIdFrom(accepted.headers.get("Location"))!;
    const deal = await (await call(dealPage.loader, get(`/deals/${dealId}`, seller), { id: dealId })).json();
    expect(deal.deal).toMatchObject({
      source: "offer",
      price: { amount: 15_000_000 },
      offerId: String(v2._id),
      terms: { licenseExclusivity: "exclusive" },
    });
    expect((await call(dealPage.loader, get(`/deals/${dealId}`, outsider), { id: dealId })).status).toBe(404);
  });
});

describe("trading API with the session cookie", () => {
  it("asks to buy with JSON: 201 with the pending request, the seller confirms: the deal; then 409 already_sold", async () => {
    const id = await tradingListing();
    const path = `/api/v1/achievements/${id}/buy`;
    const form = await call(apiBuy.action, post(path, buyer, { amount: "150000", transactionMode: "transfer" }), { id });
    expect(form.status).toBe(415);
    const anon = await call(apiBuy.action, postJson(path, null, { amount: 150000, transactionMode: "transfer" }), { id });
    expect(anon.status).toBe(401);
    expect((await anon.json()).error.code).toBe("unauthorized");

    const bad = await call(apiBuy.action, postJson(path, buyer, { amount: "abc", transactionMode: "rent", extra: true }), { id });
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["amount", "extra", "transactionMode"]);

    const res = await call(
      apiBuy.action,
      postJson(path, buyer, { amount: 150000, transactionMode: "license", licenseExclusivity: "exclusive" }),
      { id },
    );
    expect(res.status).toBe(201);
    const asked = await res.json();
    expect(asked.request).toMatchObject({ status: "pending", way: "confirm", amount: 150000, listing: { id }, deal: null, deposit: null });
    expect(res.headers.get("Location")).toBe(`/api/v1/buy-requests/${asked.request.id}`);
    const rid = asked.request.id;
    // Read back by the buyer and the seller side (listed to confirm); a stranger: 404.
    expect((await (await call(apiBuyRequest.loader, get(`/api/v1/buy-requests/${rid}`, buyer), { id: rid })).json()).request.status).toBe(
      "pending",
    );
    expect((await call(apiBuyRequest.loader, get(`/api/v1/buy-requests/${rid}`, outsider), { id: rid })).status).toBe(404);
    const sellerList = await (await call(apiBuyRequests.loader, get("/api/v1/buy-requests", seller))).json();
    expect(sellerList.toConfirm.map((r: { id: string }) => r.id)).toContain(rid);
    // Only the seller side answers it: the buyer and a stranger are told it does not exist.
    for (const who of [buyer, outsider]) {
      const refused = await call(apiBuyRequestAction.action, postJson(`/api/v1/buy-requests/${rid}/confirm`, who, {}), {
        id: rid,
        action: "confirm",
      });
      expect(refused.status).toBe(404);
    }
    const confirmed = await call(apiBuyRequestAction.action, postJson(`/api/v1/buy-requests/${rid}/confirm`, seller, {}), {
      id: rid,
      action: "confirm",
    });
    expect(confirmed.status).toBe(200);
    const body = await confirmed.json();
    expect(body.request).toMatchObject({ status: "opened", deal: body.deal.id });
    expect(body.deal).toMatchObject({ source: "buy-now", price: { amount: 150000, currency: "CNY" }, listing: { id } });
    const read = await call(apiDeal.loader, get(`/api/v1/deals/${body.deal.id}`, buyer), { id: body.deal.id });
    expect((await read.json()).deal.id).toBe(body.deal.id);
    expect((await call(apiDeal.loader, get(`/api/v1/deals/${body.deal.id}`, outsider), { id: body.deal.id })).status).toBe(404);

    const late = await call(apiBuy.action, postJson(path, other, { amount: 150000, transactionMode: "transfer" }), { id });
    expect(late.status).toBe(409);
    const err = (await late.json()).error;
    expect(err.code).toBe("already_sold");
    expect(err.message).toContain("已被他人购买");
    expect(err.message).toContain("Already sold");
  });

  it("makes, reads and answers offers", async () => {
    const id = await tradingListing({ price: { mode: "negotiable" } });
    const made = await call(
      apiOffers.action,
      postJson("/api/v1/offers", buyer, { listingId: id, amount: 88000.5, transactionMode: "transfer", expiresInDays: 3 }),
    );
    expect(made.status).toBe(201);
    const { offer } = await made.json();
    expect(offer).toMatchObject({ amount: 88000.5, version: 1, status: "open", by: "buyer" });

    const thread = await call(apiOffer.loader, get(`/api/v1/offers/${offer.id}`, seller), { id: offer.id });
    expect(await thread.json()).toMatchObject({ side: "seller", status: "open", actions: { accept: true }, current: { amount: 88000.5 } });
    expect((await call(apiOffer.loader, get(`/api/v1/offers/${offer.id}`, outsider), { id: offer.id })).status).toBe(404);

    const list = await (await call(apiOffers.loader, get("/api/v1/offers", buyer))).json();
    expect(list.outgoing.map((t: { thread: string }) => t.thread)).toContain(offer.thread);

    const unknown = await call(apiOfferAction.action, postJson(`/api/v1/offers/${offer.id}/haggle`, seller, {}), {
      id: offer.id,
      action: "haggle",
    });
    expect(unknown.status).toBe(404);
    const reject = await call(apiOfferAction.action, postJson(`/api/v1/offers/${offer.id}/reject`, seller, { reason: "低于预期" }), {
      id: offer.id,
      action: "reject",
    });
    expect(reject.status).toBe(200);
    expect((await reject.json()).offer).toMatchObject({ status: "rejected", reason: "低于预期" });
    const again = await call(apiOfferAction.action, postJson(`/api/v1/offers/${offer.id}/accept`, seller, {}), {
      id: offer.id,
      action: "accept",
    });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("offer_not_open");
  });
});
