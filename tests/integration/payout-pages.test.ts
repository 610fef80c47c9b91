import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Payout } from "~/models/payout.server.ts";
import { User } from "~/models/user.server.ts";
import * as accountPayouts from "~/routes/account_.payouts.tsx";
import * as adminPayouts from "~/routes/admin.payouts.tsx";
import * as adminSettings from "~/routes/admin.settings.tsx";
import * as dealPage from "~/routes/deals.$id.tsx";
import { ConnectedAccount } from "~/models/connected-account.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { payByTransfer } from "~/services/settlement/payouts.server.ts";
import * as apiOnboarding from "~/routes/api.v1.account.payouts.onboarding-link.ts";
import * as apiCommission from "~/routes/api.v1.deals.$id.commission.ts";
import * as apiDealPayouts from "~/routes/api.v1.deals.$id.payouts.ts";
import * as apiPayoutAction from "~/routes/api.v1.payouts.$id.$action.ts";
import { bpsToPercent, percentToBps } from "~/schemas/settings.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { dealBooks } from "~/services/ledger/queries.server.ts";
import { resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import "~/services/payment-purposes.server.ts";
import { readSettings } from "~/services/settings/settings.server.ts";
import { pdfBytes } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { pageRequests } from "../support/page-requests.ts";
import { openDealFixture, paidStage } from "../support/paid-stage.ts";
import { renderPage } from "../support/render-page.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * Issue 14, points 4 and 6 through the pages: the settlement settings on /admin/settings,
 * /admin/payouts (a bank payout recorded with its slip; non-admins refused), and /account/payouts
 * (an org admin onboards through the account link and sees the state; a plain member cannot).
 */
const pages = pageRequests();
const { get, post, call } = pages;
let admin: SessionUser, seller: SessionUser, member: SessionUser, buyer: SessionUser, broker: SessionUser;
let webhooks: StripeWebhookListener;

beforeAll(async () => {
  await pages.init();
  await initLedger();
  const connected = await connectLocalStripe();
  webhooks = connected.webhooks;
  const stripe = connected.stripe;
  // The platform's balance at the local server, so transfers have money to send.
  const funding = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: 1_000_000_00, product_data: { name: "平台余额" } } }],
    success_url: "http://127.0.0.1:9/ok",
    cancel_url: "http://127.0.0.1:9/no",
  });
  expect((await payCheckout(funding.url!)).status).toBe(303);
  admin = await pages.person("admin@chengguo.cn", ["admin"], null);
  seller = await pages.person("seller@wsu.cn", ["seller"], "文山学院");
  member = await pages.person("member@wsu.cn", ["seller"], "文山学院");
  await User.updateOne({ _id: seller.id }, { $set: { orgRole: "admin" } });
  await User.updateOne({ _id: member.id }, { $set: { orgRole: "member" } });
  buyer = await pages.person("buyer@coop.cn", ["buyer"], "兴街镇合作社");
  broker = await pages.person("broker@agency.cn", ["broker"], "服务中心");
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

const json = async <T>(res: Response) => (await res.json()) as T;
type Refusal = { reply: { error: Record<string, string[]> } };

describe("settlement settings", () => {
  it("percent with two decimals ↔ basis points, exactly", () => {
    expect(percentToBps("2.75")).toBe(275);
    expect(percentToBps("3")).toBe(300);
    expect(percentToBps("0.5")).toBe(50);
    expect(percentToBps("1.234")).toBeNull();
    expect(percentToBps("-1")).toBeNull();
    expect(bpsToPercent(275)).toBe("2.75");
    expect(bpsToPercent(250)).toBe("2.5");
    expect(bpsToPercent(300)).toBe("3");
  });

  it("an admin edits deadline, commission, fee, buy-now deposit and hours and the bank account; stored as bps, audited; bad input names the field", async () => {
    const base = { noticeDays: "15", publicAgreementNoticeDays: "15", noticeTextZh: "公示说明", noticeTextEn: "" };
    const bad = await call(
      adminSettings.action,
      post("/admin/settings", admin, {
        ...base,
        signingDeadlineDays: "0",
        commissionPercent: "3.333",
        platformFeePercent: "60",
        buyNowDepositPercent: "0",
        buyNowConfirmHours: "x",
        bankName: "",
        bankBank: "农行",
        bankNumber: "abc",
      }),
    );
    expect(bad.status).toBe(400);
    expect((await json<Refusal>(bad)).reply.error).toMatchObject({
      signingDeadlineDays: ["settlementSettings.errors.days"],
      commissionPercent: ["settlementSettings.errors.percent"],
      platformFeePercent: ["settlementSettings.errors.percent"],
      buyNowDepositPercent: ["settlementSettings.errors.wholePercent"],
      buyNowConfirmHours: ["settlementSettings.errors.hours"],
      bankName: ["settlementSettings.errors.account"],
      bankNumber: ["settlementSettings.errors.accountNumber"],
    });
    const ok = await call(
      adminSettings.action,
      post("/admin/settings", admin, {
        ...base,
        signingDeadlineDays: "14",
        commissionPercent: "2.75",
        platformFeePercent: "0.5",
        buyNowDepositPercent: "20",
        buyNowConfirmHours: "72",
        bankName: "西畴县科技成果转化服务平台",
        bankBank: "中国农业银行西畴支行",
        bankNumber: "6228 4800 1234 5678 901",
      }),
    );
    expect(ok.status).toBe(302);
    const s = await readSettings();
    expect(s).toMatchObject({
      signingDeadlineDays: 14,
      commissionBps: 275,
      platformFeeBps: 50,
      buyNowDepositPercent: 20,
      buyNowConfirmHours: 72,
      bankAccount: { name: "西畴县科技成果转化服务平台", bank: "中国农业银行西畴支行", number: "6228 4800 1234 5678 901" },
    });
    const entry = await AuditEvent.findOne({ subjectType: "settings", action: "settingsChanged" }).sort({ at: -1 }).lean();
    expect(entry!.reason).toContain("commissionBps 300 → 275");
    expect(entry!.reason).toContain("bankAccount.number");
    // The form shows them back as percent.
    const page = await json<{ settings: { commissionBps: number } }>(await call(adminSettings.loader, get("/admin/settings", admin)));
    expect(bpsToPercent(page.settings.commissionBps)).toBe("2.75");

    // A deal paid now takes the new rates: 2.75% commission, 0.5% fee.
    const deal = await openDealFixture({ seller, buyer, broker });
    await paidStage(deal, 10_000_00);
    expect((await Payout.find({ deal }).sort({ to: -1 }).lean()).map((p) => p.amount)).toEqual([10_000_00 - 275_00 - 50_00, 275_00]);
  });
});

describe("/admin/payouts", () => {
  it("lists owed payouts with the payee's account state; an admin records a bank payout with its slip; others are refused", async () => {
    const deal = await openDealFixture({ seller, buyer, broker, commissionBps: 300, feeBps: 0 });
    await paidStage(deal, 40_000_00);
    const payout = (await Payout.findOne({ deal, to: "seller" }).lean())!;
    for (const who of [seller, broker, buyer]) {
      expect((await call(adminPayouts.loader, get("/admin/payouts", who))).status).toBe(403);
    }
    const list = await json<{ open: { id: string; account: string; status: string }[] }>(
      await call(adminPayouts.loader, get("/admin/payouts", admin)),
    );
    expect(list.open.find((p) => p.id === String(payout._id))).toMatchObject({ status: "owed", account: "none" });

    const missing = await call(
      adminPayouts.action,
      pages.upload("/admin/payouts", admin, null, { intent: "bank", payoutId: String(payout._id), bankRef: "", paidAt: "2026-12-04" }),
    );
    expect(missing.status).toBe(400);
    expect((await json<Refusal>(missing)).reply.error).toMatchObject({ bankRef: ["errors.required"], proof: ["errors.required"] });

    const res = await call(
      adminPayouts.action,
      pages.upload(
        "/admin/payouts",
        admin,
        { name: "回单.pdf", bytes: pdfBytes("slip") },
        { intent: "bank", payoutId: String(payout._id), bankRef: "ABC-1204", paidAt: "2026-12-04" },
      ),
    );
    // The upload helper names its file field "file"; the page's is "proof".
    expect(res.status).toBe(400);
    expect((await json<Refusal>(res)).reply.error).toMatchObject({ proof: ["errors.required"] });

    const form = new FormData();
    form.set("csrf", pages.csrf.token);
    form.set("intent", "bank");
    form.set("payoutId", String(payout._id));
    form.set("bankRef", "ABC-1204");
    form.set("paidAt", "2026-12-04");
    form.set("proof", new File([new Uint8Array(pdfBytes("slip"))], "回单.pdf", { type: "application/pdf" }));
    const base = pages.get("/admin/payouts", admin);
    const done = await call(
      adminPayouts.action,
      new Request(base.url, { method: "POST", headers: { Cookie: base.headers.get("Cookie")! }, body: form }),
    );
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/admin/payouts?done=bank");
    expect(await Payout.findById(payout._id).lean()).toMatchObject({ status: "paid", via: "bank", bankRef: "ABC-1204" });
    expect((await dealBooks(deal)).balanced).toBe(true);
  });
});

describe("/account/payouts", () => {
  it("an org admin starts onboarding (redirect to the account link), returns, and sees the account enabled; a member sees no org account to open", async () => {
    const before = await json<{ accounts: { ownerKind: string; state: string }[] }>(
      await call(accountPayouts.loader, get("/account/payouts", seller)),
    );
    expect(before.accounts).toEqual([expect.objectContaining({ ownerKind: "organization", state: "none" })]);
    expect((await json<{ accounts: unknown[] }>(await call(accountPayouts.loader, get("/account/payouts", member)))).accounts).toEqual([]);
    const refused = await call(
      accountPayouts.action,
      post("/account/payouts", member, { intent: "onboard", ownerKind: "organization", owner: seller.organization!.id }),
    );
    expect(refused.status).toBe(403);

    const started = await call(
      accountPayouts.action,
      post("/account/payouts", seller, { intent: "onboard", ownerKind: "organization", owner: seller.organization!.id }),
    );
    expect(started.status).toBe(302);
    const link = started.headers.get("Location")!;
    const onboarding = await fetch(link, { method: "POST", redirect: "manual" });
    const back = new URL(onboarding.headers.get("Location")!);
    expect(back.pathname).toBe("/account/payouts");
    const after = await json<{ accounts: { state: string }[]; returned: boolean }>(
      await call(accountPayouts.loader, get(`/account/payouts${back.search}`, seller)),
    );
    expect(after).toMatchObject({ returned: true, accounts: [{ state: "enabled" }] });
  });
});

describe("the deal page", () => {
  it("shows a failed transfer with its reason to the seller and the admin, and no payouts to the buyer", async () => {
    const listing = await tradingAchievement(seller, broker);
    const deal = await openDealFixture({ seller, buyer, broker, feeBps: 0, commissionBps: 300, listing });
    await paidStage(deal, 30_000_00);
    const sellerPayout = (await Payout.findOne({ deal, to: "seller" }).lean())!;
    // The seller's organisation was onboarded above; the local server refuses its next transfer (decision 018).
    const account = (await ConnectedAccount.findOne({ owner: seller.organization!.id }).lean())!;
    await fetch(`${inject("stripeApiBase")}/_local/transfers/fail`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ destination: account.accountRef }),
    });
    expect((await payByTransfer(actorOf(admin), String(sellerPayout._id))).status).toBe("failed");
    type Page = { payouts: { to: string; status: string; failureReason: string | null }[] };
    const load = async (who: SessionUser) => json<Page>(await call(dealPage.loader, get(`/deals/${deal}`, who), { id: deal }));
    for (const who of [seller, admin]) {
      expect((await load(who)).payouts.find((p) => p.to === "seller")).toMatchObject({
        status: "failed",
        failureReason: expect.stringContaining("transfers_not_allowed"),
      });
    }
    expect((await load(buyer)).payouts).toEqual([]);
  });
});

describe("API v1", () => {
  it("reads a deal's payouts by who may see them, pays (admins only), records a bank payout, sets a commission, answers an onboarding link", async () => {
    const deal = await openDealFixture({ seller, buyer, broker, feeBps: 0 });
    const commission = (who: SessionUser, v: unknown) =>
      call(apiCommission.action, pages.postJson(`/api/v1/deals/${deal}/commission`, who, { commissionPercent: v }), { id: deal });
    expect((await commission(broker, 1)).status).toBe(403);
    expect((await commission(admin, "abc")).status).toBe(400);
    expect(await json(await commission(admin, 2.5))).toEqual({ commissionBps: 250 });
    await paidStage(deal, 20_000_00);
    expect((await commission(admin, 3)).status).toBe(409);

    const read = (who: SessionUser) => call(apiDealPayouts.loader, get(`/api/v1/deals/${deal}/payouts`, who), { id: deal });
    const all = await json<{ payouts: { id: string; to: string; amount: number; status: string }[] }>(await read(admin));
    expect(all.payouts.map((p) => [p.to, p.amount, p.status])).toEqual([
      ["seller", 19_500, "owed"],
      ["broker", 500, "owed"],
    ]);
    expect((await json<{ payouts: unknown[] }>(await read(buyer))).payouts).toEqual([]);
    expect((await json<{ payouts: unknown[] }>(await read(seller))).payouts).toHaveLength(2);
    // The broker of record (not in the deal's rooms) sees their own commission only; another broker nothing.
    expect((await json<{ payouts: { to: string }[] }>(await read(broker))).payouts.map((p) => p.to)).toEqual(["broker"]);
    const stranger = await pages.person("stranger@agency.cn", ["broker"], "服务中心");
    expect((await read(stranger)).status).toBe(404);

    const [sellerPayout, brokerPayout] = all.payouts.map((p) => p.id);
    const act = (who: SessionUser, id: string, what: string, body: unknown) =>
      call(apiPayoutAction.action, pages.postJson(`/api/v1/payouts/${id}/${what}`, who, body), { id, action: what });
    expect((await act(seller, sellerPayout!, "transfer", {})).status).toBe(403);
    // The seller's organisation was onboarded above (/account/payouts): paid by transfer.
    const transferred = await act(admin, sellerPayout!, "transfer", {});
    expect(transferred.status).toBe(200);
    expect((await json<{ payout: unknown }>(transferred)).payout).toMatchObject({ status: "paid", via: "connect", amount: 19_500 });
    // The broker has no enabled account: a transfer is refused (409); a bank payout is recorded.
    expect((await act(admin, brokerPayout!, "transfer", {})).status).toBe(409);
    const bad = await act(admin, brokerPayout!, "bank-payout", { bankRef: "R1", paidAt: "2026-13-01" });
    expect(bad.status).toBe(400);
    expect((await json<{ error: { fields: Record<string, string[]> } }>(bad)).error.fields).toHaveProperty("paidAt");
    const paid = await act(admin, brokerPayout!, "bank-payout", {
      bankRef: "API-REF-1",
      paidAt: "2026-12-03",
      proof: { filename: "slip.pdf", contentBase64: Buffer.from(pdfBytes("slip")).toString("base64") },
    });
    expect(paid.status).toBe(200);
    expect((await json<{ payout: unknown }>(paid)).payout).toMatchObject({
      status: "paid",
      via: "bank",
      bankRef: "API-REF-1",
      hasProof: true,
    });
    expect((await dealBooks(deal)).balanced).toBe(true);

    const link = (who: SessionUser, body: unknown) =>
      call(apiOnboarding.action, pages.postJson("/api/v1/account/payouts/onboarding-link", who, body));
    expect((await link(member, { ownerKind: "organization", owner: seller.organization!.id })).status).toBe(403);
    expect((await link(broker, { ownerKind: "user", owner: "nope" })).status).toBe(400);
    const ok = await link(broker, { ownerKind: "user", owner: broker.id });
    expect(ok.status).toBe(200);
    expect((await json<{ url: string; accountRef: string }>(ok)).accountRef).toMatch(/^acct_/);
  });
});

describe("the pages as rendered", () => {
  it("the admin's list offers a retry for the failed transfer and the bank form; the payee sees the account state; the settings show percent", async () => {
    const admin_ = await renderPage(get("/admin/payouts", admin), adminPayouts, "/admin/payouts", pages.csrf.token);
    expect(admin_.status).toBe(200);
    expect(admin_.html).toContain("付款管理");
    expect(admin_.html).toContain("转账失败");
    expect(admin_.html).toContain("重试转账");
    expect(admin_.html).toContain("transfers_not_allowed");
    expect(admin_.html).toContain("记录银行付款");
    const mine = await renderPage(get("/account/payouts", seller), accountPayouts, "/account/payouts", pages.csrf.token);
    expect(mine.html).toContain("收款账户已开通");
    const memberPage = await renderPage(get("/account/payouts", member), accountPayouts, "/account/payouts", pages.csrf.token);
    expect(memberPage.html).toContain("您无需开通收款账户");
    const settings = await renderPage(get("/admin/settings", admin), adminSettings, "/admin/settings", pages.csrf.token);
    expect(settings.html).toContain("经纪佣金比例（%）");
    expect(settings.html).toContain('value="2.75"');
  });
});
