import mongoose from "mongoose";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Payment, type PaymentPurpose, type PaymentStatus } from "~/models/payment.server.ts";
import { resetPaymentGateway, paymentGateway } from "~/services/payments/gateway.server.ts";
import { capturePayment, releasePayment } from "~/services/payments/holds.server.ts";
import { registerPaymentPurpose } from "~/services/payments/purposes.server.ts";
import { getPayment } from "~/services/payments/queries.server.ts";
import { refundPayment } from "~/services/payments/refunds.server.ts";
import { startCheckout, startHold } from "~/services/payments/start.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { transferToAccount } from "~/services/payments/transfers.server.ts";
import { applyGatewayEvent } from "~/services/payments/webhooks.server.ts";
import { ConflictError, ValidationError } from "~/utils/errors.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * The payments module on its own, with a purpose of the test's making: checkouts paid at once,
 * refunds in part and in full, transfers to a connected account, the purpose's owner reacting in
 * the same transaction, and payments stored before kinds and refunds existed. Through the real
 * `stripe` SDK against the shared local Stripe-compatible server, on the real replica set.
 */
const ORDER = "test-order" as PaymentPurpose;
const PICKY = "test-picky" as PaymentPurpose;
let apiBase: string;
let stripe: Stripe;
let webhooks: StripeWebhookListener;

/** What the owner of "test-order" saw, written in the payment's own transaction. */
const Seen = () => mongoose.connection.collection("test_payment_changes");
let pickyRefuses = false;

beforeAll(async () => {
  ({ apiBase, stripe, webhooks } = await connectLocalStripe());

  registerPaymentPurpose(ORDER, {
    async onStatus(session, payment, from, to) {
      await Seen().insertOne(
        { payment: payment.id, from, to, refunded: payment.refundedAmountFen, subject: payment.subject.id },
        { session },
      );
    },
  });
  registerPaymentPurpose(PICKY, {
    async onStatus() {
      if (pickyRefuses) throw new Error("the owner refuses this change");
    },
  });
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

const payer = () => ({ id: String(new mongoose.Types.ObjectId()), name: "文山三七合作社", email: "pay@coop.cn" });
const subject = () => ({ kind: "test-contract", id: String(new mongoose.Types.ObjectId()) });
const urls = { successUrl: "http://127.0.0.1:9/paid?session={CHECKOUT_SESSION_ID}", cancelUrl: "http://127.0.0.1:9/cancelled" };

async function paidCheckout(amountFen = 80_000_00, purpose = ORDER) {
  const s = subject();
  const started = await startCheckout({ purpose, payer: payer(), amountFen, subject: s, description: "技术转让合同 · 首期款", ...urls });
  expect((await payCheckout(started.redirectUrl)).status).toBe(303);
  expect(await syncPayment(started.paymentId)).toBe("succeeded");
  return { ...started, subjectId: s.id };
}

async function waitForDelivery(type: string, objectId: string) {
  for (let i = 0; i < 100; i++) {
    const d = webhooks.deliveries.find((x) => x.type === type && x.objectId === objectId);
    if (d) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${type} delivered for ${objectId}`);
}

const seen = async (paymentId: string) =>
  (await Seen().find({ payment: paymentId }).toArray()).map((c) => `${c.from}→${c.to}${c.refunded ? `:${c.refunded}` : ""}`);

async function refused<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(type);
  return e as T;
}

describe("checkouts: the payer pays now", () => {
  it("records the payment pending, paid on the gateway's page, succeeded on return; the owner sees each change", async () => {
    const { paymentId, redirectUrl, subjectId } = await (async () => {
      const s = subject();
      const started = await startCheckout({
        purpose: ORDER,
        payer: payer(),
        amountFen: 80_000_00,
        subject: s,
        description: "首期款",
        ...urls,
      });
      return { ...started, subjectId: s.id };
    })();
    expect(redirectUrl).toMatch(new RegExp(`^${apiBase}/pay/cs_test_`));
    expect(await getPayment(paymentId)).toMatchObject({ kind: "checkout", status: "pending", amountFen: 80_000_00, purpose: ORDER });
    // No hold: the money is taken at once.
    expect(await (await fetch(redirectUrl)).text()).not.toContain("预授权");

    expect((await payCheckout(redirectUrl)).status).toBe(303);
    expect(await syncPayment(paymentId)).toBe("succeeded");
    const view = await getPayment(paymentId);
    expect(view).toMatchObject({ status: "succeeded", checkoutUrl: null, subject: { kind: "test-contract", id: subjectId } });
    expect(view.succeededAt).not.toBeNull();
    expect(await seen(paymentId)).toEqual(["pending→succeeded"]);

    // The webhooks say the same, once; the second is a no-op.
    const checkoutRef = (await Payment.findById(paymentId).lean())!.checkoutRef!;
    const completed = await waitForDelivery("checkout.session.completed", checkoutRef);
    const event = paymentGateway().parseWebhook(completed.body, completed.signature);
    expect(event).toMatchObject({ type: "paid", paymentId, amountFen: 80_000_00 });
    expect(await applyGatewayEvent(event)).toBe("applied");
    expect(await applyGatewayEvent(event)).toBe("duplicate");
    expect(await seen(paymentId)).toEqual(["pending→succeeded"]);

    // A checkout is not a hold: nothing to capture or release.
    await refused(capturePayment(paymentId), ConflictError);
    await refused(releasePayment(paymentId), ConflictError);
  });

  it("applies a paid webhook that arrives before the payer returns", async () => {
    const started = await startCheckout({
      purpose: ORDER,
      payer: payer(),
      amountFen: 1_000_00,
      subject: subject(),
      description: "服务费",
      ...urls,
    });
    await payCheckout(started.redirectUrl);
    const checkoutRef = (await Payment.findById(started.paymentId).lean())!.checkoutRef!;
    const d = await waitForDelivery("checkout.session.completed", checkoutRef);
    expect(await applyGatewayEvent(paymentGateway().parseWebhook(d.body, d.signature))).toBe("applied");
    expect((await getPayment(started.paymentId)).status).toBe("succeeded");
    expect(await syncPayment(started.paymentId)).toBe("succeeded");
    expect(await seen(started.paymentId)).toEqual(["pending→succeeded"]);
  });

  it("refuses a purpose nobody registered, a bad amount and a bad subject, naming the field; nothing is stored", async () => {
    const before = await Payment.countDocuments();
    const e = await refused(
      startCheckout({
        purpose: "nobody" as PaymentPurpose,
        payer: payer(),
        amountFen: 0,
        subject: { kind: "x", id: "nope" },
        description: "x",
        ...urls,
      }),
      ValidationError,
    );
    expect(Object.keys(e.fieldErrors).sort()).toEqual(["amountFen", "purpose", "subject"]);
    expect(await Payment.countDocuments()).toBe(before);
  });

  it("an owner that refuses a change in its transaction leaves the payment as it was (the webhook is retried later)", async () => {
    const { paymentId, redirectUrl } = await startCheckout({
      purpose: PICKY,
      payer: payer(),
      amountFen: 2_000_00,
      subject: subject(),
      description: "x",
      ...urls,
    });
    await payCheckout(redirectUrl);
    pickyRefuses = true;
    try {
      await expect(syncPayment(paymentId)).rejects.toThrow("the owner refuses this change");
      expect((await getPayment(paymentId)).status).toBe("pending");
    } finally {
      pickyRefuses = false;
    }
    expect(await syncPayment(paymentId)).toBe("succeeded");
  });
});

describe("refunds", () => {
  it("refunds in parts under the caller's keys; a repeated key refunds once; more than is left is refused", async () => {
    const { paymentId } = await paidCheckout(80_000_00);
    expect(await refundPayment(paymentId, { key: "instalment-1", amountFen: 30_000_00 })).toEqual({
      status: "refunded",
      refundedAmountFen: 30_000_00,
    });
    // The same refund asked again (a retry): refunded once, the gateway not asked again.
    expect(await refundPayment(paymentId, { key: "instalment-1", amountFen: 30_000_00 })).toEqual({
      status: "refunded",
      refundedAmountFen: 30_000_00,
    });
    const tooMuch = await refused(refundPayment(paymentId, { key: "instalment-2", amountFen: 50_000_01 }), ValidationError);
    expect(tooMuch.fieldErrors).toEqual({ amountFen: ["payments.refundAmountInvalid"] });

    // The rest.
    expect(await refundPayment(paymentId, { key: "rest" })).toEqual({ status: "refunded", refundedAmountFen: 80_000_00 });
    expect((await refused(refundPayment(paymentId, { key: "again" }), ConflictError)).message).toBe("payments.alreadyRefunded");

    const p = await Payment.findById(paymentId).lean();
    expect(p!.refunds!.map((r) => [r.key, r.amount])).toEqual([
      ["instalment-1", 30_000_00],
      ["rest", 50_000_00],
    ]);
    const intent = await stripe.paymentIntents.retrieve(p!.intentRef!);
    expect(await stripe.charges.retrieve(intent.latest_charge as string)).toMatchObject({ amount_refunded: 80_000_00, refunded: true });
    expect(await seen(paymentId)).toEqual(["pending→succeeded", "succeeded→refunded:3000000", "refunded→refunded:8000000"]);

    // The gateway's notifications of the same refunds change nothing more, in whatever order they come.
    const events = [
      ...webhooks.deliveries.filter((d) => d.type === "charge.refunded" && d.objectId === intent.latest_charge),
      ...webhooks.deliveries.filter((d) => d.type === "refund.created" && p!.refunds!.some((r) => r.ref === d.objectId)),
    ];
    for (let i = 0; i < 100 && events.length < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
      events.splice(
        0,
        events.length,
        ...webhooks.deliveries.filter((d) => d.type === "charge.refunded" && d.objectId === intent.latest_charge),
        ...webhooks.deliveries.filter((d) => d.type === "refund.created" && p!.refunds!.some((r) => r.ref === d.objectId)),
      );
    }
    expect(events).toHaveLength(4);
    for (const d of events.reverse()) expect(await applyGatewayEvent(paymentGateway().parseWebhook(d.body, d.signature))).toBe("applied");
    const after = await Payment.findById(paymentId).lean();
    expect(after!.refundedAmount).toBe(80_000_00);
    expect(after!.refunds).toHaveLength(2);
    expect(await seen(paymentId)).toHaveLength(3);
  });

  it("records a refund made at the gateway (the dashboard) from its webhook", async () => {
    const { paymentId } = await paidCheckout(5_000_00);
    const intentRef = (await Payment.findById(paymentId).lean())!.intentRef!;
    const refund = await stripe.refunds.create({ payment_intent: intentRef, amount: 1_000_00 });
    const charge = (await stripe.paymentIntents.retrieve(intentRef)).latest_charge as string;
    const d = await waitForDelivery("charge.refunded", charge);
    const event = paymentGateway().parseWebhook(d.body, d.signature);
    expect(event).toMatchObject({ type: "refunded", paymentId, refundedTotalFen: 1_000_00 });
    expect(await applyGatewayEvent(event)).toBe("applied");
    expect(await getPayment(paymentId)).toMatchObject({ status: "refunded", refundedAmountFen: 1_000_00 });
    // Its refund.created carries no Payment id of ours (not made through the adapter): ignored, nothing counted twice.
    const created = await waitForDelivery("refund.created", refund.id);
    expect(paymentGateway().parseWebhook(created.body, created.signature).type).toBe("ignored");
    // The rest through the service: what the dashboard refunded is not refunded again.
    expect(await refundPayment(paymentId, { key: "rest" })).toEqual({ status: "refunded", refundedAmountFen: 5_000_00 });
  });

  it("refunds a captured hold up to what was captured, never a pending or released one", async () => {
    const s = subject();
    const hold = await startHold({ purpose: ORDER, payer: payer(), amountFen: 10_000_00, subject: s, description: "保证金", ...urls });
    expect((await refused(refundPayment(hold.paymentId, { key: "early" }), ConflictError)).message).toBe("payments.notRefundable");
    await payCheckout(hold.redirectUrl);
    expect(await syncPayment(hold.paymentId)).toBe("held");
    expect(await capturePayment(hold.paymentId, { amountFen: 6_000_00 })).toBe("captured");
    // Only the 6,000 taken can come back (the other 4,000 was released at the capture).
    await refused(refundPayment(hold.paymentId, { key: "too-much", amountFen: 6_000_01 }), ValidationError);
    expect(await refundPayment(hold.paymentId, { key: "all" })).toEqual({ status: "refunded", refundedAmountFen: 6_000_00 });
    expect(await seen(hold.paymentId)).toEqual(["pending→held", "held→captured", "captured→refunded:600000"]);
  });
});

describe("transfers to a connected account", () => {
  it("sends money once under the caller's key, with transfer.created; a refusal fails the transfer", async () => {
    await paidCheckout(50_000_00); // money in the platform's balance
    const account = await stripe.accounts.create({ type: "custom", country: "CN", capabilities: { transfers: { requested: true } } });
    const input = {
      purpose: ORDER,
      payee: { id: String(new mongoose.Types.ObjectId()), name: "西畴县农业科学研究所" },
      destination: account.id,
      amountFen: 20_000_00,
      subject: subject(),
      description: "成果转化收入 · 合同 1",
      key: `payout-${Date.now()}`,
    };
    const first = await transferToAccount(input);
    expect(first.status).toBe("succeeded");
    // Asked again (a retry after a crash): the same transfer, no second one.
    expect(await transferToAccount(input)).toEqual(first);
    const p = await Payment.findById(first.paymentId).lean();
    expect(p).toMatchObject({ kind: "transfer", status: "succeeded", destination: account.id, amount: 20_000_00 });
    expect(p!.payer).toBeUndefined();
    const transfer = await stripe.transfers.retrieve(p!.transferRef!);
    expect(transfer).toMatchObject({ amount: 20_000_00, destination: account.id, metadata: { paymentId: first.paymentId } });
    const requests = (await (await fetch(`${apiBase}/_local/requests`)).json()) as { data: { path: string; replayed: boolean }[] };
    expect(requests.data.filter((r) => r.path === "/v1/transfers" && !r.replayed).length).toBeGreaterThanOrEqual(1);
    expect(await seen(first.paymentId)).toEqual(["pending→succeeded"]);

    const d = await waitForDelivery("transfer.created", transfer.id);
    const event = paymentGateway().parseWebhook(d.body, d.signature);
    expect(event).toMatchObject({ type: "transfer.created", paymentId: first.paymentId, transferRef: transfer.id });
    expect(await applyGatewayEvent(event)).toBe("applied");
    expect(await seen(first.paymentId)).toEqual(["pending→succeeded"]);

    // The same key for another amount is a mistake, not a new transfer.
    expect((await refused(transferToAccount({ ...input, amountFen: 1 }), ConflictError)).message).toBe("payments.transferKeyReused");

    // An account that cannot receive transfers: refused by the gateway, the transfer failed, nothing sent.
    const cannot = await stripe.accounts.create({ type: "custom", country: "CN" });
    const refusedTransfer = await refused(transferToAccount({ ...input, destination: cannot.id, key: `${input.key}-b` }), ConflictError);
    expect(refusedTransfer.message).toBe("payments.transferRefused");
    const failed = await Payment.findOne({ requestKey: `${ORDER}:${input.key}-b` }).lean();
    expect(failed!.status).toBe("failed" satisfies PaymentStatus);
    expect(await transferToAccount({ ...input, destination: cannot.id, key: `${input.key}-b` })).toMatchObject({ status: "failed" });

    const bad = await refused(transferToAccount({ ...input, destination: "", amountFen: -1, key: "" }), ValidationError);
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(["amountFen", "destination", "key"]);
  });
});

describe("payments stored before kinds, refunds and transfers", () => {
  it("reads a stored deposit without a kind as a hold: it syncs, captures and refunds", async () => {
    const s = subject();
    const hold = await startHold({ purpose: ORDER, payer: payer(), amountFen: 3_000_00, subject: s, description: "旧保证金", ...urls });
    // As the schema stored it before this change: no kind.
    await Payment.collection.updateOne({ _id: new mongoose.Types.ObjectId(hold.paymentId) }, { $unset: { kind: "" } });
    await payCheckout(hold.redirectUrl);
    expect(await syncPayment(hold.paymentId)).toBe("held");
    expect((await getPayment(hold.paymentId)).kind).toBe("hold");
    expect(await capturePayment(hold.paymentId)).toBe("captured");
    expect(await refundPayment(hold.paymentId, { key: "k" })).toMatchObject({ refundedAmountFen: 3_000_00 });
  });
});
