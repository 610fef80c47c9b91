import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { ConnectedAccount } from "~/models/connected-account.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { Payout } from "~/models/payout.server.ts";
import { action as connectWebhook } from "~/routes/webhooks.stripe_.connect.ts";
import { action as mainWebhook } from "~/routes/webhooks.stripe.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { brokerCommissions, commissionsOf, dealBooks, reconciliation } from "~/services/ledger/queries.server.ts";
import { resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import "~/services/payment-purposes.server.ts";
import { onboardingLink, payeeAccountsOf, payeesOf } from "~/services/settlement/connect.server.ts";
import {
  bpsOf,
  onStagePaid,
  payByTransfer,
  payoutsForAdmin,
  payoutsOfDeal,
  recordBankPayout,
  setDealCommission,
  stageShares,
} from "~/services/settlement/payouts.server.ts";
import { ConflictError, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { person, pdfBytes } from "../../seeds/trading-fixtures.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { getSessionUserById } from "~/services/accounts/accounts.server.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { openDealFixture, paidStage } from "../support/paid-stage.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * Issue 14, point 6: what a paid stage owes the seller and the broker (commission and fee to the
 * fen), paid by a Stripe Connect transfer through the real SDK against the local server (a refused
 * transfer shown, then retried), or by a bank payout an admin records with proof; Connect onboarding
 * through an account link and `account.updated`; the books balancing after each; who may do what.
 */
let stripe: Stripe;
let webhooks: StripeWebhookListener;
let seller: SessionUser, orgMember: SessionUser, buyer: SessionUser, broker: SessionUser, otherBroker: SessionUser, admin: SessionUser;

beforeAll(async () => {
  await initLedger();
  ({ stripe, webhooks } = await connectLocalStripe());

  const org = await upsertOrganization({ name: "文山学院", type: "university", region: "532623" });
  const mk = async (email: string, orgRole: "admin" | "member") =>
    (await getSessionUserById(
      String(
        (await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles: ["seller"], organization: org, orgRole }))
          ._id,
      ),
    ))!;
  seller = await mk("seller-admin@wsu.cn", "admin");
  orgMember = await mk("seller-member@wsu.cn", "member");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  otherBroker = await person("other-broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  admin = await person("admin@chengguo.cn", ["admin"], null);

  // The platform's balance at the local server, so transfers have money to send.
  const session = await stripe.checkout.sessions.create({
    mode: "payment",
    line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: 5_000_000_00, product_data: { name: "平台余额" } } }],
    success_url: "http://127.0.0.1:9/ok",
    cancel_url: "http://127.0.0.1:9/no",
  });
  expect((await payCheckout(session.url!)).status).toBe(303);
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

const actor = (u: SessionUser) => actorOf(u);
const balanced = async (deal: string) => {
  const books = await dealBooks(deal);
  expect(books.balanced).toBe(true);
  const report = await reconciliation(actor(admin));
  expect(report.unbalancedDeals).not.toContain(deal);
  expect(report.cashDifferences).toEqual([]);
  return Object.fromEntries(books.accounts.map((a) => [a.account, a.balanceFen]));
};

async function waitForDelivery(type: string, objectId: string, after = 0) {
  for (let i = 0; i < 200; i++) {
    const d = webhooks.deliveries.slice(after).find((x) => x.type === type && x.objectId === objectId);
    if (d) return d;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${type} for ${objectId}`);
}

const post = (fn: typeof connectWebhook, path: string, body: string, signature: string) =>
  fn({
    request: new Request(`http://127.0.0.1${path}`, { method: "POST", headers: { "Stripe-Signature": signature }, body }),
    params: {},
    context: { clientIp: "127.0.0.1" },
  });

/** Onboards a payee through the app's account link and the local onboarding page; answers the account.updated delivery. */
async function onboard(who: SessionUser, payee: { ownerKind: "organization" | "user"; owner: string }) {
  const { url, accountRef } = await onboardingLink(actor(who), payee, {
    returnUrl: "http://127.0.0.1:9/account/payouts?return=1",
    refreshUrl: "http://127.0.0.1:9/account/payouts?refresh=1",
  });
  const mark = webhooks.deliveries.length;
  const res = await fetch(url, { method: "POST", redirect: "manual" });
  expect(res.status).toBe(303);
  return { accountRef, delivery: await waitForDelivery("account.updated", accountRef, mark) };
}

describe("shares of a paid stage", () => {
  it("rounds half up to the fen", () => {
    expect(bpsOf(100_00, 300)).toBe(3_00);
    expect(bpsOf(1_50, 300)).toBe(5); // 4.5 fen → 5
    expect(bpsOf(1_49, 300)).toBe(4); // 4.47 fen → 4
    expect(stageShares(333_333_33, { commissionBps: 275, feeBps: 50, hasBroker: true })).toEqual({
      commissionFen: 916_667, // 916 666.6575 fen → 916 667
      feeFen: 166_667, // 166 666.665 fen → 166 667
      sellerFen: 333_333_33 - 916_667 - 166_667,
    });
    expect(stageShares(100_00, { commissionBps: 300, feeBps: 0, hasBroker: false })).toEqual({
      commissionFen: 0,
      feeFen: 0,
      sellerFen: 100_00,
    });
  });

  it("a paid stage owes the seller the stage less commission and fee and the broker the commission, once, on the timeline and in the books", async () => {
    const deal = await openDealFixture({ seller, buyer, broker, commissionBps: 275, feeBps: 50 });
    const stage = await paidStage(deal, 100_000_01);
    const payouts = await Payout.find({ deal }).sort({ to: -1 }).lean();
    expect(payouts.map((p) => [p.to, p.party, p.amount, p.status])).toEqual([
      ["seller", seller.organization!.id, 100_000_01 - 275_000 - 50_000, "owed"],
      ["broker", broker.id, 275_000, "owed"], // 275 000.0275 fen → 275 000
    ]);
    // Called again (a retried receipt): nothing twice.
    await withTransaction((s) => onStagePaid(s, payouts[0]!.stage, new Date()));
    expect(await Payout.countDocuments({ deal })).toBe(2);
    expect(await AuditEvent.countDocuments({ subject: payouts[0]!.deal, action: "payout.owed" })).toBe(2);
    expect((await Deal.findById(deal).lean())!.paymentState).toBe("paid");
    expect(await balanced(deal)).toMatchObject({
      cashBank: 100_000_01,
      sellerPayable: 100_000_01 - 325_000,
      brokerPayable: 275_000,
      platformFees: 50_000,
    });
    expect(String(payouts[0]!.stage)).toBe(stage);
  });

  it("without a broker of record there is no commission; the rates default to the settings (3%, no fee)", async () => {
    const deal = await openDealFixture({ seller, buyer });
    await paidStage(deal, 50_000_00);
    const payouts = await Payout.find({ deal }).lean();
    expect(payouts.map((p) => [p.to, p.amount])).toEqual([["seller", 50_000_00]]);
    const withBroker = await openDealFixture({ seller, buyer, broker });
    await paidStage(withBroker, 50_000_00);
    expect((await Payout.find({ deal: withBroker }).sort({ to: -1 }).lean()).map((p) => p.amount)).toEqual([48_500_00, 1_500_00]);
    await balanced(deal);
    await balanced(withBroker);
  });
});

describe("Connect onboarding", () => {
  it("an org admin onboards the organisation through an account link; account.updated (once, even twice delivered) shows it enabled", async () => {
    const org = { ownerKind: "organization" as const, owner: seller.organization!.id };
    expect((await payeeAccountsOf(actor(seller))).find((a) => a.ownerKind === "organization")).toMatchObject({ state: "none" });
    const { accountRef, delivery } = await onboard(seller, org);
    const before = await ConnectedAccount.findOne({ accountRef }).lean();
    expect(before).toMatchObject({ payoutsEnabled: false });
    expect(before!.requirementsDue.length).toBeGreaterThan(0);
    // The local server signs with the one endpoint's secret: both endpoints verify it (no STRIPE_CONNECT_WEBHOOK_SECRET set).
    const first = await post(connectWebhook, "/webhooks/stripe/connect", delivery.body, delivery.signature);
    expect(await first.json()).toEqual({ received: true, result: "applied" });
    const again = await post(mainWebhook, "/webhooks/stripe", delivery.body, delivery.signature);
    expect(await again.json()).toEqual({ received: true, result: "duplicate" });
    const forged = await post(
      connectWebhook,
      "/webhooks/stripe/connect",
      delivery.body.replace(accountRef, "acct_forged"),
      delivery.signature,
    );
    expect(forged.status).toBe(400);
    expect((await payeeAccountsOf(actor(seller))).find((a) => a.ownerKind === "organization")).toMatchObject({
      state: "enabled",
      requirementsDue: [],
    });
  });

  it("a member of the seller organisation who is not its admin cannot onboard it; a broker onboards only themselves", async () => {
    expect((await payeesOf(actor(orgMember))).map((p) => p.ownerKind)).toEqual([]);
    await expect(
      onboardingLink(
        actor(orgMember),
        { ownerKind: "organization", owner: seller.organization!.id },
        { returnUrl: "http://x/r", refreshUrl: "http://x/f" },
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      onboardingLink(actor(otherBroker), { ownerKind: "user", owner: broker.id }, { returnUrl: "http://x/r", refreshUrl: "http://x/f" }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect((await payeesOf(actor(broker))).map((p) => [p.ownerKind, p.owner])).toEqual([["user", broker.id]]);
  });
});

describe("paying payouts", () => {
  it("pays the seller by Connect transfer; a refused transfer to the broker shows as failed and a retry pays it; the books balance after each", async () => {
    const deal = await openDealFixture({ seller, buyer, broker, commissionBps: 500, feeBps: 100 });
    await paidStage(deal, 80_000_00);
    const [sellerPayout, brokerPayout] = await Payout.find({ deal }).sort({ to: -1 }).lean();

    // The broker has no account yet: a transfer is refused before anything moves.
    await expect(payByTransfer(actor(admin), String(brokerPayout!._id))).rejects.toBeInstanceOf(ConflictError);
    const { delivery } = await onboard(broker, { ownerKind: "user", owner: broker.id });
    await post(connectWebhook, "/webhooks/stripe/connect", delivery.body, delivery.signature);

    const paid = await payByTransfer(actor(admin), String(sellerPayout!._id));
    expect(paid).toMatchObject({ status: "paid", via: "connect", amountFen: 80_000_00 - 4_000_00 - 800_00, attempts: 1 });
    const payment = await Payment.findOne({ requestKey: `payout:payout:${String(sellerPayout!._id)}:1` }).lean();
    expect(payment).toMatchObject({ kind: "transfer", status: "succeeded" });
    expect(await stripe.transfers.retrieve(payment!.transferRef!)).toMatchObject({ amount: 75_200_00, currency: "cny" });
    expect(await balanced(deal)).toMatchObject({ sellerPayable: 0, brokerPayable: 4_000_00, cashStripe: -75_200_00 });

    // The local server refuses the next transfer to the broker's account (decision 018).
    const accountRef = (await ConnectedAccount.findOne({ owner: broker.id }).lean())!.accountRef;
    const apiBase = inject("stripeApiBase");
    expect(
      (
        await fetch(`${apiBase}/_local/transfers/fail`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ destination: accountRef }),
        })
      ).status,
    ).toBe(200);
    const failed = await payByTransfer(actor(admin), String(brokerPayout!._id));
    expect(failed.status).toBe("failed");
    expect(failed.failureReason).toContain("transfers_not_allowed");
    expect((await payoutsOfDeal(actor(admin), deal)).find((p) => p.to === "broker")).toMatchObject({ status: "failed" });
    expect((await payoutsForAdmin(actor(admin))).open.map((p) => p.id)).toContain(String(brokerPayout!._id));
    expect(await AuditEvent.exists({ subject: brokerPayout!.deal, action: "payout.failed" })).toBeTruthy();
    expect(await balanced(deal)).toMatchObject({ brokerPayable: 4_000_00 });

    const retried = await payByTransfer(actor(admin), String(brokerPayout!._id));
    expect(retried).toMatchObject({ status: "paid", attempts: 2, failureReason: null });
    expect(await balanced(deal)).toMatchObject({ sellerPayable: 0, brokerPayable: 0, platformFees: 800_00 });
    expect((await Deal.findById(deal).lean())!.paymentState).toBe("paid-out");
    expect((await brokerCommissions(broker.id)).deals.find((d) => d.deal === deal)).toMatchObject({ owedFen: 4_000_00, paidFen: 4_000_00 });

    // Paid is paid: neither a second transfer nor a bank payout.
    await expect(payByTransfer(actor(admin), String(brokerPayout!._id))).rejects.toBeInstanceOf(ConflictError);
  });

  it("an admin records a bank payout with reference, date and proof; bad input names the field; the books balance", async () => {
    const deal = await openDealFixture({ seller, buyer, broker });
    await paidStage(deal, 20_000_00);
    const [sellerPayout] = await Payout.find({ deal, to: "seller" }).lean();
    const id = String(sellerPayout!._id);
    await expect(
      recordBankPayout(actor(admin), id, { bankRef: "", paidAt: new Date(), proof: { filename: "a.pdf", bytes: pdfBytes() } }),
    ).rejects.toMatchObject({
      fieldErrors: { bankRef: ["errors.required"] },
    });
    await expect(
      recordBankPayout(actor(admin), id, {
        bankRef: "ABC123",
        paidAt: new Date(),
        proof: { filename: "a.exe", bytes: new Uint8Array([1, 2, 3]) },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    const view = await recordBankPayout(actor(admin), id, {
      bankRef: "ABC-2026-1204",
      paidAt: new Date("2026-12-04T02:00:00Z"),
      proof: { filename: "回单.pdf", bytes: pdfBytes("bank slip") },
    });
    expect(view).toMatchObject({ status: "paid", via: "bank", bankRef: "ABC-2026-1204", hasProof: true });
    expect(await balanced(deal)).toMatchObject({ sellerPayable: 0, cashBank: 20_000_00 - 19_400_00 });
    await expect(
      recordBankPayout(actor(admin), id, { bankRef: "X", paidAt: new Date(), proof: { filename: "a.pdf", bytes: pdfBytes() } }),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("authorization", () => {
  it("only admins pay out or set a commission; a broker sees only their own commissions", async () => {
    const deal = await openDealFixture({ seller, buyer, broker });
    await paidStage(deal, 10_000_00);
    const [p] = await Payout.find({ deal }).lean();
    for (const who of [seller, broker, buyer]) {
      await expect(payByTransfer(actor(who), String(p!._id))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        recordBankPayout(actor(who), String(p!._id), { bankRef: "X", paidAt: new Date(), proof: { filename: "a.pdf", bytes: pdfBytes() } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(payoutsForAdmin(actor(who))).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(() => commissionsOf(actor(otherBroker), broker.id)).toThrow(ForbiddenError);
    expect((await commissionsOf(actor(broker), broker.id)).deals.map((d) => d.deal)).toContain(deal);
    expect((await commissionsOf(actor(otherBroker), otherBroker.id)).deals.map((d) => d.deal)).not.toContain(deal);
  });

  it("an admin changes a deal's commission before a stage is paid, not after", async () => {
    const deal = await openDealFixture({ seller, buyer, broker });
    await expect(setDealCommission(actor(broker), deal, 100)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(setDealCommission(actor(admin), deal, -1)).rejects.toBeInstanceOf(ValidationError);
    await setDealCommission(actor(admin), deal, 150);
    await paidStage(deal, 10_000_00);
    expect((await Payout.findOne({ deal, to: "broker" }).lean())!.amount).toBe(150_00);
    await expect(setDealCommission(actor(admin), deal, 200)).rejects.toBeInstanceOf(ConflictError);
  });
});
