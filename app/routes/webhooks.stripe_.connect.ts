import { json, type ActionFunctionArgs } from "@remix-run/node";
import { paymentGateway } from "~/services/payments/gateway.server.ts";
import { applyAccountEvent } from "~/services/settlement/connect.server.ts";
import { PaymentSignatureError } from "~/services/payments/types.ts";
import { logger } from "~/utils/logger.server.ts";
import { BodyTooLargeError, formatBytes, MAX_WEBHOOK_BYTES, readBoundedBytes } from "~/web/body.server.ts";

/**
 * POST /webhooks/stripe/connect — the Connect endpoint: connected accounts' events (account.updated),
 * verified on the raw body with STRIPE_CONNECT_WEBHOOK_SECRET (unset: STRIPE_WEBHOOK_SECRET, as the
 * local server signs every delivery with one secret), applied once (services/settlement/connect).
 * Server to server, no session or CSRF; 400 for a bad signature; 2xx for replays and ignored events.
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
    event = paymentGateway().parseConnectWebhook(raw, request.headers.get("stripe-signature"));
  } catch (e) {
    if (e instanceof PaymentSignatureError) {
      logger.warn({ err: e.message.split("\n")[0] }, "stripe connect webhook with a bad signature refused");
      return json({ error: "invalid signature" }, { status: 400 });
    }
    throw e;
  }
  const result = await applyAccountEvent(event);
  if (result !== "ignored") logger.info({ event: event.id, type: event.gatewayType, result }, "stripe connect webhook");
  return json({ received: true, result });
}

/** GET and the rest: this URL only takes deliveries. */
export function loader() {
  return json({ error: "method not allowed" }, { status: 405, headers: { Allow: "POST" } });
}
