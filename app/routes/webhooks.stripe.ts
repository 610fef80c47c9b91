import { json, type ActionFunctionArgs } from "@remix-run/node";
import { applyGatewayEvent } from "~/services/payment-purposes.server.ts";
import { paymentGateway } from "~/services/payments/gateway.server.ts";
import { applyAccountEvent } from "~/services/settlement/connect.server.ts";
import { PaymentSignatureError } from "~/services/payments/types.ts";
import { logger } from "~/utils/logger.server.ts";
import { BodyTooLargeError, formatBytes, MAX_WEBHOOK_BYTES, readBoundedBytes } from "~/web/body.server.ts";

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
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") {
    return json({ error: "method not allowed" }, { status: 405, headers: { Allow: "POST" } });
  }
  let raw: string;
  try {
    raw = new TextDecoder().decode(await readBoundedBytes(request, MAX_WEBHOOK_BYTES));
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      return json(
        { error: `body larger than the ${formatBytes(MAX_WEBHOOK_BYTES)} limit` },
        { status: 413, headers: { Connection: "close" } },
      );
    }
    throw e;
  }
  let event;
  try {
    event = paymentGateway().parseWebhook(raw, request.headers.get("stripe-signature"));
  } catch (e) {
    if (e instanceof PaymentSignatureError) {
      logger.warn({ err: e.message.split("\n")[0] }, "stripe webhook with a bad signature refused");
      return json({ error: "invalid signature" }, { status: 400 });
    }
    throw e;
  }
  // Connected accounts' events: the local server (and a Stripe account set up with one endpoint) sends them here too.
  const result = event.type === "account.updated" ? await applyAccountEvent(event) : await applyGatewayEvent(event);
  if (result !== "ignored") logger.info({ event: event.id, type: event.gatewayType, result }, "stripe webhook");
  return json({ received: true, result });
}

/** GET and the rest: this URL only takes deliveries. */
export function loader() {
  return json({ error: "method not allowed" }, { status: 405, headers: { Allow: "POST" } });
}
