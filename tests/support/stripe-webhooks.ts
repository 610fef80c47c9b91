import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { inject } from "vitest";
import { resetPaymentGateway } from "~/services/payments/gateway.server.ts";
import { setPaymentEndpoints } from "~/utils/env.server.ts";

/** The secret key the tests use with the shared local Stripe-compatible server. */
export const LOCAL_STRIPE_KEY = "sk_test_chengguo_local";

/** One webhook delivery as it arrived: the raw body and signature, and what it is about. */
export interface StripeDelivery {
  body: string;
  signature: string;
  type: string;
  objectId: string;
}

/**
 * What the app does at start-up (server/embedded/stripe.ts): registers a webhook endpoint with
 * the local Stripe-compatible server and keeps its secret — here an endpoint of the test file's
 * own that records every raw delivery (the shared server also delivers other files' events).
 */
export async function listenForStripeWebhooks(stripe: Stripe) {
  const deliveries: StripeDelivery[] = [];
  const listener = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const e = JSON.parse(body) as { type: string; data: { object: { id: string } } };
      deliveries.push({ body, signature: String(req.headers["stripe-signature"]), type: e.type, objectId: e.data.object.id });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const endpoint = await stripe.webhookEndpoints.create({
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/webhooks/stripe`,
    enabled_events: ["*"],
  });
  return {
    deliveries,
    webhookSecret: endpoint.secret!,
    async close() {
      await stripe.webhookEndpoints.del(endpoint.id).catch(() => {});
      listener.close();
    },
  };
}

export type StripeWebhookListener = Awaited<ReturnType<typeof listenForStripeWebhooks>>;

/**
 * A test file's connection to the shared local Stripe-compatible server (tests/setup/services):
 * an SDK client, the file's own webhook endpoint, and the app's payment settings pointed at both —
 * what `npm start` does without keys. Close `webhooks` in `afterAll`.
 */
export async function connectLocalStripe() {
  const apiBase = inject("stripeApiBase");
  const u = new URL(apiBase);
  const stripe = new Stripe(LOCAL_STRIPE_KEY, { host: u.hostname, port: Number(u.port), protocol: "http", telemetry: false });
  const webhooks = await listenForStripeWebhooks(stripe);
  setPaymentEndpoints({ apiBase, secretKey: LOCAL_STRIPE_KEY, webhookSecret: webhooks.webhookSecret });
  resetPaymentGateway();
  return { apiBase, stripe, webhooks };
}
