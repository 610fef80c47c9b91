import mongoose from "mongoose";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuctionRegistration } from "~/models/auction.server.ts";
import { Payment, WebhookEvent } from "~/models/payment.server.ts";
import { applyGatewayEvent } from "~/services/payments/webhooks.server.ts";
import { getPayment } from "~/services/payments/queries.server.ts";
import { syncPayment } from "~/services/payments/sync.server.ts";
import { captureDeposit, releaseDeposit, startDepositHold } from "~/services/trading/auctions/deposits.server.ts";
import { paymentGateway, resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import { PaymentSignatureError } from "~/services/payments/types.ts";
import { env, setPaymentEndpoints } from "~/utils/env.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { action as webhookAction, loader as webhookLoader } from "~/routes/webhooks.stripe.ts";
import { freePort } from "../../server/embedded/process.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { connectLocalStripe, type StripeWebhookListener } from "../support/stripe-webhooks.ts";

/**
 * Deposits (保证金) held, captured and released through the real `stripe` SDK against the shared
 * local Stripe-compatible server (tests/setup/services.global.ts), on the real replica set.
 */
const KEY = "sk_test_chengguo_local";
let apiBase: string;
let stripe: Stripe;
let webhookSecret: string;
let webhooks: StripeWebhookListener;
let registrationNo = 0;

beforeAll(async () => {
  ({ apiBase, stripe, webhooks } = await connectLocalStripe());
  webhookSecret = webhooks.webhookSecret;
});

afterAll(async () => {
  await webhooks.close();
  resetPaymentGateway();
});

async function registration() {
  const user = new mongoose.Types.ObjectId();
  const reg = await AuctionRegistration.create({
    auction: new mongoose.Types.ObjectId(),
    user,
    userName: "兴街镇合作社",
    number: ++registrationNo,
    agreementVersion: "2025-01",
    agreementAcceptedAt: new Date(),
    deposit: { status: "none", amount: 500_000 },
  });
  return { regId: String(reg._id), userId: String(user) };
}

async function startHold(regId: string, userId: string) {
  return startDepositHold({
    payer: { id: userId, name: "兴街镇合作社", email: "buyer@coop.cn" },
    amountFen: 500_000,
    subject: { kind: "auction-registration", id: regId },
    description: "竞买保证金 Deposit · 三七根腐病生物防治菌剂",
    successUrl: "http://127.0.0.1:9/auctions/a1/deposit?session={CHECKOUT_SESSION_ID}",
    cancelUrl: "http://127.0.0.1:9/auctions/a1",
  });
}

/** A registration whose deposit is held (paid on the hosted page, return page synced). */
async function heldDeposit() {
  const { regId, userId } = await registration();
  const { paymentId, redirectUrl } = await startHold(regId, userId);
  expect((await payCheckout(redirectUrl)).status).toBe(303);
  expect(await syncPayment(paymentId)).toBe("held");
  return { regId, paymentId };
}

const depositStatus = async (regId: string) => (await AuctionRegistration.findById(regId).lean())!.deposit!.status;

async function serverRequests(pathPart: string) {
  const res = await fetch(`${apiBase}/_local/requests`);
  const { data } = (await res.json()) as { data: { method: string; path: string; replayed: boolean; status: number }[] };
  return data.filter((r) => r.path.includes(pathPart));
}

async function waitForDelivery(type: string, objectId: string) {
  for (let i = 0; i < 100; i++) {
    const d = webhooks.deliveries.find((x) => x.type === type && x.objectId === objectId);
    if (d) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${type} delivered for ${objectId}`);
}

async function expectConflict(p: Promise<unknown>, message: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConflictError);
  expect((err as ConflictError).message).toBe(message);
}

describe("deposits through Stripe Checkout with manual capture", () => {
  it("holds a deposit: pending until paid, then held on the return page, mirrored into the registration", async () => {
    const { regId, userId } = await registration();
    const { paymentId, redirectUrl } = await startHold(regId, userId);
    expect(redirectUrl).toMatch(new RegExp(`^${apiBase}/pay/cs_test_`));
    expect(await depositStatus(regId)).toBe("pending");
    const reg = await AuctionRegistration.findById(regId).lean();
    expect(String(reg!.deposit!.payment)).toBe(paymentId);

    // Leaving the page and starting again gives the same page, not a second hold.
    expect(await startHold(regId, userId)).toEqual({ paymentId, redirectUrl });

    const paid = await payCheckout(redirectUrl);
    expect(paid.status).toBe(303);
    const view = await getPayment(paymentId);
    expect(paid.location).toBe(`http://127.0.0.1:9/auctions/a1/deposit?session=${(await Payment.findById(paymentId).lean())!.checkoutRef}`);
    expect(view.status).toBe("pending"); // nothing applied yet: no webhook handled, no sync

    expect(await syncPayment(paymentId)).toBe("held");
    expect(await depositStatus(regId)).toBe("held");
    const held = await getPayment(paymentId);
    expect(held).toMatchObject({ status: "held", amountFen: 500_000, checkoutUrl: null });
    expect(held.heldAt).not.toBeNull();
    expect(held.history.map((h) => `${h.status}:${h.source}`)).toEqual(["pending:start", "held:sync"]);
    // The money is really authorised, not taken, at the gateway.
    const pi = await stripe.paymentIntents.retrieve((await Payment.findById(paymentId).lean())!.intentRef!);
    expect(pi).toMatchObject({ status: "requires_capture", amount_capturable: 500_000, amount_received: 0 });

    await expectConflict(startHold(regId, userId), "payments.depositAlreadyHeld");
  });

  it("applies a delivered webhook exactly once; the replay is a duplicate and changes nothing", async () => {
    const { regId, userId } = await registration();
    const { paymentId, redirectUrl } = await startHold(regId, userId);
    await payCheckout(redirectUrl);
    const checkoutRef = (await Payment.findById(paymentId).lean())!.checkoutRef!;
    const delivery = await waitForDelivery("checkout.session.completed", checkoutRef);

    // What POST /webhooks/stripe does with it.
    const event = paymentGateway().parseWebhook(delivery.body, delivery.signature);
    expect(event).toMatchObject({ type: "hold.succeeded", paymentId, checkoutRef });
    expect(await applyGatewayEvent(event)).toBe("applied");
    expect(await depositStatus(regId)).toBe("held");
    const once = await Payment.findById(paymentId).lean();

    expect(await applyGatewayEvent(paymentGateway().parseWebhook(delivery.body, delivery.signature))).toBe("duplicate");
    const twice = await Payment.findById(paymentId).lean();
    expect(twice!.history).toHaveLength(once!.history.length);
    expect(twice!.updatedAt).toEqual(once!.updatedAt);
    expect(await WebhookEvent.countDocuments({ _id: event.id })).toBe(1);

    // Two deliveries of the same event at the same moment: still applied once.
    const intentEvent = await waitForDelivery("payment_intent.amount_capturable_updated", once!.intentRef!);
    const parsed = paymentGateway().parseWebhook(intentEvent.body, intentEvent.signature);
    const results = await Promise.all([applyGatewayEvent(parsed), applyGatewayEvent(parsed)]);
    expect(results.sort()).toEqual(["applied", "duplicate"]);

    // A body changed in transit does not verify, so it is never applied.
    const forged = delivery.body.replace(`"paymentId": "${paymentId}"`, `"paymentId": "${new mongoose.Types.ObjectId()}"`);
    expect(forged).not.toBe(delivery.body);
    expect(() => paymentGateway().parseWebhook(forged, delivery.signature)).toThrow(PaymentSignatureError);
    expect(() => paymentGateway().parseWebhook(delivery.body, null)).toThrow(PaymentSignatureError);
  });

  it("a capture made at the gateway that is delivered before the hold is not taken (deferred), and applies when delivered again after it", async () => {
    const { regId, userId } = await registration();
    const { paymentId, redirectUrl } = await startHold(regId, userId);
    expect((await payCheckout(redirectUrl)).status).toBe(303);
    const checkoutRef = (await Payment.findById(paymentId).lean())!.checkoutRef!;
    const intentRef = (await stripe.checkout.sessions.retrieve(checkoutRef)).payment_intent as string;
    // Captured at the gateway (its dashboard); Stripe may deliver that before the hold's events.
    await stripe.paymentIntents.capture(intentRef);
    const captured = await waitForDelivery("payment_intent.succeeded", intentRef);
    const early = paymentGateway().parseWebhook(captured.body, captured.signature);
    expect(early).toMatchObject({ type: "captured", paymentId });
    expect(await applyGatewayEvent(early)).toBe("deferred");
    expect((await Payment.findById(paymentId).lean())!.status).toBe("pending");
    expect(await WebhookEvent.countDocuments({ _id: early.id })).toBe(0);

    const completed = await waitForDelivery("checkout.session.completed", checkoutRef);
    expect(await applyGatewayEvent(paymentGateway().parseWebhook(completed.body, completed.signature))).toBe("applied");
    expect(await depositStatus(regId)).toBe("held");
    // The gateway's retry of the capture: applied now, once.
    expect(await applyGatewayEvent(early)).toBe("applied");
    expect(await applyGatewayEvent(early)).toBe("duplicate");
    const p = (await Payment.findById(paymentId).lean())!;
    expect(p.status).toBe("captured");
    expect(p.history.filter((h) => h.status === "captured")).toHaveLength(1);
    expect(await depositStatus(regId)).toBe("captured");
  });

  it("releases a held deposit once: a second release calls nobody, a capture after it is refused", async () => {
    const { regId, paymentId } = await heldDeposit();
    const intentRef = (await Payment.findById(paymentId).lean())!.intentRef!;

    expect(await releaseDeposit(paymentId)).toBe("released");
    expect(await releaseDeposit(paymentId)).toBe("released");
    expect(await serverRequests(`/v1/payment_intents/${intentRef}/cancel`)).toHaveLength(1);
    expect((await stripe.paymentIntents.retrieve(intentRef)).status).toBe("canceled");
    expect(await depositStatus(regId)).toBe("released");

    // Released money cannot be taken any more; the gateway is not even asked.
    await expectConflict(captureDeposit(paymentId), "payments.notHeld");
    expect(await serverRequests(`/v1/payment_intents/${intentRef}/capture`)).toHaveLength(0);
    expect((await getPayment(paymentId)).status).toBe("released");

    // The canceled webhook arriving afterwards is applied without changing anything.
    const d = await waitForDelivery("payment_intent.canceled", intentRef);
    const event = paymentGateway().parseWebhook(d.body, d.signature);
    expect(event.type).toBe("released");
    expect(await applyGatewayEvent(event)).toBe("applied");
    expect((await Payment.findById(paymentId).lean())!.history.filter((h) => h.status === "released")).toHaveLength(1);
  });

  it("two processes releasing the same deposit at once cancel the PaymentIntent once", async () => {
    const { regId, paymentId } = await heldDeposit();
    const intentRef = (await Payment.findById(paymentId).lean())!.intentRef!;

    expect(await Promise.all([releaseDeposit(paymentId), releaseDeposit(paymentId)])).toEqual(["released", "released"]);
    const cancels = await serverRequests(`/v1/payment_intents/${intentRef}/cancel`);
    // Both may reach the gateway, but the shared idempotency key makes the second a replay.
    expect(cancels.filter((r) => !r.replayed)).toHaveLength(1);
    expect(cancels.every((r) => r.status === 200)).toBe(true);
    const events = (await (await fetch(`${apiBase}/_local/events?type=payment_intent.canceled&object=${intentRef}`)).json()) as {
      data: unknown[];
    };
    expect(events.data).toHaveLength(1);
    expect(await depositStatus(regId)).toBe("released");
    expect((await Payment.findById(paymentId).lean())!.history.filter((h) => h.status === "released")).toHaveLength(1);
  });

  it("captures the winner's deposit once; releasing it afterwards is refused", async () => {
    const { regId, paymentId } = await heldDeposit();
    const intentRef = (await Payment.findById(paymentId).lean())!.intentRef!;

    expect(await Promise.all([captureDeposit(paymentId), captureDeposit(paymentId)])).toEqual(["captured", "captured"]);
    expect(await captureDeposit(paymentId)).toBe("captured");
    expect((await serverRequests(`/v1/payment_intents/${intentRef}/capture`)).filter((r) => !r.replayed)).toHaveLength(1);
    const pi = await stripe.paymentIntents.retrieve(intentRef);
    expect(pi).toMatchObject({ status: "succeeded", amount_received: 500_000 });
    expect(await depositStatus(regId)).toBe("captured");
    expect((await getPayment(paymentId)).capturedAmountFen).toBe(500_000);

    await expectConflict(releaseDeposit(paymentId), "payments.alreadyCaptured");
    expect(await serverRequests(`/v1/payment_intents/${intentRef}/cancel`)).toHaveLength(0);
  });

  it("releasing a deposit the payer never paid closes the payment page and marks it failed", async () => {
    const { regId, userId } = await registration();
    const { paymentId, redirectUrl } = await startHold(regId, userId);
    expect(await releaseDeposit(paymentId)).toBe("failed");
    expect(await depositStatus(regId)).toBe("failed");
    const checkoutRef = (await Payment.findById(paymentId).lean())!.checkoutRef!;
    expect((await stripe.checkout.sessions.retrieve(checkoutRef)).status).toBe("expired");
    // The payer coming back to the page can no longer pay.
    const late = await payCheckout(redirectUrl);
    expect(late.location).toBeNull();
    expect(await releaseDeposit(paymentId)).toBe("failed");
    expect(await serverRequests(`/v1/checkout/sessions/${checkoutRef}/expire`)).toHaveLength(1);

    // A new hold for the same registration works after that.
    const next = await startHold(regId, userId);
    expect(next.paymentId).not.toBe(paymentId);
    expect(await depositStatus(regId)).toBe("pending");
  });

  it("a declined card does not end the hold; another card on the same page holds it", async () => {
    const { regId, userId } = await registration();
    const { paymentId, redirectUrl } = await startHold(regId, userId);
    expect((await payCheckout(redirectUrl, { card: "decline" })).status).toBe(402);
    expect(await syncPayment(paymentId)).toBe("pending");
    expect((await payCheckout(redirectUrl)).status).toBe(303);
    expect(await syncPayment(paymentId)).toBe("held");
    expect(await depositStatus(regId)).toBe("held");
  });

  it("with the gateway down, starting a hold gives a domain error and leaves the payment failed, not pending", async () => {
    const { regId, userId } = await registration();
    const closed = `http://127.0.0.1:${await freePort()}`;
    setPaymentEndpoints({ apiBase: closed, secretKey: KEY, webhookSecret });
    resetPaymentGateway();
    try {
      expect(env().STRIPE_API_BASE).toBe(closed);
      await expectConflict(startHold(regId, userId), "payments.gatewayUnavailable");
    } finally {
      setPaymentEndpoints({ apiBase, secretKey: KEY, webhookSecret });
      resetPaymentGateway();
    }
    const payments = await Payment.find({ "subject.id": regId }).lean();
    expect(payments).toHaveLength(1);
    expect(payments[0]!.status).toBe("failed");
    expect(payments[0]!.checkoutRef).toBeUndefined();
    expect(await depositStatus(regId)).toBe("failed");

    // Once the gateway is back, the payer can simply try again.
    const again = await startHold(regId, userId);
    expect((await payCheckout(again.redirectUrl)).status).toBe(303);
    expect(await syncPayment(again.paymentId)).toBe("held");
  });
});

describe("POST /webhooks/stripe", () => {
  const post = (body: string, signature: string | null) =>
    webhookAction({
      request: new Request("http://127.0.0.1/webhooks/stripe", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(signature ? { "Stripe-Signature": signature } : {}) },
        body,
      }),
      params: {},
      context: { clientIp: "127.0.0.1" },
    });

  it("verifies the raw body, applies the event, and answers 200 also for the replay; 400 for a bad signature", async () => {
    const { regId, userId } = await registration();
    const { paymentId, redirectUrl } = await startHold(regId, userId);
    await payCheckout(redirectUrl);
    const checkoutRef = (await Payment.findById(paymentId).lean())!.checkoutRef!;
    const d = await waitForDelivery("checkout.session.completed", checkoutRef);

    const first = await post(d.body, d.signature);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, result: "applied" });
    expect(await depositStatus(regId)).toBe("held");

    const replay = await post(d.body, d.signature);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ received: true, result: "duplicate" });

    const forged = await post(d.body.replace(checkoutRef, "cs_test_forged"), d.signature);
    expect(forged.status).toBe(400);
    expect((await post(d.body, null)).status).toBe(400);
    // Signed with another secret (someone else's endpoint): refused too.
    const otherSecret = Stripe.webhooks.generateTestHeaderString({ payload: d.body, secret: "whsec_someoneelse" });
    expect((await post(d.body, otherSecret)).status).toBe(400);
  });

  it("takes deliveries only", async () => {
    const res = webhookLoader();
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("POST");
  });
});
