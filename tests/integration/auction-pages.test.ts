import { beforeAll, describe, expect, it } from "vitest";
import * as newAuctionPage from "~/routes/achievements.$id_.auction.new.tsx";
import { Auction } from "~/models/auction.server.ts";
import * as auctionPage from "~/routes/auctions.$id.tsx";
import * as auctionsPage from "~/routes/auctions._index.tsx";
import * as depositReturn from "~/routes/auctions.$id_.deposit.tsx";
import * as bidsApi from "~/routes/api.v1.auctions.$id.bids.ts";
import * as registrationApi from "~/routes/api.v1.auctions.$id.registration.ts";
import type { ActionFailure, ActionSuccess } from "~/schemas/action-result.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { pageRequests } from "../support/page-requests.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";

/**
 * The auction pages through their real loaders and actions, as a browser without JavaScript uses
 * them: every form answers in the one action-result shape (app/web/actions.server.ts), refusals
 * name their field or the form with the domain's status, and the deposit goes through the local
 * Stripe-compatible server's payment page. The auction API's refusals keep their codes.
 */

const pages = pageRequests({ orgType: "institute" });
const { person, get, post, postJson, call } = pages;
let seller: SessionUser, broker: SessionUser, buyer: SessionUser, rival: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@pages-auction.cn", ["seller"], "西畴县农业科学研究所");
  broker = await person("broker@pages-auction.cn", ["broker"], "文山州技术转移中心");
  buyer = await person("buyer@pages-auction.cn", ["buyer"], "兴街镇合作社");
  rival = await person("rival@pages-auction.cn", ["buyer"], "另一家合作社");
});

/** Beijing time as a datetime-local value. */
const chinaLocal = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16);

const createFields = (over: Record<string, string> = {}) => ({
  startPrice: "100000",
  reservePrice: "",
  incrementKind: "fixed",
  increment: "1000",
  deposit: "1000",
  startNow: "on",
  endsAt: chinaLocal(new Date(Date.now() + 3 * 86_400_000)),
  antiSnipeWindowMinutes: "5",
  antiSnipeCapMinutes: "30",
  transactionMode: "transfer",
  ...over,
});

async function newAuction(): Promise<string> {
  const listing = await tradingAchievement(seller, broker, { title: `三七连作障碍修复技术 ${Date.now()}` });
  const res = await call(newAuctionPage.action, post(`/achievements/${listing}/auction/new`, seller, createFields()), { id: listing });
  expect(res.status).toBe(302);
  return /^\/auctions\/([0-9a-f]{24})\?created=1$/.exec(res.headers.get("Location") ?? "")![1]!;
}

async function registerAndPay(user: SessionUser, id: string) {
  const res = await call(auctionPage.action, post(`/auctions/${id}`, user, { intent: "register", acceptAgreement: "on" }), { id });
  expect(res.status).toBe(302);
  const payUrl = res.headers.get("Location")!;
  expect(payUrl).toMatch(/\/pay\/cs_test_/);
  const paid = await payCheckout(payUrl);
  expect(paid.status).toBe(303);
  const back = new URL(paid.location!);
  const ret = await call(depositReturn.loader, get(back.pathname + back.search, user), { id });
  expect(ret.headers.get("Location")).toBe(`/auctions/${id}?deposit=held`);
}

describe("the auction form", () => {
  it("refuses bad settings field by field (400) keeping what was typed, refuses a non-seller before reading the form (403), creates for the seller", async () => {
    const listing = await tradingAchievement(seller, broker, { title: `三七种苗繁育技术 ${Date.now()}` });
    const bad = await call(newAuctionPage.action, post(`/achievements/${listing}/auction/new`, seller, createFields({ deposit: "abc" })), {
      id: listing,
    });
    expect(bad.status).toBe(400);
    const failure = (await bad.json()) as ActionFailure;
    expect(failure).toMatchObject({ ok: false, intent: "create", target: null });
    expect(failure.reply.error).toEqual({ deposit: ["auction.errors.amountNumber"] });
    expect(failure.reply.initialValue).toMatchObject({ startPrice: "100000", deposit: "abc" });

    const asBuyer = await call(newAuctionPage.action, post(`/achievements/${listing}/auction/new`, buyer, createFields()), { id: listing });
    expect(asBuyer.status).toBe(403);
    expect(((await asBuyer.json()) as ActionFailure).reply.error).toEqual({ "": ["auction.errors.notSeller"] });

    const ok = await call(newAuctionPage.action, post(`/achievements/${listing}/auction/new`, seller, createFields()), { id: listing });
    expect(ok.headers.get("Location")).toMatch(/^\/auctions\/[0-9a-f]{24}\?created=1$/);
    // A second one while the first runs: refused on the form (the page's own check).
    const again = await call(newAuctionPage.action, post(`/achievements/${listing}/auction/new`, seller, createFields()), { id: listing });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ActionFailure).reply.error).toEqual({ "": ["auction.errors.alreadyRunning"] });
  });

  it("is a 404 for a listing that does not exist", async () => {
    const res = await call(newAuctionPage.loader, get("/achievements/0123456789abcdef01234567/auction/new", seller), {
      id: "0123456789abcdef01234567",
    });
    expect(res.status).toBe(404);
  });
});

describe("the auction page", () => {
  it("registers and pays, then bids: a low bid is refused on the amount with the minimum, an accepted one answers in place", async () => {
    const id = await newAuction();
    // Registering without the agreement: 400 on the agreement box.
    const unticked = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "register" }), { id });
    expect(unticked.status).toBe(400);
    expect(((await unticked.json()) as ActionFailure).reply.error).toEqual({ acceptAgreement: ["auction.errors.agreementRequired"] });
    // Bidding before registering: 403, on the form.
    const early = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "bid", amount: "100000" }), { id });
    expect(early.status).toBe(403);
    expect(((await early.json()) as ActionFailure).reply.error).toEqual({ "": ["auction.errors.notRegistered"] });

    await registerAndPay(buyer, id);
    const low = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "bid", amount: "99999" }), { id });
    expect(low.status).toBe(409);
    const refusal = (await low.json()) as ActionFailure;
    expect(refusal).toMatchObject({
      intent: "bid",
      reply: { error: { amount: ["auction.errors.bidTooLow"] }, initialValue: { amount: "99999" } },
    });
    expect(refusal.params).toMatchObject({ minimumFen: 100_000_00 });
    expect(String(refusal.params!.minimum)).toContain("100,000");

    const badAmount = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "bid", amount: "abc" }), { id });
    expect(badAmount.status).toBe(400);
    expect(((await badAmount.json()) as ActionFailure).reply.error).toEqual({ amount: ["auction.errors.amountNumber"] });

    const ok = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "bid", amount: "100000" }), { id });
    expect(ok.status).toBe(200);
    expect((await ok.json()) as ActionSuccess).toEqual({
      ok: true,
      intent: "bid",
      target: null,
      data: { seq: 1, amount: 100_000_00, extended: false },
    });

    const view = await (await call(auctionPage.loader, get(`/auctions/${id}`, buyer), { id })).json();
    expect(view.auction).toMatchObject({ currentPrice: 100_000_00, viewer: { canBid: true, registration: { number: 1 } } });

    // An intent the page does not have: 400 in the one shape; without the CSRF token: 403.
    const unknown = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "withdraw" }), { id });
    expect(unknown.status).toBe(400);
    const forged = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "bid", amount: "200000" }, { csrf: false }), {
      id,
    });
    expect(forged.status).toBe(403);
  });

  it("asks to confirm a bid far above the minimum: refused with the question, placed on the second submit with the box ticked", async () => {
    const id = await newAuction(); // minimum ¥100,000
    await registerAndPay(rival, id);
    // More than twice the minimum (a digit too many): refused on the amount, nothing placed, what was typed kept.
    const big = await call(auctionPage.action, post(`/auctions/${id}`, rival, { intent: "bid", amount: "1000000" }), { id });
    expect(big.status).toBe(409);
    const asked = (await big.json()) as ActionFailure;
    expect(asked).toMatchObject({
      intent: "bid",
      reply: { error: { amount: ["auction.errors.confirmLargeBid"] }, initialValue: { amount: "1000000" } },
    });
    expect(asked.params).toMatchObject({ minimumFen: 100_000_00 });
    expect(String(asked.params!.amount)).toContain("1,000,000");
    // ¥100,000 over the minimum is asked too; up to that it is an ordinary bid.
    const over = await call(auctionPage.action, post(`/auctions/${id}`, rival, { intent: "bid", amount: "200001" }), { id });
    expect(over.status).toBe(409);
    let view = await (await call(auctionPage.loader, get(`/auctions/${id}`, rival), { id })).json();
    expect(view.auction).toMatchObject({ bidCount: 0, currentPrice: null });

    // Confirmed: placed.
    const confirmed = await call(
      auctionPage.action,
      post(`/auctions/${id}`, rival, { intent: "bid", amount: "1000000", confirmLarge: "on" }),
      { id },
    );
    expect(confirmed.status).toBe(200);
    expect(((await confirmed.json()) as ActionSuccess).data).toMatchObject({ seq: 1, amount: 1_000_000_00 });
    // An ordinary bid (the minimum) needs no confirmation.
    await registerAndPay(buyer, id);
    const ordinary = await call(auctionPage.action, post(`/auctions/${id}`, buyer, { intent: "bid", amount: "1010000" }), { id });
    expect(ordinary.status).toBe(200);
    view = await (await call(auctionPage.loader, get(`/auctions/${id}`, rival), { id })).json();
    expect(view.auction).toMatchObject({ bidCount: 2, currentPrice: 1_010_000_00 });
  });

  it("is a 404 for an auction that does not exist, for the page and the deposit return", async () => {
    expect((await call(auctionPage.loader, get("/auctions/nope", buyer), { id: "nope" })).status).toBe(404);
    expect((await call(depositReturn.loader, get("/auctions/nope/deposit", buyer), { id: "nope" })).status).toBe(404);
  });

  it("sends someone who is not registered back to the auction from the deposit return", async () => {
    const id = await newAuction();
    const res = await call(depositReturn.loader, get(`/auctions/${id}/deposit?session_id=cs_test_x`, rival), { id });
    expect(res.headers.get("Location")).toBe(`/auctions/${id}`);
  });
});

describe("the auction list", () => {
  it("lists running and upcoming auctions; ended ones only apart, under 已结束", async () => {
    const running = await newAuction();
    const ended = await newAuction();
    const closed = await newAuction();
    const past = new Date(Date.now() - 60_000);
    await Auction.updateOne({ _id: ended }, { $set: { currentEndsAt: past } }); // ended, not yet closed by the job
    await Auction.updateOne({ _id: closed }, { $set: { currentEndsAt: past, status: "closed" } });
    const data = (await (await call(auctionsPage.loader, get("/auctions", buyer), {})).json()) as {
      auctions: { id: string; phase: string }[];
      ended: { id: string; phase: string }[];
    };
    const ids = data.auctions.map((a) => a.id);
    expect(ids).toContain(running);
    expect(ids).not.toContain(ended);
    expect(ids).not.toContain(closed);
    expect(data.auctions.every((a) => a.phase === "live" || a.phase === "scheduled")).toBe(true);
    expect(data.ended.map((a) => a.id)).toEqual(expect.arrayContaining([ended, closed]));
    expect(data.ended.every((a) => a.phase === "ended" || a.phase === "closed")).toBe(true);
  });
});

describe("the auction API's refusals", () => {
  it("keep their code, field and minimum; a registration someone does not have is a 404", async () => {
    const id = await newAuction();
    await registerAndPay(buyer, id);
    const low = await call(bidsApi.action, postJson(`/api/v1/auctions/${id}/bids`, buyer, { amount: 1 }), { id });
    expect(low.status).toBe(409);
    const body = await low.json();
    expect(body.error).toMatchObject({ status: 409, code: "bid_too_low", minimumBid: 100000 });
    expect(Object.keys(body.error.fields)).toEqual(["amount"]);
    expect(body.error.message).toContain("¥100,000");

    const notRegistered = await call(bidsApi.action, postJson(`/api/v1/auctions/${id}/bids`, rival, { amount: 200000 }), { id });
    expect(notRegistered.status).toBe(403);
    expect((await notRegistered.json()).error.code).toBe("not_registered");

    expect((await call(registrationApi.loader, get(`/api/v1/auctions/${id}/registration`, rival), { id })).status).toBe(404);
    const mine = await call(registrationApi.loader, get(`/api/v1/auctions/${id}/registration`, buyer), { id });
    expect(await mine.json()).toMatchObject({ bidderNumber: 1, deposit: { status: "held", amount: 1000 } });
  });
});
