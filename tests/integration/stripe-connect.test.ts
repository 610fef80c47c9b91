import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { startStripeServer, type StripeServer } from "../../server/stripe-local/index.ts";
import { tmpDir } from "../setup/tmp.ts";

/**
 * The local Stripe-compatible server's payment-mode Checkout, refunds, Connect (accounts, account
 * links and their onboarding page, transfers, reversals, balance), events and the webhook test
 * controls (delay, duplicate, resend, forced transfer failure), driven through the real `stripe`
 * SDK. Every webhook the server sends here is checked with `stripe.webhooks.constructEvent` on the
 * raw body, as the app does.
 */
let server: StripeServer;
let stripe: Stripe;
let receiver: http.Server;
let secret: string;
/** Every delivery, in arrival order, already verified. */
const received: Stripe.Event[] = [];
const badSignatures: string[] = [];

function sdk(url: string): Stripe {
  const u = new URL(url);
  return new Stripe("sk_test_chengguo_local", {
    host: u.hostname,
    port: Number(u.port),
    protocol: "http",
    maxNetworkRetries: 0,
    telemetry: false,
  });
}

beforeAll(async () => {
  server = await startStripeServer({ port: 0, retryDelaysMs: [50, 100], testControls: true });
  stripe = sdk(server.url);
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      try {
        received.push(stripe.webhooks.constructEvent(raw, String(req.headers["stripe-signature"]), secret));
      } catch (e) {
        badSignatures.push((e as Error).message);
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const endpoint = await stripe.webhookEndpoints.create({
    url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/stripe`,
    enabled_events: ["*"],
  });
  secret = endpoint.secret!;
});

afterAll(async () => {
  await server.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  expect(badSignatures).toEqual([]);
});

/** Waits (by polling, no fixed sleep) until the deliveries satisfy `done`. */
async function until<T>(probe: () => T | undefined | false, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const deliveredFor = (objectId: string) => received.filter((e) => (e.data.object as { id?: string }).id === objectId);

async function caught<T>(p: Promise<T>): Promise<InstanceType<typeof Stripe.errors.StripeError>> {
  try {
    await p;
  } catch (e) {
    return e as InstanceType<typeof Stripe.errors.StripeError>;
  }
  throw new Error("expected the call to fail");
}

const payParams = (amount: number, paymentId = "pay1"): Stripe.Checkout.SessionCreateParams => ({
  mode: "payment",
  line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: amount, product_data: { name: "技术转让合同 · 首期款" } } }],
  payment_intent_data: { metadata: { paymentId } },
  metadata: { paymentId },
  success_url: "http://127.0.0.1:9/return?session={CHECKOUT_SESSION_ID}",
  cancel_url: "http://127.0.0.1:9/cancelled",
  customer_email: "buyer@coop.cn",
});

async function paidIntent(amount: number): Promise<Stripe.PaymentIntent> {
  const session = await stripe.checkout.sessions.create(payParams(amount));
  expect((await payCheckout(session.url!)).status).toBe(303);
  return (await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] })).payment_intent as Stripe.PaymentIntent;
}

const cny = (b: Stripe.Balance) => b.available.find((x) => x.currency === "cny")!.amount;

async function onboard(account: Stripe.Account): Promise<void> {
  const link = await stripe.accountLinks.create({
    account: account.id,
    type: "account_onboarding",
    refresh_url: "http://127.0.0.1:9/payouts/refresh",
    return_url: "http://127.0.0.1:9/payouts/done",
  });
  const res = await fetch(link.url, { method: "POST", redirect: "manual" });
  expect(res.status).toBe(303);
}

async function control(path: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

describe("Checkout in payment mode (the buyer pays at once)", () => {
  it("a paid session sends checkout.session.completed, payment_intent.succeeded and charge.succeeded, each signed", async () => {
    const session = await stripe.checkout.sessions.create(payParams(88_000), { idempotencyKey: "cs-paid-1" });
    expect((await stripe.checkout.sessions.create(payParams(88_000), { idempotencyKey: "cs-paid-1" })).id).toBe(session.id);
    expect((await payCheckout(session.url!)).status).toBe(303);
    const after = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(after).toMatchObject({ status: "complete", payment_status: "paid" });
    const pi = after.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ status: "succeeded", amount_received: 88_000 });

    const completed = await until(() => deliveredFor(session.id).find((e) => e.type === "checkout.session.completed"), "completed");
    expect((completed.data.object as Stripe.Checkout.Session).payment_status).toBe("paid");
    await until(() => deliveredFor(pi.id).some((e) => e.type === "payment_intent.succeeded"), "payment_intent.succeeded");
    const charge = await until(() => deliveredFor(pi.latest_charge as string).find((e) => e.type === "charge.succeeded"), "charge");
    expect(charge.data.object as Stripe.Charge).toMatchObject({
      captured: true,
      amount_captured: 88_000,
      paid: true,
      payment_intent: pi.id,
    });
  });

  it("a declined card fails the PaymentIntent (payment_intent.payment_failed, charge.failed); another card pays the same one", async () => {
    const session = await stripe.checkout.sessions.create(payParams(12_000));
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("4000 0000 0000 0002");
    expect(page).toContain("4000 0000 0000 9995");
    expect((await payCheckout(session.url!, { card: "insufficient" })).status).toBe(402);
    const open = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(open.status).toBe("open");
    const failedPi = open.payment_intent as Stripe.PaymentIntent;
    expect(failedPi).toMatchObject({
      status: "requires_payment_method",
      last_payment_error: { code: "card_declined", decline_code: "insufficient_funds" },
    });
    const failed = await until(() => deliveredFor(failedPi.id).find((e) => e.type === "payment_intent.payment_failed"), "payment_failed");
    expect((failed.data.object as Stripe.PaymentIntent).metadata).toEqual({ paymentId: "pay1" });
    const chargeFailed = await until(
      () => deliveredFor(failedPi.latest_charge as string).find((e) => e.type === "charge.failed"),
      "charge.failed",
    );
    expect((chargeFailed.data.object as Stripe.Charge).outcome).toMatchObject({ type: "issuer_declined", reason: "insufficient_funds" });

    expect((await payCheckout(session.url!)).status).toBe(303);
    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({ status: "complete", payment_status: "paid", payment_intent: failedPi.id });
    expect((await stripe.paymentIntents.retrieve(failedPi.id)).status).toBe("succeeded");
  });
});

describe("refunds", () => {
  it("refunds in part and in full, lists them, refuses an over-refund like Stripe, and sends refund.updated", async () => {
    const pi = await paidIntent(50_000);
    const part = await stripe.refunds.create({ payment_intent: pi.id, amount: 10_000 }, { idempotencyKey: `re-${pi.id}-1` });
    expect((await stripe.refunds.create({ payment_intent: pi.id, amount: 10_000 }, { idempotencyKey: `re-${pi.id}-1` })).id).toBe(part.id);
    const tooMuch = await caught(stripe.refunds.create({ payment_intent: pi.id, amount: 40_001 }));
    expect(tooMuch).toMatchObject({ type: "StripeInvalidRequestError", code: "amount_too_large", param: "amount", statusCode: 400 });
    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(40_000);
    const again = await caught(stripe.refunds.create({ payment_intent: pi.id }));
    expect(again.code).toBe("charge_already_refunded");

    const listed = await stripe.refunds.list({ payment_intent: pi.id });
    expect(listed.data.map((r) => r.id)).toEqual([rest.id, part.id]);
    expect((await stripe.refunds.list({ payment_intent: pi.id, limit: 1 })).has_more).toBe(true);

    const updated = await stripe.refunds.update(part.id, { metadata: { ledger: "posted" } });
    expect(updated.metadata).toEqual({ ledger: "posted" });
    const event = await until(() => deliveredFor(part.id).find((e) => e.type === "refund.updated"), "refund.updated");
    expect(event.data.previous_attributes).toEqual({ metadata: {} });
    await until(() => deliveredFor(pi.latest_charge as string).filter((e) => e.type === "charge.refunded").length === 2, "charge.refunded");
  });
});

describe("Connect: accounts, onboarding, transfers, reversals, balance", () => {
  it("an express account is onboarded through an account link: account.updated, and the link works once", async () => {
    const account = await stripe.accounts.create(
      { type: "express", country: "CN", email: "seller@nongke.cn", capabilities: { transfers: { requested: true } } },
      { idempotencyKey: "acct-seller-1" },
    );
    expect(
      (
        await stripe.accounts.create(
          { type: "express", country: "CN", email: "seller@nongke.cn", capabilities: { transfers: { requested: true } } },
          { idempotencyKey: "acct-seller-1" },
        )
      ).id,
    ).toBe(account.id);
    expect(account).toMatchObject({
      details_submitted: false,
      charges_enabled: false,
      payouts_enabled: false,
      capabilities: { transfers: "inactive" },
    });
    // What the app shows as "still to do" before the account can be paid.
    expect(account.requirements?.currently_due).toContain("external_account");
    expect((await stripe.accounts.list({ limit: 100 })).data.map((a) => a.id)).toContain(account.id);

    const link = await stripe.accountLinks.create(
      { account: account.id, type: "account_onboarding", refresh_url: "http://127.0.0.1:9/refresh", return_url: "http://127.0.0.1:9/done" },
      { idempotencyKey: "link-seller-1" },
    );
    expect(link).toMatchObject({ object: "account_link" });
    expect(link.expires_at).toBeGreaterThan(link.created);
    const page = await (await fetch(link.url)).text();
    expect(page).toContain("收款账户开通");
    const submitted = await fetch(link.url, { method: "POST", redirect: "manual" });
    expect(submitted.headers.get("location")).toBe("http://127.0.0.1:9/done");
    expect(await stripe.accounts.retrieve(account.id)).toMatchObject({
      details_submitted: true,
      charges_enabled: true,
      payouts_enabled: true,
      capabilities: { transfers: "active" },
      requirements: { currently_due: [], disabled_reason: null },
    });
    const updated = await until(() => deliveredFor(account.id).find((e) => e.type === "account.updated"), "account.updated");
    expect(updated.data.previous_attributes).toMatchObject({ details_submitted: false, payouts_enabled: false });
    // Used once: the link now sends the person to refresh_url for a new one, as on Stripe.
    expect((await fetch(link.url, { redirect: "manual" })).headers.get("location")).toBe("http://127.0.0.1:9/refresh");

    const missing = await caught(
      stripe.accountLinks.create({ account: account.id, type: "account_onboarding", return_url: "http://127.0.0.1:9/done" }),
    );
    expect(missing).toMatchObject({ code: "parameter_missing", param: "refresh_url" });
  });

  it("transfers from the balance, refuses more than is available, can be forced to fail, and reverses; the balance follows", async () => {
    const account = await stripe.accounts.create({ type: "express", country: "CN", capabilities: { transfers: { requested: true } } });
    const before = await caught(stripe.transfers.create({ amount: 100, currency: "cny", destination: account.id }));
    expect(before.code).toBe("insufficient_capabilities_for_transfer");
    await onboard(account);

    const start = cny(await stripe.balance.retrieve());
    const pi = await paidIntent(60_000);
    expect(cny(await stripe.balance.retrieve())).toBe(start + 60_000);
    await stripe.refunds.create({ payment_intent: pi.id, amount: 5_000 });
    expect(cny(await stripe.balance.retrieve())).toBe(start + 55_000);

    const transfer = await stripe.transfers.create(
      { amount: 30_000, currency: "cny", destination: account.id, metadata: { paymentId: "payout1" } },
      { idempotencyKey: "transfer-payout1" },
    );
    expect(cny(await stripe.balance.retrieve())).toBe(start + 25_000);
    expect((await stripe.transfers.list({ destination: account.id })).data.map((t) => t.id)).toEqual([transfer.id]);

    const broke = await caught(stripe.transfers.create({ amount: start + 25_001, currency: "cny", destination: account.id }));
    expect(broke).toMatchObject({ code: "balance_insufficient", statusCode: 400, type: "StripeInvalidRequestError" });

    // Forced failures for tests: armed once through the control endpoint, or always by the account's metadata.
    expect((await control("/_local/transfers/fail", { destination: account.id })).status).toBe(200);
    const forced = await caught(
      stripe.transfers.create({ amount: 100, currency: "cny", destination: account.id }, { idempotencyKey: "t-forced" }),
    );
    expect(forced).toMatchObject({ code: "transfers_not_allowed", param: "destination" });
    // Stripe keeps a refusal under its idempotency key; a retry with a new key goes through.
    expect(
      (await caught(stripe.transfers.create({ amount: 100, currency: "cny", destination: account.id }, { idempotencyKey: "t-forced" })))
        .code,
    ).toBe("transfers_not_allowed");
    expect(
      (await stripe.transfers.create({ amount: 100, currency: "cny", destination: account.id }, { idempotencyKey: "t-forced-2" })).amount,
    ).toBe(100);
    const failing = await stripe.accounts.create({
      type: "custom",
      country: "CN",
      capabilities: { transfers: { requested: true } },
      metadata: { local_transfer_failure: "true" },
    });
    expect((await caught(stripe.transfers.create({ amount: 100, currency: "cny", destination: failing.id }))).code).toBe(
      "transfers_not_allowed",
    );

    const part = await stripe.transfers.createReversal(transfer.id, { amount: 10_000 }, { idempotencyKey: "rev-payout1-1" });
    expect((await stripe.transfers.createReversal(transfer.id, { amount: 10_000 }, { idempotencyKey: "rev-payout1-1" })).id).toBe(part.id);
    expect(part).toMatchObject({ object: "transfer_reversal", amount: 10_000, transfer: transfer.id });
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({ amount_reversed: 10_000, reversed: false });
    const over = await caught(stripe.transfers.createReversal(transfer.id, { amount: 20_001 }));
    expect(over).toMatchObject({ code: "amount_too_large", param: "amount" });
    await stripe.transfers.createReversal(transfer.id);
    expect(await stripe.transfers.retrieve(transfer.id)).toMatchObject({ amount_reversed: 30_000, reversed: true });
    expect((await stripe.transfers.listReversals(transfer.id)).data).toHaveLength(2);
    expect((await stripe.transfers.retrieveReversal(transfer.id, part.id)).amount).toBe(10_000);
    expect(cny(await stripe.balance.retrieve())).toBe(start + 55_000 - 100);

    const reversed = await until(
      () => deliveredFor(transfer.id).filter((e) => e.type === "transfer.reversed").length === 2 && deliveredFor(transfer.id),
      "transfer.reversed",
    );
    expect(reversed.map((e) => e.type)).toEqual(["transfer.created", "transfer.reversed", "transfer.reversed"]);
  });
});

describe("events and webhook test controls", () => {
  it("lists and retrieves events by type, newest first", async () => {
    const pi = await paidIntent(1_000);
    const list = await stripe.events.list({ type: "payment_intent.succeeded", limit: 3 });
    expect(list.data[0]!.type).toBe("payment_intent.succeeded");
    expect((list.data[0]!.data.object as Stripe.PaymentIntent).id).toBe(pi.id);
    expect(list.data.every((e) => e.type === "payment_intent.succeeded")).toBe(true);
    const one = await stripe.events.retrieve(list.data[0]!.id);
    expect(one.id).toBe(list.data[0]!.id);
    const page2 = await stripe.events.list({ limit: 2, starting_after: list.data[0]!.id });
    expect(page2.data.map((e) => e.id)).not.toContain(list.data[0]!.id);
    expect((await caught(stripe.events.retrieve("evt_nope"))).statusCode).toBe(404);
  });

  it("a delayed webhook arrives after later ones; a duplicated or resent one arrives twice with the same id", async () => {
    expect((await control("/_local/webhooks/delay", { type: "checkout.session.completed", ms: 300 })).status).toBe(200);
    const session = await stripe.checkout.sessions.create(payParams(2_000));
    await payCheckout(session.url!);
    const pi = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    await until(() => deliveredFor(session.id).length === 1, "the delayed completion");
    const order = received.filter((e) => [session.id, pi].includes((e.data.object as { id: string }).id)).map((e) => e.type);
    expect(order.indexOf("payment_intent.succeeded")).toBeLessThan(order.indexOf("checkout.session.completed"));

    expect((await control("/_local/webhooks/duplicate", { type: "refund.created" })).status).toBe(200);
    const refund = await stripe.refunds.create({ payment_intent: pi, amount: 500 });
    const twice = await until(() => deliveredFor(refund.id).length === 2 && deliveredFor(refund.id), "the duplicate");
    expect(twice.map((e) => e.id)).toEqual([twice[0]!.id, twice[0]!.id]);

    const completedId = deliveredFor(session.id)[0]!.id;
    expect((await control(`/_local/events/${completedId}/resend`)).status).toBe(200);
    await until(() => deliveredFor(session.id).length === 2, "the resent completion");
    expect(deliveredFor(session.id).map((e) => e.id)).toEqual([completedId, completedId]);
  });

  it("refuses the test controls unless the server was started with them", async () => {
    const plain = await startStripeServer({ port: 0, testControls: false });
    try {
      const res = await fetch(`${plain.url}/_local/webhooks/delay`, { method: "POST", body: JSON.stringify({ type: "x", ms: 1 }) });
      expect(res.status).toBe(403);
    } finally {
      await plain.close();
    }
  });
});

describe("state files from before", () => {
  it("objects stored without Stripe's newer fields get them when the file is read", async () => {
    const dir = await tmpDir("stripe-old");
    const file = path.join(dir, "stripe-local.json");
    // What the server wrote before this change: a held PaymentIntent and an account created onboarded.
    const old = {
      version: 1,
      sessions: {},
      intents: {
        pi_old: {
          id: "pi_old",
          object: "payment_intent",
          amount: 500,
          amount_capturable: 500,
          amount_received: 0,
          canceled_at: null,
          cancellation_reason: null,
          capture_method: "manual",
          client_secret: "pi_old_secret_x",
          confirmation_method: "automatic",
          created: 1_700_000_000,
          currency: "cny",
          customer: null,
          description: null,
          last_payment_error: null,
          latest_charge: null,
          livemode: false,
          metadata: {},
          payment_method: "pm_x",
          payment_method_types: ["card"],
          receipt_email: null,
          status: "requires_capture",
        },
      },
      charges: {},
      refunds: {},
      accounts: {
        acct_old: {
          id: "acct_old",
          object: "account",
          business_type: null,
          capabilities: { transfers: "active" },
          charges_enabled: false,
          country: "CN",
          created: 1_700_000_000,
          default_currency: "cny",
          details_submitted: true,
          email: null,
          metadata: {},
          payouts_enabled: true,
          type: "express",
        },
      },
      transfers: {},
      endpoints: {},
      events: [],
      idempotency: {},
    };
    await fs.writeFile(file, JSON.stringify(old));
    const restarted = await startStripeServer({ port: 0, stateFile: file });
    try {
      const client = sdk(restarted.url);
      const pi = await client.paymentIntents.retrieve("pi_old");
      expect(pi).toMatchObject({ status: "requires_capture", next_action: null, transfer_group: null, amount_details: { tip: {} } });
      const account = await client.accounts.retrieve("acct_old");
      expect(account.requirements).toMatchObject({ currently_due: [], disabled_reason: null });
      expect(account.external_accounts).toMatchObject({ object: "list", data: [] });
    } finally {
      await restarted.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
