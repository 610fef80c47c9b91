import { chargeDefaults, intentDefaults } from "./defaults.ts";
import { ApiError, docUrl, invalid, missing, noSuch } from "./errors.ts";
import type { Core, Handler } from "./core.ts";
import {
  TEST_CARDS,
  type CaptureMethod,
  type ChargeObject,
  type Ctx,
  type IntentStatus,
  type Metadata,
  type PaymentIntentObject,
} from "./objects.ts";
import { allowOnly, bool, clone, expandList, int, metadata, now, randomId, str } from "./params.ts";
import type Stripe from "stripe";

/**
 * PaymentIntents and the charges behind them, with Stripe's state machine: confirm with a test card
 * (a decline leaves the intent in requires_payment_method), manual capture (requires_capture →
 * succeeded, for less than authorised too: the rest goes back), automatic capture (straight to
 * succeeded), cancel from any unfinished state, and `payment_intent_unexpected_state` with the
 * PaymentIntent for everything else.
 */

export function getIntent(core: Core, id: string): PaymentIntentObject {
  const pi = core.state.intents[id];
  if (!pi) throw noSuch("payment_intent", id, "intent");
  return pi;
}

export function newIntent(
  core: Core,
  p: {
    amount: number;
    currency: string;
    captureMethod: CaptureMethod;
    metadata: Metadata;
    description: string | null;
    receiptEmail?: string | null;
  },
): PaymentIntentObject {
  const id = randomId("pi_");
  const pi: PaymentIntentObject = {
    ...intentDefaults(),
    id,
    object: "payment_intent",
    amount: p.amount,
    amount_capturable: 0,
    amount_received: 0,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: p.captureMethod,
    client_secret: `${id}_secret_${randomId("", 25)}`,
    confirmation_method: "automatic",
    created: now(),
    currency: p.currency,
    customer: null,
    description: p.description,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: p.metadata,
    payment_method: null,
    payment_method_types: ["card"],
    receipt_email: p.receiptEmail ?? null,
    status: "requires_payment_method",
  };
  core.state.intents[id] = pi;
  return pi;
}

/** The charge a confirmation creates (a failed one for a declined card), with the intent's metadata as Stripe copies it. */
function newCharge(
  core: Core,
  pi: PaymentIntentObject,
  paymentMethod: string,
  failure: { code: string; decline: string; message: string } | null,
): ChargeObject {
  const charge: ChargeObject = {
    ...chargeDefaults({ email: pi.receipt_email, decline: failure?.decline ?? null }),
    id: randomId("ch_"),
    object: "charge",
    amount: pi.amount,
    amount_captured: failure || pi.capture_method === "manual" ? 0 : pi.amount,
    amount_refunded: 0,
    balance_transaction: null,
    captured: !failure && pi.capture_method !== "manual",
    created: now(),
    currency: pi.currency,
    customer: null,
    description: pi.description,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    livemode: false,
    metadata: { ...pi.metadata },
    paid: !failure,
    payment_intent: pi.id,
    payment_method: paymentMethod,
    receipt_email: pi.receipt_email,
    refunded: false,
    status: failure ? "failed" : "succeeded",
  };
  core.state.charges[charge.id] = charge;
  return charge;
}

function markSessionPaid(core: Core, intentId: string) {
  const rec = Object.values(core.state.sessions).find((r) => r.session.payment_intent === intentId);
  if (rec) rec.session.payment_status = "paid";
}

/** Confirms with a test card; a decline leaves the intent in requires_payment_method and throws 402. */
export function confirmIntent(core: Core, ctx: Ctx, pi: PaymentIntentObject, paymentMethod: string | undefined) {
  const { emit } = core.events;
  if (pi.status !== "requires_payment_method" && pi.status !== "requires_confirmation") {
    throw invalid(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method.`,
      { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
      true,
    );
  }
  const pm = paymentMethod ?? pi.payment_method ?? undefined;
  if (!pm) {
    throw invalid(
      "You cannot confirm this PaymentIntent because it's missing a payment method. Update the payment method and then confirm again.",
      { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
      true,
    );
  }
  const card = TEST_CARDS[pm];
  if (!card) throw noSuch("PaymentMethod", pm, "payment_method");
  // Test tokens (pm_card_visa, card numbers) stand for a fresh PaymentMethod each time, as on Stripe.
  const pmId = randomId("pm_");
  if (!card.ok) {
    const failed = newCharge(core, pi, pmId, { code: card.code, decline: card.decline, message: card.message });
    emit(ctx, "charge.failed", failed);
    const charge = failed.id;
    pi.status = "requires_payment_method";
    pi.latest_charge = charge;
    pi.last_payment_error = {
      type: "card_error",
      code: card.code,
      decline_code: card.decline,
      doc_url: docUrl(card.code),
      message: card.message,
      charge,
      payment_method: { id: pmId, object: "payment_method", type: "card" },
    } as unknown as Stripe.PaymentIntent.LastPaymentError;
    emit(ctx, "payment_intent.payment_failed", pi);
    throw new ApiError(402, {
      type: "card_error",
      code: card.code,
      decline_code: card.decline,
      doc_url: docUrl(card.code),
      message: card.message,
      charge,
      payment_intent: clone(pi),
    });
  }
  pi.payment_method = pmId;
  pi.last_payment_error = null;
  const charge = newCharge(core, pi, pmId, null);
  pi.latest_charge = charge.id;
  if (pi.capture_method === "manual") {
    pi.status = "requires_capture";
    pi.amount_capturable = pi.amount;
    emit(ctx, "payment_intent.amount_capturable_updated", pi);
  } else {
    pi.status = "succeeded";
    pi.amount_received = pi.amount;
    emit(ctx, "payment_intent.succeeded", pi);
    markSessionPaid(core, pi.id);
  }
  // Stripe sends charge.succeeded for an authorisation too (captured: false).
  emit(ctx, "charge.succeeded", charge);
}

export function intentView(pi: PaymentIntentObject, expand: string[]): unknown {
  for (const field of expand) throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
  return clone(pi);
}

export const createIntent: Handler = (core, ctx, params) => {
  allowOnly(params, [
    "amount",
    "currency",
    "capture_method",
    "confirm",
    "payment_method",
    "payment_method_types",
    "metadata",
    "description",
    "receipt_email",
    "expand",
  ]);
  const amount = int(params, "amount");
  if (amount === undefined) throw missing("amount");
  if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount", code: "amount_too_small" });
  const currency = str(params, "currency")?.toLowerCase();
  if (!currency) throw missing("currency");
  const captureMethod = (str(params, "capture_method") ?? "automatic_async") as CaptureMethod;
  if (!["automatic", "automatic_async", "manual"].includes(captureMethod)) {
    throw invalid("Invalid capture_method: must be one of automatic, automatic_async, or manual", { param: "capture_method" });
  }
  const confirm = bool(params, "confirm") ?? false;
  const paymentMethod = str(params, "payment_method");
  if (paymentMethod !== undefined && !TEST_CARDS[paymentMethod]) throw noSuch("PaymentMethod", paymentMethod, "payment_method");
  const pi = newIntent(core, {
    amount,
    currency,
    captureMethod,
    metadata: metadata(params),
    description: str(params, "description") ?? null,
    receiptEmail: str(params, "receipt_email") ?? null,
  });
  if (paymentMethod) {
    pi.payment_method = paymentMethod;
    pi.status = "requires_confirmation";
  }
  core.events.emit(ctx, "payment_intent.created", pi);
  if (confirm) confirmIntent(core, ctx, pi, paymentMethod);
  return { body: intentView(pi, expandList(params)) };
};

export const retrieveIntent: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand", "client_secret"]);
  return { body: intentView(getIntent(core, id!), expandList(params)) };
};

export const confirmIntentRoute: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["payment_method", "expand", "return_url"]);
  const pi = getIntent(core, id!);
  confirmIntent(core, ctx, pi, str(params, "payment_method"));
  return { body: intentView(pi, expandList(params)) };
};

export const captureIntent: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["amount_to_capture", "metadata", "expand"]);
  const pi = getIntent(core, id!);
  if (pi.status !== "requires_capture") {
    throw invalid(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
      { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
      true,
    );
  }
  const amount = int(params, "amount_to_capture") ?? pi.amount_capturable;
  if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount_to_capture" });
  if (amount > pi.amount_capturable) {
    throw invalid(`The amount to capture (${amount}) must be less than or equal to the amount capturable (${pi.amount_capturable}).`, {
      param: "amount_to_capture",
      code: "amount_too_large",
    });
  }
  if (params.metadata !== undefined) pi.metadata = { ...pi.metadata, ...metadata(params) };
  // Capturing less than the authorisation releases the rest, as on Stripe.
  pi.status = "succeeded";
  pi.amount_received = amount;
  pi.amount_capturable = 0;
  const charge = pi.latest_charge ? core.state.charges[pi.latest_charge] : undefined;
  if (charge) {
    charge.captured = true;
    charge.amount_captured = amount;
    // Stripe counts the part never captured as refunded on the charge.
    charge.amount_refunded = charge.amount - amount;
  }
  markSessionPaid(core, pi.id);
  core.events.emit(ctx, "payment_intent.succeeded", pi);
  if (charge) core.events.emit(ctx, "charge.captured", charge);
  return { body: intentView(pi, expandList(params)) };
};

const CANCELABLE: IntentStatus[] = [
  "requires_payment_method",
  "requires_capture",
  "requires_confirmation",
  "requires_action",
  "processing",
];

export const cancelIntent: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["cancellation_reason", "expand"]);
  const pi = getIntent(core, id!);
  if (!CANCELABLE.includes(pi.status)) {
    throw invalid(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(", ")}.`,
      { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
      true,
    );
  }
  const reason = str(params, "cancellation_reason") ?? null;
  const reasons = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"];
  if (reason !== null && !reasons.includes(reason)) {
    throw invalid(`Invalid cancellation_reason: must be one of ${reasons.join(", ")}`, { param: "cancellation_reason" });
  }
  pi.status = "canceled";
  pi.amount_capturable = 0;
  pi.canceled_at = now();
  pi.cancellation_reason = reason as PaymentIntentObject["cancellation_reason"];
  core.events.emit(ctx, "payment_intent.canceled", pi);
  return { body: intentView(pi, expandList(params)) };
};
