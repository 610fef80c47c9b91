import type Stripe from "stripe";
import type { Core, Handler } from "./core.ts";
import { sessionDefaults } from "./defaults.ts";
import { invalid, missing, noSuch } from "./errors.ts";
import type { CaptureMethod, Ctx, LineItem, SessionRecord } from "./objects.ts";
import {
  absoluteUrl,
  allowOnly,
  clone,
  currency as currencyParam,
  expandList,
  int,
  list,
  metadata,
  now,
  obj,
  randomId,
  str,
} from "./params.ts";

/**
 * Checkout Sessions in `mode=payment`: `price_data` line items, a PaymentIntent with manual capture
 * (a hold: the money is authorised, captured later) or automatic capture (the buyer pays now), the
 * hosted page at /pay/:id, expiry by hand or at `expires_at`. Stripe creates the PaymentIntent
 * when the customer pays, not with the session.
 */

export function getSession(core: Core, id: string): SessionRecord {
  const rec = core.state.sessions[id];
  if (!rec) throw noSuch("checkout.session", id, "session");
  return rec;
}

export function expireSession(core: Core, ctx: Ctx, rec: SessionRecord) {
  rec.session.status = "expired";
  rec.session.url = null;
  core.events.emit(ctx, "checkout.session.expired", rec.session);
}

/** Sessions past expires_at expire on their own, like Stripe's (checked lazily and every few seconds). */
export function expireOverdue(core: Core, ctx: Ctx) {
  const t = now();
  for (const rec of Object.values(core.state.sessions)) {
    if (rec.session.status === "open" && rec.session.expires_at <= t) expireSession(core, ctx, rec);
  }
}

function sessionView(core: Core, rec: SessionRecord, expand: string[]): unknown {
  const out = clone(rec.session) as Record<string, unknown>;
  for (const field of expand) {
    if (field === "payment_intent") {
      out.payment_intent = rec.session.payment_intent ? clone(core.state.intents[rec.session.payment_intent] ?? null) : null;
    } else if (field === "line_items") {
      out.line_items = {
        object: "list",
        data: rec.lineItems.map((li, i) => ({
          id: `li_${rec.session.id.slice(-12)}${i}`,
          object: "item",
          amount_subtotal: li.unitAmount * li.quantity,
          amount_total: li.unitAmount * li.quantity,
          currency: rec.session.currency,
          description: li.name,
          quantity: li.quantity,
        })),
        has_more: false,
        url: `/v1/checkout/sessions/${rec.session.id}/line_items`,
      };
    } else {
      throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
    }
  }
  return out;
}

export const createSession: Handler = (core, _ctx, params) => {
  allowOnly(params, [
    "mode",
    "line_items",
    "payment_intent_data",
    "metadata",
    "success_url",
    "cancel_url",
    "customer_email",
    "client_reference_id",
    "expires_at",
    "payment_method_types",
    "locale",
    "expand",
  ]);
  const mode = str(params, "mode");
  if (!mode) throw missing("mode");
  if (mode !== "payment") {
    throw invalid(`This local Stripe-compatible server implements mode=payment only (got ${mode}).`, { param: "mode" });
  }
  const rawItems = list(params, "line_items");
  if (!rawItems || rawItems.length === 0) throw missing("line_items");
  let currency: string | undefined;
  const lineItems: LineItem[] = rawItems.map((raw, i) => {
    const p = `line_items[${i}]`;
    if (!raw || typeof raw !== "object") throw invalid("Invalid object", { param: p });
    const item = raw as Record<string, unknown>;
    allowOnly(item, ["price_data", "quantity", "price"], p);
    if (item.price !== undefined) throw noSuch("price", String(item.price), `${p}[price]`);
    const quantity = int(item, "quantity", `${p}[quantity]`);
    if (quantity === undefined) throw missing(`${p}[quantity]`);
    if (quantity < 1) throw invalid("This value must be greater than or equal to 1.", { param: `${p}[quantity]` });
    const pd = obj(item, "price_data", `${p}[price_data]`);
    if (!pd) throw missing(`${p}[price]`);
    allowOnly(pd, ["currency", "unit_amount", "product_data"], `${p}[price_data]`);
    const cur = currencyParam(pd, "currency", `${p}[price_data][currency]`);
    if (!cur) throw missing(`${p}[price_data][currency]`);
    if (currency && currency !== cur) {
      throw invalid("All line items must share the same currency.", { param: `${p}[price_data][currency]` });
    }
    currency = cur;
    const unitAmount = int(pd, "unit_amount", `${p}[price_data][unit_amount]`);
    if (unitAmount === undefined) throw missing(`${p}[price_data][unit_amount]`);
    if (unitAmount < 1) throw invalid("This value must be greater than or equal to 1.", { param: `${p}[price_data][unit_amount]` });
    const prod = obj(pd, "product_data", `${p}[price_data][product_data]`);
    if (!prod) throw missing(`${p}[price_data][product_data]`);
    allowOnly(prod, ["name", "description"], `${p}[price_data][product_data]`);
    const name = str(prod, "name", `${p}[price_data][product_data][name]`);
    if (!name) throw missing(`${p}[price_data][product_data][name]`);
    return { name, unitAmount, quantity };
  });
  const successUrl = absoluteUrl(params, "success_url");
  if (!successUrl) throw missing("success_url");
  const cancelUrl = absoluteUrl(params, "cancel_url") ?? null;
  const email = str(params, "customer_email") ?? null;
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw invalid(`Invalid email address: ${email}`, { param: "customer_email", code: "email_invalid" });
  }
  const clientReferenceId = str(params, "client_reference_id") ?? null;
  if (clientReferenceId && clientReferenceId.length > 200) {
    throw invalid("client_reference_id can be at most 200 characters.", { param: "client_reference_id" });
  }
  const created = now();
  const expiresAt = int(params, "expires_at") ?? created + 24 * 3600;
  if (expiresAt < created + 30 * 60 || expiresAt > created + 24 * 3600) {
    throw invalid("The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", {
      param: "expires_at",
    });
  }
  const pid = obj(params, "payment_intent_data") ?? {};
  allowOnly(pid, ["capture_method", "metadata", "description"], "payment_intent_data");
  const captureMethod = (str(pid, "capture_method", "payment_intent_data[capture_method]") ?? "automatic") as CaptureMethod;
  if (!["automatic", "automatic_async", "manual"].includes(captureMethod)) {
    throw invalid(`Invalid payment_intent_data[capture_method]: must be one of automatic, automatic_async, or manual`, {
      param: "payment_intent_data[capture_method]",
    });
  }
  const id = randomId("cs_test_", 58);
  const total = lineItems.reduce((s, li) => s + li.unitAmount * li.quantity, 0);
  const locale = str(params, "locale") ?? null;
  if (locale !== null && !/^(auto|[a-z]{2}(-[A-Z]{2})?)$/.test(locale)) throw invalid(`Invalid locale: ${locale}`, { param: "locale" });
  const rec: SessionRecord = {
    session: {
      ...sessionDefaults(),
      id,
      object: "checkout.session",
      amount_subtotal: total,
      amount_total: total,
      cancel_url: cancelUrl,
      client_reference_id: clientReferenceId,
      created,
      currency: currency!,
      customer: null,
      customer_details: null,
      customer_email: email,
      expires_at: expiresAt,
      livemode: false,
      locale: locale as Stripe.Checkout.Session.Locale | null,
      metadata: metadata(params),
      mode: "payment",
      // Stripe creates the PaymentIntent when the customer pays, not with the session.
      payment_intent: null,
      payment_method_types: ["card"],
      payment_status: "unpaid",
      status: "open",
      success_url: successUrl,
      ui_mode: "hosted",
      url: `${core.baseUrl()}/pay/${id}`,
    },
    lineItems,
    intentData: {
      captureMethod,
      metadata: metadata(pid, "metadata"),
      description: str(pid, "description", "payment_intent_data[description]") ?? null,
    },
  };
  core.state.sessions[id] = rec;
  return { body: sessionView(core, rec, expandList(params)) };
};

export const retrieveSession: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["expand"]);
  expireOverdue(core, ctx);
  return { body: sessionView(core, getSession(core, id!), expandList(params)) };
};

export const expireSessionRoute: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["expand"]);
  expireOverdue(core, ctx);
  const rec = getSession(core, id!);
  if (rec.session.status !== "open") {
    throw invalid(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${rec.session.status}".`,
      { code: "checkout_session_unexpected_state" },
      true,
    );
  }
  expireSession(core, ctx, rec);
  return { body: sessionView(core, rec, expandList(params)) };
};
