import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { accountBalance, dealBooks, reconciliation } from "~/services/ledger/queries.server.ts";
import { paymentGateway, resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import { refundPayment } from "~/services/payments/refunds.server.ts";
import { applyGatewayEvent } from "~/services/payments/webhooks.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import {
  confirmCancellation,
  listRefunds,
  processGatewayRefunds,
  proposeCancellation,
  recordBankRefund,
} from "~/services/settlement/cancel.server.ts";
import { dealStages, receiptsOverview, stagePage } from "~/services/settlement/queries.server.ts";
import { recordBankReceipt, startStageCheckout, syncStageCheckout } from "~/services/settlement/receipts.server.ts";
import { reportRoyalty } from "~/services/settlement/royalty.server.ts";
import { royaltyDueFen } from "~/services/settlement/rules.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { achievementContent, listingAt, person, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * Issue 14, point 5 (money in): the payment schedule made when both sides sign, a deposit applied,
 * a stage paid by Stripe Checkout through the real SDK against the local server (and a declined
 * card), bank transfers an admin records (short, then completed; excess; late), royalty reports,
 * webhooks twice and out of order, the deal's books balanced after each, and who may do what.
 */
let apiBase: string;
let webhooks: StripeWebhookListener;
let seller: SessionUser, buyer: SessionUser, broker: SessionUser, dealBroker: SessionUser, admin: SessionUser, outsider: SessionUser;
let bureau: SessionUser;
let n = 0;
const urls = { successUrl: "http://127.0.0.1:9/back?checkout=done", cancelUrl: "http://127.0.0.1:9/back" };
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

beforeAll(async () => {
  ({ apiBase, webhooks } = await connectLocalStripe());
  seller = await person("seller@sanqi-in.cn", ["seller"], "三七科技有限公司", "enterprise");
  buyer = await person("buyer@coop-in.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency-in.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  dealBroker = await person("dealbroker@agency-in.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  admin = await person("admin@chengguo-in.cn", ["admin"], null);
  outsider = await person("outsider@tea-in.cn", ["buyer"], "茶业公司");
  bureau = await person("bureau@kjj-in.gov.cn", ["bureau"], "文山县科技局", "government");
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

const content = (): AchievementDataInput =>
  achievementContent({
    title: `三七连作障碍消减技术 ${++n}`,
    transactionModes: ["transfer", "license"],
    licenseExclusivity: ["exclusive"],
    price: { mode: "fixed", amount: 300_000_00 },
  });

/** A deal whose terms are changed by `terms`, with its contract signed by both sides at `signedAt`. */
async function signedDeal(terms: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, signedAt = new Date()) {
  const listing = await listingAt(seller, broker, "trading", content());
  const id = await buyNowDeal(buyer, listing, { expectedAmountFen: 300_000_00, transactionMode: "transfer", licenseExclusivity: null });
  const set: Record<string, unknown> = { ...extra };
  for (const [k, v] of Object.entries(terms)) set[`terms.${k}`] = v;
  if (Object.keys(set).length) await Deal.updateOne({ _id: id }, { $set: set });
  await saveContract(seller, id, null);
  await signContract(seller, id, { version: 1, ip: "198.51.100.1" }, { now: signedAt });
  await signContract(buyer, id, { version: 1, ip: "198.51.100.2" }, { now: signedAt });
  return id;
}

const stagesOf = async (id: string) => (await dealStages(buyer, id)).stages;
const balanced = async (id: string) => expect((await dealBooks(id)).balanced).toBe(true);
const actions = async (id: string) =>
  (await AuditEvent.find({ subjectType: "deal", subject: id }).sort({ at: 1, _id: 1 }).lean()).map((e) => e.action);

async function refused<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(type);
  return e as T;
}

async function waitForDelivery(type: string, objectId: string, count = 1) {
  for (let i = 0; i < 200; i++) {
    const d = webhooks.deliveries.filter((x) => x.type === type && x.objectId === objectId);
    if (d.length >= count) return d[count - 1]!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${type} delivered for ${objectId}`);
}
async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not delivered");
}
const eventOf = (d: { body: string; signature: string }) => paymentGateway().parseWebhook(d.body, d.signature);

describe("the schedule made when both sides sign", () => {
  it("makes one stage per milestone, a balance stage for the rest and a royalty stage; fixes the broker and the rates; posts what is due", async () => {
    const signedAt = new Date("2026-11-02T02:00:00Z");
    const listing = await listingAt(seller, broker, "trading", content());
    const id = await buyNowDeal(buyer, listing, { expectedAmountFen: 300_000_00, transactionMode: "transfer", licenseExclusivity: null });
    const room = await openRoom(buyer, { from: "deal", dealId: id });
    await inviteBroker(buyer, room, { email: "dealbroker@agency-in.cn" });
    await Deal.updateOne(
      { _id: id },
      {
        $set: {
          "terms.royaltyPercent": 3,
          "terms.milestones": [
            { title: "首付款", amount: 100_000_00, dueInDays: 10 },
            { title: "验收款", amount: 150_000_00, dueInDays: 90 },
          ],
        },
      },
    );
    await saveContract(seller, id, null);
    await signContract(seller, id, { version: 1, ip: "x" }, { now: signedAt });
    await signContract(buyer, id, { version: 1, ip: "y" }, { now: signedAt });

    const stages = await stagesOf(id);
    expect(stages.map((s) => [s.number, s.title, s.kind, s.amountFen, s.dueAt?.toISOString() ?? null, s.status])).toEqual([
      [1, "首付款", "fixed", 100_000_00, "2026-11-12T02:00:00.000Z", "due"],
      [2, "验收款", "fixed", 150_000_00, "2027-01-31T02:00:00.000Z", "due"],
      [3, "尾款 Balance", "fixed", 50_000_00, null, "due"],
      [4, "提成 3% Royalty", "royalty", 0, null, "due"],
    ]);
    const refs = stages.map((s) => s.reference);
    expect(refs[0]).toBe(`CG${id.slice(-6).toUpperCase()}-1`);
    expect(new Set(refs).size).toBe(4);
    const deal = (await Deal.findById(id).lean())!;
    expect(deal).toMatchObject({ paymentState: "due", commissionBps: 300, feeBps: 0 });
    expect(String(deal.broker?.user)).toBe(dealBroker.id);
    expect(await accountBalance("buyerReceivable", { deal: id })).toBe(300_000_00);
    expect(await accountBalance("sellerPayable", { deal: id })).toBe(300_000_00);
    expect(await actions(id)).toContain("schedule.created");
    await balanced(id);
  });

  it("makes one stage of the whole contract amount from a plain price, and applies a captured deposit toward it", async () => {
    const deposit = new mongoose.Types.ObjectId();
    const id = await signedDeal({}, { deposit: { payment: deposit, amount: 30_000_00 } });
    const [stage] = await stagesOf(id);
    expect(stage).toMatchObject({
      number: 1,
      amountFen: 300_000_00,
      paidFen: 30_000_00,
      status: "partly-paid",
      outstandingFen: 270_000_00,
      shortFen: 270_000_00,
    });
    expect(stage!.receipts).toMatchObject([{ via: "deposit", amountFen: 30_000_00 }]);
    expect(await accountBalance("buyerReceivable", { deal: id })).toBe(270_000_00);
    expect(await accountBalance("depositsHeld", { deal: id })).toBe(-30_000_00);
    expect((await Deal.findById(id).lean())!.paymentState).toBe("partly-paid");
    await balanced(id);
  });
});

describe("paying a stage by Stripe Checkout", () => {
  it("the buyer pays what is due; the return page records it once; the webhook twice changes nothing more", async () => {
    const id = await signedDeal();
    const started = await startStageCheckout(buyer, id, 1, urls);
    expect(started.amountFen).toBe(300_000_00);
    expect(started.redirectUrl).toMatch(new RegExp(`^${apiBase}/pay/cs_test_`));
    // The same open checkout is offered again.
    expect((await startStageCheckout(buyer, id, 1, urls)).paymentId).toBe(started.paymentId);

    expect((await payCheckout(started.redirectUrl)).status).toBe(303);
    expect(await syncStageCheckout(buyer, id, 1)).toBe("succeeded");
    const [stage] = await stagesOf(id);
    expect(stage).toMatchObject({ status: "paid", paidFen: 300_000_00, outstandingFen: 0 });
    expect(stage!.receipts).toMatchObject([{ via: "stripe", amountFen: 300_000_00, id: started.paymentId }]);
    expect((await Deal.findById(id).lean())!.paymentState).toBe("paid");
    expect(await accountBalance("cashStripe", { deal: id })).toBe(300_000_00);
    expect(await accountBalance("buyerReceivable", { deal: id })).toBe(0);
    expect(await actions(id)).toEqual(expect.arrayContaining(["receipt.recorded", "stage.paid"]));
    const told = await Notification.find({ type: "stage.paid", link: `/deals/${id}/stages/1` }).lean();
    expect(told.map((t) => String(t.user)).sort()).toEqual([buyer.id, seller.id].sort());

    const ref = (await Payment.findById(started.paymentId).lean())!.checkoutRef!;
    const completed = await waitForDelivery("checkout.session.completed", ref);
    expect(await applyGatewayEvent(eventOf(completed))).toBe("applied");
    // Delivered again by the local server (the same event id): a duplicate.
    const eventId = (JSON.parse(completed.body) as { id: string }).id;
    expect((await fetch(`${apiBase}/_local/events/${eventId}/resend`, { method: "POST" })).status).toBe(200);
    expect(await applyGatewayEvent(eventOf(await waitForDelivery("checkout.session.completed", ref, 2)))).toBe("duplicate");
    expect((await stagesOf(id))[0]!.receipts).toHaveLength(1);
    expect((await actions(id)).filter((a) => a === "receipt.recorded")).toHaveLength(1);
    await balanced(id);
    // The ledger's cash for the payment is what the payment record says it took.
    expect((await reconciliation(admin)).cashDifferences.map((c) => c.payment)).not.toContain(started.paymentId);
    await refused(startStageCheckout(buyer, id, 1, urls), ConflictError);
  });

  it("applies the webhook that comes before the payer returns; a card declined records nothing and the stage stays due", async () => {
    const id = await signedDeal();
    const started = await startStageCheckout(buyer, id, 1, urls);
    expect((await payCheckout(started.redirectUrl, { card: "decline" })).status).toBe(402);
    expect(await syncStageCheckout(buyer, id, 1)).toBe("pending");
    expect((await stagesOf(id))[0]).toMatchObject({ status: "due", paidFen: 0, receipts: [] });
    expect(await accountBalance("cashStripe", { deal: id })).toBe(0);
    await balanced(id);

    expect((await payCheckout(started.redirectUrl)).status).toBe(303);
    const ref = (await Payment.findById(started.paymentId).lean())!.checkoutRef!;
    const completed = await waitForDelivery("checkout.session.completed", ref);
    expect(await applyGatewayEvent(eventOf(completed))).toBe("applied");
    expect((await stagesOf(id))[0]).toMatchObject({ status: "paid", paidFen: 300_000_00 });
    expect(await syncStageCheckout(buyer, id, 1)).toBe("succeeded");
    expect((await stagesOf(id))[0]!.receipts).toHaveLength(1);
    await balanced(id);
  });

  it("a late checkout.session.completed after the stage was cancelled and refunded changes nothing", async () => {
    const id = await signedDeal();
    const started = await startStageCheckout(buyer, id, 1, urls);
    await payCheckout(started.redirectUrl);
    expect(await syncStageCheckout(buyer, id, 1)).toBe("succeeded");
    // The cancellation (point 8) cancels the stage and refunds its money.
    await DealStage.updateOne({ deal: id, number: 1 }, { $set: { status: "cancelled" } });
    await refundPayment(started.paymentId, { key: "cancel-1" });
    const ref = (await Payment.findById(started.paymentId).lean())!.checkoutRef!;
    const before = await actions(id);
    // Out of order: the refund's events first, the completion last.
    const intentRef = (await Payment.findById(started.paymentId).lean())!.intentRef!;
    const refunded = await waitFor(() => webhooks.deliveries.find((d) => d.type === "charge.refunded" && d.body.includes(intentRef)));
    expect(await applyGatewayEvent(eventOf(refunded))).toBe("applied");
    const completed = await waitForDelivery("checkout.session.completed", ref);
    expect(await applyGatewayEvent(eventOf(completed))).toBe("applied");
    expect(await applyGatewayEvent(eventOf(completed))).toBe("duplicate");
    const [stage] = await stagesOf(id);
    expect(stage).toMatchObject({ status: "cancelled", paidFen: 300_000_00 });
    expect(stage!.receipts).toHaveLength(1);
    expect(await actions(id)).toEqual(before);
    expect((await Payment.findById(started.paymentId).lean())!.status).toBe("refunded");
    await balanced(id);
  });

  it("money that arrives on a cancelled stage is owed back to the buyer, not to the seller", async () => {
    const id = await signedDeal();
    const started = await startStageCheckout(buyer, id, 1, urls);
    await DealStage.updateOne({ deal: id, number: 1 }, { $set: { status: "cancelled" } });
    await payCheckout(started.redirectUrl);
    expect(await syncStageCheckout(buyer, id, 1)).toBe("succeeded");
    expect((await stagesOf(id))[0]).toMatchObject({ status: "cancelled", excessFen: 300_000_00 });
    expect(await accountBalance("refundsPayable", { deal: id })).toBe(300_000_00);
    expect(await accountBalance("buyerReceivable", { deal: id })).toBe(300_000_00);
    await balanced(id);
    // It goes back through the gateway: the refunds job (settlement.deadlines) sends it.
    expect(await listRefunds(admin, { dealId: id, status: "due" })).toMatchObject([{ kind: "excess", via: "stripe", amount: 300_000_00 }]);
    expect(await processGatewayRefunds(id)).toBe(1);
    expect(await accountBalance("refundsPayable", { deal: id })).toBe(0);
    expect(await accountBalance("cashStripe", { deal: id })).toBe(0);
    await balanced(id);
  });
});

describe("bank transfers an admin records", () => {
  it("records one bank reference once when two admins type it for two deals' stages at the same moment", async () => {
    const [a, b] = [await signedDeal(), await signedDeal()];
    const stages = [(await stagesOf(a))[0]!, (await stagesOf(b))[0]!];
    const race = await Promise.allSettled(
      stages.map((st) =>
        recordBankReceipt(admin, { reference: st.reference, amount: "1000", receivedOn: "2026-11-24", bankRef: `RACE-${a}` }, null),
      ),
    );
    expect(race.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const lost = (race.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
    expect(lost).toBeInstanceOf(ConflictError);
    expect(lost.field).toBe("bankRef");
    // One stage holds the receipt; the other is as it was, and both deals' books balance.
    const after = [(await stagesOf(a))[0]!, (await stagesOf(b))[0]!];
    expect(after.map((st) => st.receipts.length).sort()).toEqual([0, 1]);
    expect(after.map((st) => st.paidFen).sort((x, y) => x - y)).toEqual([0, 1_000_00]);
    await balanced(a);
    await balanced(b);
  });

  it("short, then completed: 少付 with what is left, then paid; each bank reference once; the proof kept", async () => {
    const id = await signedDeal();
    const [stage] = await stagesOf(id);
    const page = await stagePage(buyer, id, 1);
    expect(page.bankAccount.number).toBeTruthy();
    expect(page.stage.reference).toBe(stage!.reference);

    const first = await recordBankReceipt(
      admin,
      { reference: stage!.reference.toLowerCase(), amount: "100000", receivedOn: "2026-11-20", bankRef: "ABC-0001" },
      { filename: "回单.png", bytes: PNG },
      { now: new Date("2026-11-21T00:00:00Z") },
    );
    expect(first).toMatchObject({ dealId: id, number: 1 });
    let s = (await stagesOf(id))[0]!;
    expect(s).toMatchObject({ status: "partly-paid", paidFen: 100_000_00, shortFen: 200_000_00, excessFen: 0 });
    expect(s.receipts[0]).toMatchObject({ via: "bank", bankRef: "ABC-0001", hasProof: true, recordedBy: admin.name });
    expect(await accountBalance("cashBank", { deal: id })).toBe(100_000_00);
    await balanced(id);

    const again = await refused(
      recordBankReceipt(admin, { reference: stage!.reference, amount: "100000", receivedOn: "2026-11-20", bankRef: "ABC-0001" }, null),
      ConflictError,
    );
    expect(again.field).toBe("bankRef");

    await recordBankReceipt(admin, { reference: stage!.reference, amount: "200000", receivedOn: "2026-11-25", bankRef: "ABC-0002" }, null);
    s = (await stagesOf(id))[0]!;
    expect(s).toMatchObject({ status: "paid", paidFen: 300_000_00, shortFen: 0 });
    expect((await Deal.findById(id).lean())!.paymentState).toBe("paid");
    expect(await accountBalance("buyerReceivable", { deal: id })).toBe(0);
    await balanced(id);

    const overview = await receiptsOverview(admin, { reference: stage!.reference });
    expect(overview.found?.dealId).toBe(id);
    expect(overview.recent.map((r) => r.bankRef)).toEqual(expect.arrayContaining(["ABC-0001", "ABC-0002"]));
  });

  it("excess: 多付 shown, the excess owed back to the buyer and returned when an admin records the bank refund", async () => {
    const id = await signedDeal({ milestones: [{ title: "首付款", amount: 100_000_00, dueInDays: 10 }] });
    const [stage] = await stagesOf(id);
    await recordBankReceipt(admin, { reference: stage!.reference, amount: 120_000, receivedOn: "2026-11-20", bankRef: `EX-${id}` }, null);
    expect((await stagesOf(id))[0]).toMatchObject({ status: "paid", paidFen: 120_000_00, excessFen: 20_000_00, outstandingFen: 0 });
    expect(await accountBalance("refundsPayable", { deal: id })).toBe(20_000_00);
    expect(await accountBalance("cashBank", { deal: id })).toBe(120_000_00);
    await balanced(id);

    // The excess waits on /admin/refunds as a bank refund of ¥20,000; the deal stays as it was (open, its balance due).
    const before = (await Deal.findById(id).lean())!.paymentState;
    expect(before).toBe("partly-paid");
    const [due] = await listRefunds(admin, { dealId: id, status: "due" });
    expect(due).toMatchObject({ kind: "excess", via: "bank", amount: 20_000_00, stageNumber: 1 });
    await recordBankRefund(admin, due!.id, {
      bankRef: `EX-BACK-${id}`,
      paidOn: "2026-11-22",
      proof: { filename: "退款回单.png", bytes: PNG },
    });
    expect(await listRefunds(admin, { dealId: id, status: "due" })).toEqual([]);
    expect(await accountBalance("refundsPayable", { deal: id })).toBe(0);
    expect(await accountBalance("cashBank", { deal: id })).toBe(100_000_00);
    expect(await Deal.findById(id).lean()).toMatchObject({ status: "open", paymentState: before });
    await balanced(id);
  });

  it("an excess returned, then the deal cancelled: the buyer gets back what they paid, once; seller and refunds payable end at zero", async () => {
    const id = await signedDeal({ milestones: [{ title: "首付款", amount: 100_000_00, dueInDays: 10 }] });
    const [stage] = await stagesOf(id);
    await recordBankReceipt(admin, { reference: stage!.reference, amount: 80_000, receivedOn: "2026-11-20", bankRef: `XC1-${id}` }, null);
    await recordBankReceipt(admin, { reference: stage!.reference, amount: 30_000, receivedOn: "2026-11-21", bankRef: `XC2-${id}` }, null);
    const [excess] = await listRefunds(admin, { dealId: id, status: "due" });
    expect(excess).toMatchObject({ kind: "excess", amount: 10_000_00 });
    await recordBankRefund(admin, excess!.id, { bankRef: `XC-BACK-${id}`, paidOn: "2026-11-22" });

    await proposeCancellation(buyer, id, "验收标准无法达成，双方协商解除");
    await confirmCancellation(seller, id);
    // ¥80,000 and ¥20,000 of the second transfer go back now (its other ¥10,000 already did).
    const due = await listRefunds(admin, { dealId: id, status: "due" });
    expect(due.map((r) => [r.kind, r.amount]).sort()).toEqual([
      ["cancellation", 20_000_00],
      ["cancellation", 80_000_00],
    ]);
    for (const r of due) await recordBankRefund(admin, r.id, { bankRef: `XC-R-${r.id}`, paidOn: "2026-11-25" });
    const back = (await listRefunds(admin, { dealId: id })).reduce((sum, r) => sum + r.amount, 0);
    expect(back).toBe(110_000_00);
    for (const account of ["refundsPayable", "sellerPayable", "buyerReceivable", "cashBank"] as const)
      expect(await accountBalance(account, { deal: id }), account).toBe(0);
    expect((await Deal.findById(id).lean())!.paymentState).toBe("refunded");
    await balanced(id);
  });

  it("late: 逾期 when unpaid after its due date", async () => {
    const signedAt = new Date(Date.now() - 30 * 86_400_000);
    const id = await signedDeal({ milestones: [{ title: "首付款", amount: 100_000_00, dueInDays: 10 }] }, {}, signedAt);
    const stages = await stagesOf(id);
    expect(stages[0]).toMatchObject({ late: true, status: "due" });
    expect(stages[1]).toMatchObject({ title: "尾款 Balance", late: false });
  });

  it("refuses an unknown reference, a bad amount or date naming the field; only an admin records", async () => {
    const id = await signedDeal();
    const [stage] = await stagesOf(id);
    const bad = await refused(
      recordBankReceipt(admin, { reference: "CGNOPE-1", amount: "x", receivedOn: "2026-13-01", bankRef: "" }, null),
      ValidationError,
    );
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(["amount", "bankRef", "receivedOn"]);
    const unknown = await refused(
      recordBankReceipt(admin, { reference: "CGNOPE-1", amount: "1", receivedOn: "2026-11-01", bankRef: "R1" }, null),
      ValidationError,
    );
    expect(unknown.fieldErrors.reference).toEqual(["settlement.errors.referenceUnknown"]);
    const badProof = await refused(
      recordBankReceipt(
        admin,
        { reference: stage!.reference, amount: "1", receivedOn: "2026-11-01", bankRef: "R2" },
        { filename: "x.exe", bytes: new Uint8Array([1, 2, 3]) },
      ),
      ValidationError,
    );
    expect(Object.keys(badProof.fieldErrors)).toEqual(["proof"]);
    for (const who of [buyer, seller, dealBroker, bureau]) {
      await refused(
        recordBankReceipt(who, { reference: stage!.reference, amount: "1", receivedOn: "2026-11-01", bankRef: "R3" }, null),
        ForbiddenError,
      );
    }
    expect((await stagesOf(id))[0]!.receipts).toHaveLength(0);
  });
});

describe("royalties", () => {
  it("the buyer reports a period's sales; the royalty is sales × rate rounded half up; it is then paid like any stage", async () => {
    const id = await signedDeal({ royaltyPercent: 2.5 });
    const stages = await stagesOf(id);
    const royalty = stages.find((s) => s.kind === "royalty")!;
    expect(royalty).toMatchObject({ amountFen: 0, number: 2 });
    // 1 234 567.89 yuan × 2.5% = 30 864.19725 yuan → 30 864.20
    const r = await reportRoyalty(buyer, id, 2, { periodFrom: "2026-01-01", periodTo: "2026-03-31", sales: "1234567.89" });
    expect(r).toMatchObject({ dueFen: 30_864_20, rateBps: 250 });
    expect(royaltyDueFen(1, 5000)).toBe(1); // 0.5 fen rounds up
    expect(royaltyDueFen(1, 4999)).toBe(0);
    let s = (await stagesOf(id))[1]!;
    expect(s).toMatchObject({ amountFen: 30_864_20, status: "due", outstandingFen: 30_864_20 });
    expect(s.royaltyReports).toMatchObject([{ salesFen: 123_456_789, rateBps: 250, dueFen: 30_864_20 }]);
    expect(await accountBalance("buyerReceivable", { deal: id })).toBe(300_000_00 + 30_864_20);
    await balanced(id);
    expect(await actions(id)).toContain("royalty.reported");
    // Overlapping periods are refused.
    await refused(reportRoyalty(buyer, id, 2, { periodFrom: "2026-03-01", periodTo: "2026-04-30", sales: "1" }), ConflictError);
    const bad = await refused(
      reportRoyalty(buyer, id, 2, { periodFrom: "2026-05-01", periodTo: "2026-04-01", sales: "-1" }),
      ValidationError,
    );
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(["periodTo", "sales"]);

    const started = await startStageCheckout(buyer, id, 2, urls);
    expect(started.amountFen).toBe(30_864_20);
    await payCheckout(started.redirectUrl);
    await syncStageCheckout(buyer, id, 2);
    s = (await stagesOf(id))[1]!;
    expect(s).toMatchObject({ status: "paid", paidFen: 30_864_20 });
    await balanced(id);
    // The next quarter owes more again.
    await reportRoyalty(buyer, id, 2, { periodFrom: "2026-04-01", periodTo: "2026-06-30", sales: 100_000 });
    expect((await stagesOf(id))[1]).toMatchObject({ status: "partly-paid", amountFen: 30_864_20 + 2_500_00, shortFen: 2_500_00 });
    await balanced(id);
  });
});

describe("who may pay, report and see", () => {
  it("only the buyer side pays and reports; the seller, the broker and the bureau are refused; anyone else learns nothing", async () => {
    const id = await signedDeal({ royaltyPercent: 3 });
    const room = await openRoom(buyer, { from: "deal", dealId: id });
    await inviteBroker(buyer, room, { email: "dealbroker@agency-in.cn" });
    for (const who of [seller, dealBroker, bureau, admin]) {
      await refused(startStageCheckout(who, id, 1, urls), ForbiddenError);
      await refused(reportRoyalty(who, id, 2, { periodFrom: "2026-01-01", periodTo: "2026-01-31", sales: "1" }), ForbiddenError);
      expect((await dealStages(who, id)).stages).toHaveLength(2);
      expect((await stagePage(who, id, 1)).canPay).toBe(false);
    }
    await refused(startStageCheckout(outsider, id, 1, urls), NotFoundError);
    await refused(dealStages(outsider, id), NotFoundError);
    await refused(stagePage(outsider, id, 1), NotFoundError);
    await refused(stagePage(buyer, id, 9), NotFoundError);
    await refused(reportRoyalty(buyer, id, 1, { periodFrom: "2026-01-01", periodTo: "2026-01-31", sales: "1" }), ConflictError);
    expect((await stagePage(buyer, id, 1)).canPay).toBe(true);
    await refused(receiptsOverview(buyer), ForbiddenError);
  });
});
