import type { ActionFunctionArgs } from "@remix-run/node";
import { applyGatewayEvent } from "~/services/payment-purposes.server.ts";
import { paymentGateway } from "~/services/payments/gateway.server.ts";
import { applyAccountEvent } from "~/services/settlement/connect.server.ts";
import { methodNotAllowed, webhookAction } from "~/web/webhooks.server.ts";

/**
 * POST /webhooks/stripe — Stripe's (or the local Stripe-compatible server's) event deliveries.
 * Server to server: no session and no CSRF token (the repo checks CSRF per form action through
 * readVerifiedForm, which this route does not call); the Stripe-Signature over the raw body is
 * the authentication. The body is read raw (nothing parses it before Remix) because the
 * signature covers the exact bytes, and at most MAX_WEBHOOK_BYTES of them are read (413 beyond,
 * before the signature is checked). Answers 2xx fast — also for replays and events we ignore, so
 * Stripe stops retrying them; 400 for a bad signature; a 500 (database down) makes Stripe retry.
 * The event is applied whatever the payment's purpose: services/payment-purposes.server.ts loads
 * every purpose's owner first.
 */
export function action({ request }: ActionFunctionArgs) {
  return webhookAction(
    request,
    "stripe webhook",
    (raw, sig) => paymentGateway().parseWebhook(raw, sig),
    // Connected accounts' events: the local server (and a Stripe account set up with one endpoint) sends them here too.
    (event) => (event.type === "account.updated" ? applyAccountEvent(event) : applyGatewayEvent(event)),
  );
}

export const loader = methodNotAllowed;
