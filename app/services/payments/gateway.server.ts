import type { PaymentGatewayName } from "~/models/payment.server.ts";
import { env } from "~/utils/env.server.ts";
import { peekSingleton, setSingleton } from "~/utils/singleton.server.ts";
import { StripeGateway } from "./stripe.server.ts";
import { PaymentGatewayError, type PaymentGateway } from "./types.ts";

/**
 * The payment gateways of this process, built on first use from the validated environment. One per
 * process (kept through the singleton helper so the Remix build and dev rebuilds share it). At
 * start-up server/embedded/stripe.ts has already resolved STRIPE_* (real Stripe, or the local server).
 */
export function paymentGateway(): PaymentGateway {
  const current = peekSingleton<PaymentGateway>("paymentGateway");
  if (current) return current;
  const e = env();
  if (!e.STRIPE_SECRET_KEY || !e.STRIPE_WEBHOOK_SECRET) {
    // Only a process that skipped start-up (a CLI command) gets here.
    throw new PaymentGatewayError("payments are not configured: STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET unset", "not_configured", null);
  }
  const gateway = new StripeGateway({
    secretKey: e.STRIPE_SECRET_KEY,
    webhookSecret: e.STRIPE_WEBHOOK_SECRET,
    connectWebhookSecret: e.STRIPE_CONNECT_WEBHOOK_SECRET ?? null,
    apiBase: e.STRIPE_API_BASE ?? null,
  });
  setSingleton("paymentGateway", gateway);
  return gateway;
}

/** The gateway a stored payment went through (its `gateway` field; stored payments all say "stripe"). */
export function gatewayFor(name: PaymentGatewayName | string | null | undefined): PaymentGateway {
  switch (name ?? "stripe") {
    case "stripe":
      return paymentGateway();
    default:
      throw new PaymentGatewayError(`no payment gateway named ${String(name)}`, "unknown_gateway", null);
  }
}

/** Forgets the gateway so the next call builds it from the (changed) environment. Tests only. */
export function resetPaymentGateway(): void {
  setSingleton("paymentGateway", undefined);
}

/**
 * Whether payments here move no real money: the local Stripe-compatible server of the keyless
 * `npm start` (STRIPE_API_BASE), or Stripe's test mode (an `sk_test_` key). Pages that take money
 * say so (issue 14, point 10).
 */
export function paymentsAreDemo(): boolean {
  const e = env();
  return !!e.STRIPE_API_BASE || !!e.STRIPE_SECRET_KEY?.startsWith("sk_test_");
}
