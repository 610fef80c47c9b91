import { json } from "@remix-run/node";
import { PaymentSignatureError } from "~/services/payments/types.ts";
import { logger } from "~/utils/logger.server.ts";
import { boundedLabel, metrics } from "~/utils/metrics.server.ts";
import { BodyTooLargeError, formatBytes, MAX_WEBHOOK_BYTES, readBoundedBytes } from "./body.server.ts";

/**
 * A gateway's webhook endpoint (POST /webhooks/stripe, /webhooks/stripe/connect). Server to
 * server: no session and no CSRF token; the signature over the raw body is the authentication. The
 * body is read raw (nothing parses it before Remix) because the signature covers the exact bytes,
 * and at most MAX_WEBHOOK_BYTES of them (413 beyond, before the signature is checked). Answers 2xx
 * fast — also for replays and events we ignore, so the gateway stops retrying them; 400 for a bad
 * signature; 409 for an event that came before the step it is about (the gateway retries it); a
 * 500 (database down) makes the gateway retry. Each delivery is counted by endpoint, event type and
 * result, and each one not applied by reason (/metrics).
 */
export async function webhookAction<E extends { id: string; gatewayType: string }>(
  request: Request,
  label: string,
  parse: (raw: string, signature: string | null) => E,
  apply: (event: E) => Promise<string>,
): Promise<Response> {
  if (request.method !== "POST") return methodNotAllowed();
  const endpoint = new URL(request.url).pathname;
  const m = metrics();
  const failed = (type: string, reason: string) => {
    m.webhookDeliveries.inc({ endpoint, type, result: "failed" });
    m.webhookFailures.inc({ endpoint, type, reason });
  };
  let raw: string;
  try {
    raw = new TextDecoder().decode(await readBoundedBytes(request, MAX_WEBHOOK_BYTES));
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      failed("unverified", "too_large");
      return json(
        { error: `body larger than the ${formatBytes(MAX_WEBHOOK_BYTES)} limit` },
        { status: 413, headers: { Connection: "close" } },
      );
    }
    throw e;
  }
  let event: E;
  try {
    event = parse(raw, request.headers.get("stripe-signature"));
  } catch (e) {
    if (e instanceof PaymentSignatureError) {
      failed("unverified", "bad_signature");
      logger.warn({ err: e.message.split("\n")[0] }, `${label} with a bad signature refused`);
      return json({ error: "invalid signature" }, { status: 400 });
    }
    throw e;
  }
  const type = boundedLabel(event.gatewayType);
  let result: string;
  try {
    result = await apply(event);
  } catch (e) {
    // The gateway retries it (a 5xx); counted here so a run of failures shows before the retries give up.
    failed(type, "error");
    throw e;
  }
  m.webhookDeliveries.inc({ endpoint, type, result: boundedLabel(result) });
  if (result !== "ignored") logger.info({ event: event.id, type: event.gatewayType, result }, label);
  // Not taken yet (an event before the step it is about): any non-2xx makes the gateway deliver it again.
  if (result === "deferred") return json({ received: false, result }, { status: 409 });
  return json({ received: true, result });
}

/** GET and the rest: a webhook URL only takes deliveries. */
export function methodNotAllowed(): Response {
  return json({ error: "method not allowed" }, { status: 405, headers: { Allow: "POST" } });
}
