import type { ActionFunctionArgs } from "@remix-run/node";
import { paymentGateway } from "~/services/payments/gateway.server.ts";
import { applyAccountEvent } from "~/services/settlement/connect.server.ts";
import { methodNotAllowed, webhookAction } from "~/web/webhooks.server.ts";

/**
 * POST /webhooks/stripe/connect — the Connect endpoint: connected accounts' events (account.updated),
 * verified on the raw body with STRIPE_CONNECT_WEBHOOK_SECRET (unset: STRIPE_WEBHOOK_SECRET, as the
 * local server signs every delivery with one secret), applied once (services/settlement/connect).
 * Server to server, no session or CSRF; 400 for a bad signature; 2xx for replays and ignored events.
 */
export function action({ request }: ActionFunctionArgs) {
  return webhookAction(request, "stripe connect webhook", (raw, sig) => paymentGateway().parseConnectWebhook(raw, sig), applyAccountEvent);
}

export const loader = methodNotAllowed;
