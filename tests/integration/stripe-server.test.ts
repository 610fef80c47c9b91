import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server.ts";
import { EmbeddedError } from "../../server/embedded/process.ts";
import { freePort } from "../../server/embedded/process.ts";
import { LOCAL_STRIPE_KEY, startPaymentsGateway } from "../../server/embedded/stripe.ts";
import { tmpDir } from "../setup/tmp.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { startStripeServer, type StripeServer } from "../../server/stripe-local/index.ts";

/**
 * The local Stripe-compatible server, driven through the real `stripe` SDK (no mocks): the app's
 * payments are only as trustworthy as this server's likeness to Stripe. Its own instance (not
 * the shared one) so it can be restarted on the same state file. Long because it walks each
 * object's state machine (Checkout, PaymentIntent, Refund, Connect transfer) and the webhooks.
 */
let dir: string;
let stateFile: string;
let server: StripeServer;
let stripe: Stripe;

function sdk(url: string, key = "sk_test_chengguo_local"): Stripe {
  const u = new URL(url);
  return new Stripe(key, { host: u.hostname, port: Number(u.port), protocol: "http", maxNetworkRetries: 0, telemetry: false });
}

async function startServer(): Promise<void> {
  server = await startStripeServer({ port: 0, stateFile, retryDelaysMs: [50, 100, 200] });
  stripe = sdk(server.url);
}

beforeAll(async () => {
  dir = await tmpDir("stripe");
  stateFile = path.join(dir, "stripe-local.json");
  await startServer();
});

afterAll(async () => {
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const holdParams = (over: Partial<Stripe.Checkout.SessionCreateParams> = {}): Stripe.Checkout.SessionCreateParams => ({
  mode: "payment",
  line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: 500_000, product_data: { name: "竞买保证金 · 三七菌剂" } } }],
  payment_intent_data: { capture_method: "manual", metadata: { paymentId: "p1" } },
  metadata: { paymentId: "p1" },
  client_reference_id: "p1",
  success_url: "http://127.0.0.1:9/return?session={CHECKOUT_SESSION_ID}",
  cancel_url: "http://127.0.0.1:9/cancelled",
  customer_email: "buyer@coop.cn",
  ...over,
});

async function localJson<T>(p: string): Promise<T> {
  return (await (await fetch(`${server.url}${p}`)).json()) as T;
}

async function caught<T>(p: Promise<T>): Promise<InstanceType<typeof Stripe.errors.StripeError>> {
  try {
    await p;
  } catch (e) {
    return e as InstanceType<typeof Stripe.errors.StripeError>;
  }
  throw new Error("expected the call to fail");
}

describe("local Stripe-compatible server through the real SDK", () => {
  it("holds a deposit through Checkout with manual capture, then captures it", async () => {
    const session = await stripe.checkout.sessions.create(holdParams());
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toMatchObject({
      object: "checkout.session",
      status: "open",
      payment_status: "unpaid",
      payment_intent: null,
      amount_total: 500_000,
      currency: "cny",
      livemode: false,
    });
    expect(session.url).toBe(`${server.url}/pay/${session.id}`);

    // The hosted page shows what is paid for and how much.
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("竞买保证金 · 三七菌剂");
    expect(page).toContain("¥5,000.00");

    const paid = await payCheckout(session.url!);
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(`http://127.0.0.1:9/return?session=${session.id}`);

    const after = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(after.status).toBe("complete");
    const pi = after.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({
      object: "payment_intent",
      status: "requires_capture",
      capture_method: "manual",
      amount: 500_000,
      amount_capturable: 500_000,
      amount_received: 0,
      metadata: { paymentId: "p1" },
    });
    expect(pi.id).toMatch(/^pi_/);

    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 300_000 });
    expect(captured).toMatchObject({ status: "succeeded", amount_received: 300_000, amount_capturable: 0 });

    // A captured PaymentIntent cannot be canceled: Stripe's envelope arrives as the SDK's error class.
    const err = await caught(stripe.paymentIntents.cancel(pi.id));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("payment_intent_unexpected_state");
    expect(err.message).toMatch(/because it has a status of succeeded/);
    expect((err.payment_intent as Stripe.PaymentIntent).status).toBe("succeeded");

    // A completed page no longer takes payments.
    expect((await payCheckout(session.url!)).status).not.toBe(303);
  });

  it("a declined card on the hosted page leaves the session open for another card", async () => {
    const session = await stripe.checkout.sessions.create(holdParams());
    const declined = await payCheckout(session.url!, { card: "decline" });
    expect(declined).toEqual({ status: 402, location: null });
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe("open");
    expect((await payCheckout(session.url!)).status).toBe(303);
  });

  it("answers with Stripe's errors: 404 unknown id, 400 naming a missing param, 401 without a key, 402 decline", async () => {
    const missingPi = await caught(stripe.paymentIntents.retrieve("pi_doesnotexist"));
    expect(missingPi).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missingPi.statusCode).toBe(404);
    expect(missingPi.code).toBe("resource_missing");
    expect(missingPi.message).toBe("No such payment_intent: 'pi_doesnotexist'");

    const { line_items: _drop, ...noItems } = holdParams();
    const missingParam = await caught(stripe.checkout.sessions.create(noItems));
    expect(missingParam.statusCode).toBe(400);
    expect(missingParam.code).toBe("parameter_missing");
    expect(missingParam.param).toBe("line_items");
    expect(missingParam.message).toBe("Missing required param: line_items.");

    const nested = await caught(
      stripe.checkout.sessions.create(
        holdParams({ line_items: [{ quantity: 1, price_data: { currency: "cny", product_data: { name: "x" } } }] }),
      ),
    );
    expect(nested.param).toBe("line_items[0][price_data][unit_amount]");

    const noKey = await fetch(`${server.url}/v1/payment_intents/pi_x`);
    expect(noKey.status).toBe(401);
    const body = (await noKey.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toMatch(/^You did not provide an API key/);
    const liveKey = await caught(sdk(server.url, "sk_live_notaccepted").paymentIntents.retrieve("pi_x"));
    expect(liveKey).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);

    const declined = await caught(
      stripe.paymentIntents.create({
        amount: 1000,
        currency: "cny",
        capture_method: "manual",
        confirm: true,
        payment_method: "pm_card_chargeDeclined",
      }),
    );
    expect(declined).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(declined.code).toBe("card_declined");
    expect((declined.payment_intent as Stripe.PaymentIntent).status).toBe("requires_payment_method");
  });

  it("runs the PaymentIntent state machine: confirm → requires_capture → cancel → canceled, and no capture after", async () => {
    const pi = await stripe.paymentIntents.create({
      amount: 2000,
      currency: "cny",
      capture_method: "manual",
      confirm: true,
      payment_method: "pm_card_visa",
    });
    expect(pi.status).toBe("requires_capture");
    const tooMuch = await caught(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 2001 }));
    expect(tooMuch.param).toBe("amount_to_capture");
    const canceled = await stripe.paymentIntents.cancel(pi.id);
    expect(canceled).toMatchObject({ status: "canceled", amount_capturable: 0 });
    const late = await caught(stripe.paymentIntents.capture(pi.id));
    expect(late.code).toBe("payment_intent_unexpected_state");
    expect(late.message).toBe(
      "This PaymentIntent could not be captured because it has a status of canceled. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
    );
  });

  it("replays an idempotent request instead of executing it twice, and refuses the key for other params", async () => {
    const key = `test-${Date.now()}`;
    const params = { amount: 4200, currency: "cny", capture_method: "manual" as const, metadata: { paymentId: "idem" } };
    const first = await stripe.paymentIntents.create(params, { idempotencyKey: key });
    const second = await stripe.paymentIntents.create(params, { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");

    const created = await localJson<{ data: { type: string; data: { object: { metadata: Record<string, string> } } }[] }>(
      "/_local/events?type=payment_intent.created",
    );
    expect(created.data.filter((e) => e.data.object.metadata.paymentId === "idem")).toHaveLength(1);
    const log = await localJson<{ data: { idempotencyKey: string | null; replayed: boolean }[] }>("/_local/requests");
    expect(log.data.filter((r) => r.idempotencyKey === key).map((r) => r.replayed)).toEqual([false, true]);

    const other = await caught(stripe.paymentIntents.create({ ...params, amount: 4300 }, { idempotencyKey: key }));
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it("delivers signed webhooks in order, retries a failed delivery, and a tampered body does not verify", async () => {
    const received: { body: string; signature: string }[] = [];
    let failFirst = true;
    const listener = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (failFirst) {
          failFirst = false;
          res.writeHead(500).end(); // the first delivery fails: it must come again
          return;
        }
        received.push({ body, signature: String(req.headers["stripe-signature"]) });
        res.writeHead(200).end("{}");
      });
    });
    await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/webhooks/stripe`;
    try {
      const endpoint = await stripe.webhookEndpoints.create({
        url,
        enabled_events: ["checkout.session.completed", "payment_intent.canceled"],
      });
      expect(endpoint.secret).toMatch(/^whsec_/);
      // Like Stripe, the secret is in the create answer only.
      expect((await stripe.webhookEndpoints.retrieve(endpoint.id)).secret).toBeUndefined();

      const session = await stripe.checkout.sessions.create(holdParams());
      await payCheckout(session.url!);
      const pi = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
      await stripe.paymentIntents.cancel(pi);

      for (let i = 0; i < 100 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const events = received.map((d) => stripe.webhooks.constructEvent(d.body, d.signature, endpoint.secret!));
      expect(events.map((e) => e.type)).toEqual(["checkout.session.completed", "payment_intent.canceled"]);
      const completed = events[0]!.data.object as Stripe.Checkout.Session;
      expect(completed.id).toBe(session.id);
      expect(completed.payment_intent).toBe(pi);

      const tampered = received[0]!.body.replace(session.id, "cs_test_forged");
      expect(() => stripe.webhooks.constructEvent(tampered, received[0]!.signature, endpoint.secret!)).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
      const deliveries = await localJson<{ data: { endpoint: string; type: string; status: number | null }[] }>("/_local/deliveries");
      expect(
        deliveries.data.filter((d) => d.endpoint === endpoint.id && d.type === "checkout.session.completed").map((d) => d.status),
      ).toEqual([500, 200]);

      await stripe.webhookEndpoints.del(endpoint.id);
      expect((await stripe.webhookEndpoints.list()).data.find((e) => e.id === endpoint.id)).toBeUndefined();
    } finally {
      listener.close();
    }
  });

  it("expires an open session once; expiring it again is refused", async () => {
    const session = await stripe.checkout.sessions.create(holdParams());
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired.status).toBe("expired");
    const again = await caught(stripe.checkout.sessions.expire(session.id));
    expect(again.statusCode).toBe(400);
    expect(again.message).toMatch(/status of "expired"/);
    const page = await payCheckout(session.url!);
    expect(page.location).toBeNull();
  });

  it("keeps held PaymentIntents across a restart with the same state file", async () => {
    const session = await stripe.checkout.sessions.create(holdParams());
    await payCheckout(session.url!);
    const pi = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;

    await server.close();
    const saved = JSON.parse(await fs.readFile(stateFile, "utf8")) as { intents: Record<string, { status: string }> };
    expect(saved.intents[pi]!.status).toBe("requires_capture");
    await startServer();

    const again = await stripe.paymentIntents.retrieve(pi);
    expect(again.status).toBe("requires_capture");
    expect((await stripe.paymentIntents.capture(pi)).status).toBe("succeeded");
  });
});

describe("refunds, Connect and Checkout with automatic capture (what contracts and payouts need)", () => {
  const payParams = (amount = 120_000, over: Partial<Stripe.Checkout.SessionCreateParams> = {}) =>
    holdParams({
      line_items: [{ quantity: 1, price_data: { currency: "cny", unit_amount: amount, product_data: { name: "技术转让合同 · 首期款" } } }],
      payment_intent_data: { metadata: { paymentId: "pay1" } },
      ...over,
    });

  async function paidIntent(amount = 120_000): Promise<Stripe.PaymentIntent> {
    const session = await stripe.checkout.sessions.create(payParams(amount));
    expect((await payCheckout(session.url!)).status).toBe(303);
    return (await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] })).payment_intent as Stripe.PaymentIntent;
  }

  const eventsOf = (object: string) =>
    localJson<{ data: { type: string; data: { object: Record<string, unknown> } }[] }>(`/_local/events?object=${object}`).then((r) =>
      r.data.map((e) => e.type),
    );

  it("takes the price at once: the session is paid, the PaymentIntent succeeded, no hold", async () => {
    const session = await stripe.checkout.sessions.create(payParams());
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain("¥1,200.00");
    expect(page).not.toContain("预授权");
    expect((await payCheckout(session.url!)).status).toBe(303);

    const after = await stripe.checkout.sessions.retrieve(session.id, { expand: ["payment_intent"] });
    expect(after).toMatchObject({ status: "complete", payment_status: "paid" });
    const pi = after.payment_intent as Stripe.PaymentIntent;
    expect(pi).toMatchObject({ status: "succeeded", capture_method: "automatic", amount_received: 120_000, amount_capturable: 0 });
    expect(await eventsOf(pi.id)).toEqual(["payment_intent.created", "payment_intent.succeeded"]);
    const completed = (
      await localJson<{ data: { data: { object: { payment_status: string } } }[] }>(
        `/_local/events?type=checkout.session.completed&object=${session.id}`,
      )
    ).data;
    expect(completed.map((e) => e.data.object.payment_status)).toEqual(["paid"]);

    // The charge behind it: captured in full, nothing refunded, the intent's metadata copied.
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ captured: true, amount_captured: 120_000, amount_refunded: 0, refunded: false, paid: true });
    expect(charge.metadata).toEqual({ paymentId: "pay1" });
  });

  it("refunds in parts until nothing is left, with refund.created and charge.refunded; more is refused", async () => {
    const pi = await paidIntent();
    const first = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 20_000, reason: "requested_by_customer", metadata: { paymentId: "pay1" }, expand: ["charge"] },
      { idempotencyKey: `refund-${pi.id}-1` },
    );
    expect(first).toMatchObject({ object: "refund", amount: 20_000, status: "succeeded", payment_intent: pi.id, currency: "cny" });
    expect(first.id).toMatch(/^re_/);
    expect(first.charge).toMatchObject({ amount_refunded: 20_000, refunded: false });
    // A retry with the same key is the same refund, not a second one.
    const replay = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 20_000, reason: "requested_by_customer", metadata: { paymentId: "pay1" }, expand: ["charge"] },
      { idempotencyKey: `refund-${pi.id}-1` },
    );
    expect(replay.id).toBe(first.id);

    const tooMuch = await caught(stripe.refunds.create({ payment_intent: pi.id, amount: 100_001 }));
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(tooMuch.param).toBe("amount");
    expect(tooMuch.message).toBe("Refund amount (¥1,000.01) is greater than unrefunded amount on charge (¥1,000.00)");

    // Without an amount: the rest.
    const rest = await stripe.refunds.create({ payment_intent: pi.id });
    expect(rest.amount).toBe(100_000);
    const charge = await stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 120_000, refunded: true });
    expect((await stripe.refunds.retrieve(first.id)).amount).toBe(20_000);

    const again = await caught(stripe.refunds.create({ payment_intent: pi.id, amount: 1 }));
    expect(again.code).toBe("charge_already_refunded");
    expect(await eventsOf(first.id)).toEqual(["refund.created"]);
    const refunded = await localJson<{ data: { data: { object: { amount_refunded: number } } }[] }>(
      `/_local/events?type=charge.refunded&object=${charge.id}`,
    );
    expect(refunded.data.map((e) => e.data.object.amount_refunded)).toEqual([20_000, 120_000]);
  });

  it("refunds only captured money: not a hold, and not the part a partial capture let go", async () => {
    const session = await stripe.checkout.sessions.create(holdParams());
    await payCheckout(session.url!);
    const pi = (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string;
    const held = await caught(stripe.refunds.create({ payment_intent: pi }));
    expect(held.code).toBe("charge_not_refundable");
    expect(held.message).toBe(`This PaymentIntent (${pi}) does not have a successful charge to refund.`);

    await stripe.paymentIntents.capture(pi, { amount_to_capture: 300_000 });
    const chargeId = (await stripe.paymentIntents.retrieve(pi)).latest_charge as string;
    // Stripe counts the 200,000 never captured as refunded on the charge …
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ amount_captured: 300_000, amount_refunded: 200_000, refunded: false });
    // … but only the 300,000 taken can be given back.
    expect((await stripe.refunds.create({ payment_intent: pi })).amount).toBe(300_000);
    expect(await stripe.charges.retrieve(chargeId)).toMatchObject({ amount_refunded: 500_000, refunded: true });

    const unknown = await caught(stripe.refunds.create({ payment_intent: "pi_nope" }));
    expect(unknown.statusCode).toBe(404);
    const neither = await caught(stripe.refunds.create({}));
    expect(neither.code).toBe("parameter_missing");
  });

  it("creates connected accounts and transfers to them from the available balance, with transfer.created", async () => {
    // A custom account is verified at once (express ones are onboarded through an account link: stripe-connect.test.ts).
    const account = await stripe.accounts.create({
      type: "custom",
      country: "CN",
      email: "seller@nongke.cn",
      capabilities: { transfers: { requested: true } },
      metadata: { userId: "u1" },
    });
    expect(account.id).toMatch(/^acct_/);
    expect(account).toMatchObject({ object: "account", type: "custom", capabilities: { transfers: "active" }, payouts_enabled: true });
    expect((await stripe.accounts.retrieve(account.id)).email).toBe("seller@nongke.cn");
    const missingAccount = await caught(stripe.accounts.retrieve("acct_doesnotexist"));
    expect(missingAccount).toBeInstanceOf(Stripe.errors.StripePermissionError);

    await paidIntent(50_000);
    const before = (await stripe.balance.retrieve()).available.find((b) => b.currency === "cny")!.amount;
    expect(before).toBeGreaterThanOrEqual(50_000);

    const transfer = await stripe.transfers.create(
      { amount: 30_000, currency: "cny", destination: account.id, description: "成果转化收入", metadata: { paymentId: "t1" } },
      { idempotencyKey: "transfer-t1" },
    );
    expect(transfer).toMatchObject({ object: "transfer", amount: 30_000, destination: account.id, reversed: false, amount_reversed: 0 });
    expect(transfer.id).toMatch(/^tr_/);
    expect(
      (
        await stripe.transfers.create(
          { amount: 30_000, currency: "cny", destination: account.id, description: "成果转化收入", metadata: { paymentId: "t1" } },
          { idempotencyKey: "transfer-t1" },
        )
      ).id,
    ).toBe(transfer.id);
    expect((await stripe.transfers.retrieve(transfer.id)).metadata).toEqual({ paymentId: "t1" });
    expect(await eventsOf(transfer.id)).toEqual(["transfer.created"]);
    expect((await stripe.balance.retrieve()).available.find((b) => b.currency === "cny")!.amount).toBe(before - 30_000);

    const broke = await caught(stripe.transfers.create({ amount: before, currency: "cny", destination: account.id }));
    expect(broke.code).toBe("balance_insufficient");
    const noCapability = await stripe.accounts.create({ type: "custom", country: "CN" });
    const refused = await caught(stripe.transfers.create({ amount: 100, currency: "cny", destination: noCapability.id }));
    expect(refused.code).toBe("insufficient_capabilities_for_transfer");
    const nowhere = await caught(stripe.transfers.create({ amount: 100, currency: "cny", destination: "acct_nowhere" }));
    expect(nowhere.param).toBe("destination");
  });
});

describe("startPaymentsGateway (what `npm start` does without Stripe keys)", () => {
  const saved = { ...process.env };
  afterAll(() => {
    for (const k of ["STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it("starts the local server in DATA_DIR, registers the app's webhook endpoint once per URL, and sets the keys", async () => {
    const dataDir = path.join(dir, "app");
    const config = parseEnv({ DATA_DIR: dataDir, EMBEDDED_STRIPE_PORT: String(await freePort()) });
    const first = await startPaymentsGateway(config, 4321);
    try {
      expect(first.mode).toBe("local");
      expect(process.env.STRIPE_API_BASE).toBe(first.apiBase);
      expect(process.env.STRIPE_SECRET_KEY).toBe(LOCAL_STRIPE_KEY);
      expect(process.env.STRIPE_WEBHOOK_SECRET).toMatch(/^whsec_/);
    } finally {
      await first.stop();
    }
    const firstSecret = process.env.STRIPE_WEBHOOK_SECRET;

    // A restart on the same DATA_DIR: the state comes back, the old registration is replaced.
    const second = await startPaymentsGateway(config, 4321);
    try {
      expect(process.env.STRIPE_WEBHOOK_SECRET).not.toBe(firstSecret);
      const endpoints = await sdk(second.apiBase!).webhookEndpoints.list();
      expect(endpoints.data.map((e) => e.url)).toEqual(["http://127.0.0.1:4321/webhooks/stripe"]);
    } finally {
      await second.stop();
    }
    await expect(fs.stat(path.join(dataDir, "stripe-local.json"))).resolves.toBeTruthy();
  });

  it("a busy port gives one sentence that says what to change", async () => {
    const blocker = http.createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const err = await startPaymentsGateway(parseEnv({ DATA_DIR: path.join(dir, "busy"), EMBEDDED_STRIPE_PORT: String(busy) }), 4321).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(EmbeddedError);
      expect((err as Error).message).toBe(
        `Port ${busy} is already in use, so the local Stripe-compatible server cannot start there. ` +
          `Stop whatever listens on ${busy}, or set EMBEDDED_STRIPE_PORT to a free port, or set STRIPE_API_BASE to use that server instead.`,
      );
    } finally {
      blocker.close();
    }
  });

  it("with STRIPE_SECRET_KEY it starts nothing and uses that account", async () => {
    const real = await startPaymentsGateway(
      parseEnv({ STRIPE_SECRET_KEY: "sk_live_abc123", STRIPE_WEBHOOK_SECRET: "whsec_abc", EMBEDDED_STRIPE_PORT: "1" }),
      4321,
    );
    expect(real).toMatchObject({ mode: "stripe", apiBase: null });
  });
});
