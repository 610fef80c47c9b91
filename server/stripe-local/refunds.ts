import type { Core, Handler } from "./core.ts";
import { refundDefaults } from "./defaults.ts";
import { invalid, missing, noSuch } from "./errors.ts";
import type { ChargeObject, RefundObject } from "./objects.ts";
import { allowOnly, clone, expandList, formatAmount, int, listOf, metadata, now, randomId, str } from "./params.ts";
import { getIntent } from "./payment-intents.ts";

/**
 * Refunds of captured money, full or partial, by PaymentIntent or by charge, as often as there is
 * money left: each is a Refund (`refund.created`) and moves the charge's `amount_refunded`
 * (`charge.refunded`; `refunded` turns true once nothing is left). Card refunds succeed at once here.
 * The part of an authorisation that was never captured counts as refunded on the charge, as on
 * Stripe, but is not a refund anybody made and cannot be refunded again.
 */

const REASONS = ["duplicate", "fraudulent", "requested_by_customer"];

/** What explicit refunds have given back of this charge. */
export function refundedOf(core: Core, chargeId: string): number {
  return Object.values(core.state.refunds)
    .filter((r) => r.charge === chargeId && r.status !== "failed" && r.status !== "canceled")
    .reduce((s, r) => s + r.amount, 0);
}

function getCharge(core: Core, id: string): ChargeObject {
  const c = core.state.charges[id];
  if (!c) throw noSuch("charge", id, "charge");
  return c;
}

function refundView(core: Core, r: RefundObject, expand: string[]): unknown {
  const out = clone(r) as Record<string, unknown>;
  for (const field of expand) {
    if (field === "charge") out.charge = clone(core.state.charges[r.charge] ?? null);
    else if (field === "payment_intent") out.payment_intent = clone(core.state.intents[r.payment_intent] ?? null);
    else throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
  }
  return out;
}

export const createRefund: Handler = (core, ctx, params) => {
  allowOnly(params, ["payment_intent", "charge", "amount", "reason", "metadata", "expand"]);
  const intentId = str(params, "payment_intent");
  const chargeId = str(params, "charge");
  if (!intentId && !chargeId) throw missing("payment_intent");
  if (intentId && chargeId) throw invalid("You can only pass one of `charge` and `payment_intent`.", { param: "charge" });
  let charge: ChargeObject | undefined;
  if (intentId) {
    const pi = getIntent(core, intentId);
    charge = pi.latest_charge ? core.state.charges[pi.latest_charge] : undefined;
    if (pi.status !== "succeeded" || !charge) {
      throw invalid(
        `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
        { param: "payment_intent", code: "charge_not_refundable" },
        true,
      );
    }
  } else {
    charge = getCharge(core, chargeId!);
    if (!charge.captured || charge.status !== "succeeded") {
      throw invalid(
        `Charge ${charge.id} has not been captured and cannot be refunded.`,
        { param: "charge", code: "charge_not_refundable" },
        true,
      );
    }
  }
  const left = charge.amount_captured - refundedOf(core, charge.id);
  if (left <= 0) {
    throw invalid(`Charge ${charge.id} has already been refunded.`, { code: "charge_already_refunded" }, true);
  }
  const amount = int(params, "amount") ?? left;
  if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount" });
  if (amount > left) {
    throw invalid(
      `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(left, charge.currency)})`,
      { param: "amount", code: "amount_too_large" },
      true,
    );
  }
  const reason = str(params, "reason") ?? null;
  if (reason !== null && !REASONS.includes(reason)) {
    throw invalid(`Invalid reason: must be one of ${REASONS.join(", ")}`, { param: "reason" });
  }
  const refund: RefundObject = {
    ...refundDefaults(typeof charge.payment_method === "string" ? charge.payment_method : null),
    id: randomId("re_"),
    object: "refund",
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: now(),
    currency: charge.currency,
    metadata: metadata(params),
    payment_intent: charge.payment_intent,
    reason: reason as RefundObject["reason"],
    receipt_number: null,
    status: "succeeded",
  };
  core.state.refunds[refund.id] = refund;
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  core.events.emit(ctx, "refund.created", refund);
  core.events.emit(ctx, "charge.refunded", charge);
  return { body: refundView(core, refund, expandList(params)) };
};

export const retrieveRefund: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const r = core.state.refunds[id!];
  if (!r) throw noSuch("refund", id!, "id");
  return { body: refundView(core, r, expandList(params)) };
};

export const retrieveCharge: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const c = getCharge(core, id!);
  for (const field of expandList(params)) throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
  return { body: clone(c) };
};

export const listRefunds: Handler = (core, _ctx, params) => {
  allowOnly(params, ["charge", "payment_intent", "limit", "starting_after", "ending_before", "created", "expand"]);
  const charge = str(params, "charge");
  const intent = str(params, "payment_intent");
  const items = Object.values(core.state.refunds).filter(
    (r) => (!charge || r.charge === charge) && (!intent || r.payment_intent === intent),
  );
  return { body: listOf(params, items, "/v1/refunds") };
};

/** Only the metadata of a refund can change (refund.updated with the previous metadata). */
export const updateRefund: Handler = (core, ctx, params, id) => {
  allowOnly(params, ["metadata", "expand"]);
  const r = core.state.refunds[id!];
  if (!r) throw noSuch("refund", id!, "id");
  if (params.metadata !== undefined) {
    const previous = { metadata: clone(r.metadata) };
    const next: Record<string, string> = { ...r.metadata };
    const given = params.metadata;
    if (given && typeof given === "object") {
      for (const [k, v] of Object.entries(given as Record<string, unknown>)) if (v === "") delete next[k];
    }
    r.metadata = { ...next, ...metadata(params) };
    core.events.emit(ctx, "refund.updated", r, previous);
  }
  return { body: refundView(core, r, expandList(params)) };
};
