import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { BuyRequest } from "~/models/buy-request.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import * as myBuyRequests from "~/routes/my.buy-requests.tsx";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { accountBalance, reconciliation } from "~/services/ledger/queries.server.ts";
import { paymentGateway, resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import { applyGatewayEvent } from "~/services/payments/webhooks.server.ts";
import { confirmBuyRequest, declineBuyRequest, requestBuyNow } from "~/services/trading/buy-requests/commands.server.ts";
import { settleBuyRequest } from "~/services/trading/buy-requests/deposits.server.ts";
import { expireBuyRequests } from "~/services/trading/buy-requests/expiry.server.ts";
import { ConflictError, NotFoundError } from "~/utils/errors.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { achievementContent, listingAt } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * Buy-now secured by a deposit or the seller's confirmation (issue 14, point 8; decision 023),
 * against the real replica set and, for deposits, through the real `stripe` SDK against the shared
 * local Stripe-compatible server: a request never takes the listing off the market; the deal opens
 * when the deposit is captured (counted on the deal, posted in the ledger) or the seller side
 * confirms; the first deal wins and the other requests are closed, their deposits returned.
 */
let webhooks: StripeWebhookListener;
const pages = pageRequests({ orgType: "institute" });
const { person, get, post, call } = pages;

let seller: SessionUser, colleague: SessionUser, broker: SessionUser, admin: SessionUser, stranger: SessionUser;
const buyers: SessionUser[] = [];

beforeAll(async () => {
  await pages.init();
  ({ webhooks } = await connectLocalStripe());
  seller = await person("seller@sanqi.cn", ["seller"], "文山三七研究院");
  colleague = await person("colleague@sanqi.cn", ["seller"], "文山三七研究院");
  broker = await person("broker@agency.cn", ["broker"], "文山州技术转移中心");
  admin = await person("admin@platform.cn", ["admin"], null);
  stranger = await person("stranger@tea.cn", ["seller", "buyer"], "茶业公司");
  for (let i = 1; i <= 3; i++) buyers.push(await person(`buyer${i}@coop${i}.cn`, ["buyer"], `兴街镇合作社${i}`));
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

const PRICE = 123_456_78; // ¥123,456.78: 10% is 1,234,567.8 fen → 1,234,568 (half-up)
const content = (over: Partial<AchievementDataInput> = {}): AchievementDataInput =>
  achievementContent({
    title: "三七根腐病生物防治菌剂",
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: PRICE },
    ...over,
  });
const tradingListing = () => listingAt(seller, broker, "trading", content());
const buy = { expectedAmountFen: PRICE, transactionMode: "transfer" as const };
const urls = {
  successUrl: "http://127.0.0.1:9/my/buy-requests?request={REQUEST_ID}&session_id={CHECKOUT_SESSION_ID}",
  cancelUrl: "http://127.0.0.1:9/my/buy-requests?request={REQUEST_ID}",
};
const status = async (id: string) => (await Achievement.findById(id, { status: 1 }).lean())!.status;
const request = async (id: string) => (await BuyRequest.findById(id).lean())!;

/** The buyer comes back from the payment page: /my/buy-requests?request=… asks where the deposit stands. */
async function comesBack(who: SessionUser, requestId: string) {
  const res = await call(myBuyRequests.loader, get(`/my/buy-requests?request=${requestId}&session_id=cs_x`, who));
  expect(res.status).toBe(200);
  return (await res.json()) as { mine: { id: string; status: string; dealId: string | null; deposit: { status: string } }[] };
}

/** The cash the ledger has for a payment equals what its record says was taken, for every payment. */
async function booksAgree() {
  const r = await reconciliation(admin);
  expect(r.cashDifferences).toEqual([]);
  expect(r.unbalancedDeals).toEqual([]);
}

describe("buy-now with a deposit", () => {
  it("holds the deposit on the payment page, captures it, opens the deal with it, and books it", async () => {
    const id = await tradingListing();
    const buyer = buyers[0]!;
    const { requestId, redirectUrl } = await requestBuyNow(buyer, id, { ...buy, way: "deposit" }, { urls });
    expect(redirectUrl).toMatch(/\/pay\/cs_test_/);
    // Asked, not sold: the listing stays on offer.
    expect(await status(id)).toBe("trading");
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
    expect(await request(requestId)).toMatchObject({
      status: "pending",
      way: "deposit",
      deposit: { status: "pending", amount: 1_234_568 },
    });
    const payment = (await Payment.findById((await request(requestId)).deposit!.payment).lean())!;
    expect(payment).toMatchObject({ purpose: "buy-now-deposit", kind: "hold", amount: 1_234_568, subject: { kind: "buy-request" } });

    const paid = await payCheckout(redirectUrl!);
    expect(paid.status).toBe(303);
    expect(paid.location).toContain(`request=${requestId}`);
    const page = await comesBack(buyer, requestId);
    const mine = page.mine.find((r) => r.id === requestId)!;
    expect(mine).toMatchObject({ status: "opened", deposit: { status: "captured" } });

    const deal = (await Deal.findById(mine.dealId).lean())!;
    expect(deal).toMatchObject({ source: "buy-now", status: "open", terms: { price: PRICE }, deposit: { amount: 1_234_568 } });
    expect(String(deal.deposit!.payment)).toBe(String(payment._id));
    expect(String(deal.buyer.user)).toBe(buyer.id);
    expect(await status(id)).toBe("deal");
    expect((await Payment.findById(payment._id).lean())!.status).toBe("captured");
    // The books: the platform holds the buyer's deposit (Dr cash Stripe / Cr deposits held).
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(1_234_568);
    await booksAgree();
    // Coming back again (or the webhook after the page) changes nothing.
    await comesBack(buyer, requestId);
    expect(await Deal.countDocuments({ listing: id })).toBe(1);
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(1_234_568);
  });

  it("opens the deal from the webhook alone (the buyer never comes back), once, however often it is delivered", async () => {
    const id = await tradingListing();
    const buyer = buyers[2]!;
    const { requestId, redirectUrl } = await requestBuyNow(buyer, id, { ...buy, way: "deposit" }, { urls });
    expect((await payCheckout(redirectUrl!)).status).toBe(303);
    const paymentId = String((await request(requestId)).deposit!.payment);
    const checkoutRef = (await Payment.findById(paymentId).lean())!.checkoutRef!;
    let delivery;
    for (let i = 0; i < 100 && !delivery; i++) {
      delivery = webhooks.deliveries.find((d) => d.type === "checkout.session.completed" && d.objectId === checkoutRef);
      if (!delivery) await new Promise((r) => setTimeout(r, 50));
    }
    // What POST /webhooks/stripe does with it, twice at the same moment.
    const event = paymentGateway().parseWebhook(delivery!.body, delivery!.signature);
    expect((await Promise.all([applyGatewayEvent(event), applyGatewayEvent(event)])).sort()).toEqual(["applied", "duplicate"]);
    // The handler carries the request on after the commit: captured, the deal opened.
    for (let i = 0; i < 100 && (await request(requestId)).status === "pending"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await request(requestId)).toMatchObject({ status: "opened", deposit: { status: "captured" } });
    expect(await Deal.countDocuments({ listing: id })).toBe(1);
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(1_234_568);
    // The late return page changes nothing.
    await comesBack(buyer, requestId);
    expect(await Deal.countDocuments({ listing: id })).toBe(1);
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(1_234_568);
    await booksAgree();
  });

  it("two buyers pay at once: the first deal wins, the other is closed, told, and has the deposit back", async () => {
    const id = await tradingListing();
    const [a, b] = [buyers[1]!, buyers[2]!];
    const before = new Map([
      [a.id, await accountBalance("depositsHeld", { party: a.id })],
      [b.id, await accountBalance("depositsHeld", { party: b.id })],
    ]);
    const ra = await requestBuyNow(a, id, { ...buy, way: "deposit" }, { urls });
    const rb = await requestBuyNow(b, id, { ...buy, way: "deposit" }, { urls });
    expect((await payCheckout(ra.redirectUrl!)).status).toBe(303);
    expect((await payCheckout(rb.redirectUrl!)).status).toBe(303);
    await Promise.all([comesBack(a, ra.requestId), comesBack(b, rb.requestId)]);
    // Whatever the order, the money of the one left out goes back (the job's retry makes sure of it).
    await settleBuyRequest(ra.requestId);
    await settleBuyRequest(rb.requestId);

    expect(await Deal.countDocuments({ listing: id })).toBe(1);
    const [qa, qb] = [await request(ra.requestId), await request(rb.requestId)];
    const [won, lost] = qa.status === "opened" ? [qa, qb] : [qb, qa];
    const loser = won === qa ? b : a;
    expect(won.status).toBe("opened");
    expect(lost).toMatchObject({ status: "closed", closedReason: "buyRequests.reasons.sold" });
    expect(["released", "refunded"]).toContain(lost.deposit!.status);
    const lostPayment = (await Payment.findById(lost.deposit!.payment).lean())!;
    expect(["released", "refunded"]).toContain(lostPayment.status);
    // Nothing of the loser's stays with the platform.
    expect(await accountBalance("depositsHeld", { party: loser.id })).toBe(before.get(loser.id));
    expect(await Notification.countDocuments({ user: loser.id, type: "buyRequest.closed", "subject.id": id })).toBe(1);
    await booksAgree();
  });

  it("expires a deposit never paid: its page is closed, the listing stayed on offer", async () => {
    const id = await tradingListing();
    const buyer = buyers[0]!;
    const now = new Date();
    const { requestId, redirectUrl } = await requestBuyNow(buyer, id, { ...buy, way: "deposit" }, { urls, now });
    await expireBuyRequests(new Date(now.getTime() + 49 * 3_600_000));
    expect(await request(requestId)).toMatchObject({ status: "expired", closedReason: "buyRequests.reasons.expired" });
    expect(await status(id)).toBe("trading");
    // The page closes (released after the commit): paying it now takes nothing.
    for (let i = 0; i < 50 && (await Payment.findById((await request(requestId)).deposit!.payment).lean())!.status === "pending"; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await Payment.findById((await request(requestId)).deposit!.payment).lean())!.status).toBe("failed");
    expect((await payCheckout(redirectUrl!)).status).not.toBe(303);
    await booksAgree();
  });
});

describe("buy-now with the seller's confirmation", () => {
  it("waits for the seller side, who sees it and confirms: the deal opens, the other requests are closed", async () => {
    const id = await tradingListing();
    const r1 = await requestBuyNow(buyers[0]!, id, { ...buy, way: "confirm" });
    const r2 = await requestBuyNow(buyers[1]!, id, { ...buy, way: "confirm" });
    expect(r1.redirectUrl).toBeNull();
    expect(await status(id)).toBe("trading");
    // Both sellers of the institute are told; a second request by the same buyer is the same one.
    expect(
      await Notification.countDocuments({ type: "buyRequest.received", "subject.id": id, user: { $in: [seller.id, colleague.id] } }),
    ).toBe(4);
    expect((await requestBuyNow(buyers[0]!, id, { ...buy, way: "confirm" })).requestId).toBe(r1.requestId);

    const page = await (await call(myBuyRequests.loader, get("/my/buy-requests", colleague))).json();
    expect(page.toConfirm.map((r: { id: string }) => r.id).sort()).toEqual([r1.requestId, r2.requestId].sort());
    // A colleague of the selling institute confirms the second buyer (pages, without JavaScript).
    const res = await call(myBuyRequests.action, post("/my/buy-requests", colleague, { intent: "confirm", requestId: r2.requestId }));
    expect(res.status).toBe(302);
    const dealId = /^\/deals\/([0-9a-f]{24})\?done=bought$/.exec(res.headers.get("Location") ?? "")?.[1];
    expect(String((await Deal.findById(dealId).lean())!.buyer.user)).toBe(buyers[1]!.id);
    expect(await status(id)).toBe("deal");
    expect(await request(r1.requestId)).toMatchObject({ status: "closed", closedReason: "buyRequests.reasons.sold" });
    expect(await Notification.countDocuments({ user: buyers[0]!.id, type: "buyRequest.closed", "subject.id": id })).toBe(1);
    // Confirming the closed one now: already sold.
    await expect(confirmBuyRequest(seller, r1.requestId)).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "trading.alreadySold",
    );
    const buyerPage = await (await call(myBuyRequests.loader, get("/my/buy-requests", buyers[0]!))).json();
    expect(buyerPage.mine.find((r: { id: string }) => r.id === r1.requestId)).toMatchObject({ status: "closed" });
  });

  it("lets the seller side decline, with a note the buyer reads; the listing never left the market", async () => {
    const id = await tradingListing();
    const { requestId } = await requestBuyNow(buyers[2]!, id, { ...buy, way: "confirm" });
    await declineBuyRequest(seller, requestId, "价格另议");
    expect(await request(requestId)).toMatchObject({ status: "declined", note: "价格另议" });
    expect(await status(id)).toBe("trading");
    const told = await Notification.findOne({ user: buyers[2]!.id, type: "buyRequest.declined", "subject.id": id }).lean();
    expect(told!.params).toMatchObject({ note: "价格另议" });
    await expect(confirmBuyRequest(seller, requestId)).rejects.toBeInstanceOf(ConflictError);
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
  });

  it("only the seller side answers: the buyer, a stranger and a broker are told it does not exist", async () => {
    const id = await tradingListing();
    const { requestId } = await requestBuyNow(buyers[0]!, id, { ...buy, way: "confirm" });
    for (const who of [buyers[0]!, stranger, broker]) {
      await expect(confirmBuyRequest(who, requestId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(declineBuyRequest(who, requestId, null)).rejects.toBeInstanceOf(NotFoundError);
    }
    const page = await call(myBuyRequests.action, post("/my/buy-requests", stranger, { intent: "confirm", requestId }));
    expect(page.status).toBe(404);
    expect(await request(requestId)).toMatchObject({ status: "pending" });
    expect((await (await call(myBuyRequests.loader, get("/my/buy-requests", stranger))).json()).toConfirm).toEqual([]);
  });

  it("expires unanswered after the set hours by the job: nothing was frozen, the buyer is told", async () => {
    const id = await tradingListing();
    const now = new Date();
    const { requestId } = await requestBuyNow(buyers[1]!, id, { ...buy, way: "confirm" }, { now });
    // Still within the 48 hours: the job leaves it.
    await expireBuyRequests(new Date(now.getTime() + 47 * 3_600_000));
    expect((await request(requestId)).status).toBe("pending");
    await expireBuyRequests(new Date(now.getTime() + 48 * 3_600_000 + 1));
    expect(await request(requestId)).toMatchObject({ status: "expired" });
    expect(await status(id)).toBe("trading");
    expect(await Notification.countDocuments({ user: buyers[1]!.id, type: "buyRequest.expired", "subject.id": id })).toBe(1);
    await expect(confirmBuyRequest(seller, requestId)).rejects.toBeInstanceOf(ConflictError);
    // The listing is still for sale: another buyer can ask and be confirmed.
    const next = await requestBuyNow(buyers[2]!, id, { ...buy, way: "confirm" });
    expect(await confirmBuyRequest(seller, next.requestId)).toMatch(/^[0-9a-f]{24}$/);
  });
});
