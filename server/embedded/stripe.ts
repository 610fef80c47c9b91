import path from "node:path";
import Stripe from "stripe";
import { dataDir, setPaymentEndpoints, type Env } from "~/utils/env.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { EmbeddedError } from "./process.ts";
import { startStripeServer, type StripeServer } from "../stripe-local/index.ts";

/** The key the app uses with the local Stripe-compatible server (any sk_test_ key works there). */
export const LOCAL_STRIPE_KEY = "sk_test_chengguo_local";

export interface PaymentsGateway {
  /** "stripe": keys from the environment (api.stripe.com, or STRIPE_API_BASE); "local": the keyless default. */
  mode: "stripe" | "local";
  apiBase: string | null;
  stop(): Promise<void>;
}

/**
 * Resolves the payment gateway before the app serves requests, like the embedded MongoDB and
 * Meilisearch (docs/decisions/006-payments-and-deposits.md):
 * - STRIPE_SECRET_KEY set → that Stripe account (the webhook secret comes from the environment,
 *   the endpoint is registered in Stripe's dashboard); nothing is started.
 * - otherwise the local Stripe-compatible server: STRIPE_API_BASE when set, else one started here
 *   on EMBEDDED_STRIPE_PORT with its state in DATA_DIR/stripe-local.json. This app's webhook
 *   endpoint is registered there through the SDK and the answer's secret becomes
 *   STRIPE_WEBHOOK_SECRET, so webhooks are verified exactly as in production.
 */
export async function startPaymentsGateway(
  config: Env,
  appPort: number,
  { host = config.HOST }: { host?: string } = {},
): Promise<PaymentsGateway> {
  if (config.STRIPE_SECRET_KEY) {
    return { mode: "stripe", apiBase: config.STRIPE_API_BASE ?? null, stop: async () => {} };
  }

  let server: StripeServer | undefined;
  let apiBase = config.STRIPE_API_BASE;
  if (!apiBase) {
    const port = config.EMBEDDED_STRIPE_PORT;
    try {
      server = await startStripeServer({
        port,
        stateFile: path.join(dataDir(config), "stripe-local.json"),
        log: (m) => logger.debug(`local stripe: ${m}`),
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new EmbeddedError(
          `Port ${port} is already in use, so the local Stripe-compatible server cannot start there. ` +
            `Stop whatever listens on ${port}, or set EMBEDDED_STRIPE_PORT to a free port, ` +
            `or set STRIPE_API_BASE to use that server instead.`,
        );
      }
      throw e;
    }
    apiBase = server.url;
  }

  try {
    const u = new URL(apiBase);
    const protocol = u.protocol === "https:" ? "https" : "http";
    const stripe = new Stripe(LOCAL_STRIPE_KEY, {
      host: u.hostname,
      port: u.port ? Number(u.port) : protocol === "https" ? 443 : 80,
      protocol,
      maxNetworkRetries: 2,
      timeout: 10_000,
      telemetry: false,
    });
    // The local server reaches the app over loopback unless the app listens on one address only.
    const appHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
    const webhookUrl = `http://${appHost.includes(":") ? `[${appHost}]` : appHost}:${appPort}/webhooks/stripe`;
    // Each start registers anew (the secret is only in the create answer); earlier registrations
    // of this URL would deliver with secrets nobody knows any more, so they go first.
    const existing = await stripe.webhookEndpoints.list({ limit: 100 });
    for (const endpoint of existing.data) {
      if (endpoint.url === webhookUrl) await stripe.webhookEndpoints.del(endpoint.id);
    }
    const endpoint = await stripe.webhookEndpoints.create({
      url: webhookUrl,
      enabled_events: ["*"],
      description: "chengguo (local payments)",
    });
    if (!endpoint.secret) throw new Error("the webhook endpoint was created without a secret");
    setPaymentEndpoints({ apiBase, secretKey: LOCAL_STRIPE_KEY, webhookSecret: endpoint.secret });
  } catch (e) {
    await server?.close();
    if (e instanceof EmbeddedError) throw e;
    throw new EmbeddedError(
      `The Stripe-compatible server at ${apiBase} did not accept this app's webhook endpoint (${(e as Error).message}). ` +
        (server
          ? "Check DATA_DIR/stripe-local.json, or delete it to start the local payments afresh."
          : "Start that server, or unset STRIPE_API_BASE so the app starts its own."),
    );
  }

  return {
    mode: "local",
    apiBase,
    stop: async () => {
      await server?.close();
    },
  };
}
