import type Stripe from "stripe";

/**
 * The fields of Stripe's objects that this server keeps at their "nothing of that kind" value
 * (no tax, no shipping, no Connect fee, no review …), typed from the SDK so the compiler checks
 * each one. Every object is created with these spread in, so its field set matches Stripe's
 * published example objects (bench/stripe-fields.ts measures it).
 */

export type SessionDefaults = Pick<
  Stripe.Checkout.Session,
  | "adaptive_pricing"
  | "after_expiration"
  | "allow_promotion_codes"
  | "automatic_tax"
  | "billing_address_collection"
  | "client_secret"
  | "collected_information"
  | "consent"
  | "consent_collection"
  | "currency_conversion"
  | "custom_fields"
  | "custom_text"
  | "customer_account"
  | "customer_creation"
  | "discounts"
  | "integration_identifier"
  | "invoice"
  | "invoice_creation"
  | "managed_payments"
  | "origin_context"
  | "payment_link"
  | "payment_method_collection"
  | "payment_method_configuration_details"
  | "payment_method_options"
  | "permissions"
  | "phone_number_collection"
  | "recovered_from"
  | "saved_payment_method_options"
  | "setup_intent"
  | "shipping_address_collection"
  | "shipping_cost"
  | "shipping_options"
  | "submit_type"
  | "subscription"
  | "total_details"
  | "wallet_options"
>;

export const sessionDefaults = (): SessionDefaults => ({
  adaptive_pricing: null,
  after_expiration: null,
  allow_promotion_codes: null,
  automatic_tax: { enabled: false, liability: null, provider: null, status: null },
  billing_address_collection: null,
  client_secret: null,
  collected_information: null,
  consent: null,
  consent_collection: null,
  currency_conversion: null,
  custom_fields: [],
  custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
  customer_account: null,
  customer_creation: "if_required",
  discounts: [],
  integration_identifier: null,
  invoice: null,
  invoice_creation: null,
  managed_payments: null,
  origin_context: null,
  payment_link: null,
  payment_method_collection: "if_required",
  payment_method_configuration_details: null,
  payment_method_options: {},
  permissions: null,
  phone_number_collection: { enabled: false },
  recovered_from: null,
  saved_payment_method_options: null,
  setup_intent: null,
  shipping_address_collection: null,
  shipping_cost: null,
  shipping_options: [],
  submit_type: null,
  subscription: null,
  total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
  wallet_options: null,
});

export type IntentDefaults = Pick<
  Stripe.PaymentIntent,
  | "application"
  | "application_fee_amount"
  | "automatic_payment_methods"
  | "customer_account"
  | "excluded_payment_method_types"
  | "managed_payments"
  | "next_action"
  | "on_behalf_of"
  | "payment_method_configuration_details"
  | "payment_method_options"
  | "processing"
  | "review"
  | "setup_future_usage"
  | "shipping"
  | "source"
  | "statement_descriptor"
  | "statement_descriptor_suffix"
  | "transfer_data"
  | "transfer_group"
> &
  Required<Pick<Stripe.PaymentIntent, "amount_details">>;

export const intentDefaults = (): IntentDefaults => ({
  amount_details: { tip: {} },
  application: null,
  application_fee_amount: null,
  automatic_payment_methods: null,
  customer_account: null,
  excluded_payment_method_types: null,
  managed_payments: null,
  next_action: null,
  on_behalf_of: null,
  payment_method_configuration_details: null,
  payment_method_options: {},
  processing: null,
  review: null,
  setup_future_usage: null,
  shipping: null,
  source: null,
  statement_descriptor: null,
  statement_descriptor_suffix: null,
  transfer_data: null,
  transfer_group: null,
});

export type ChargeDefaults = Pick<
  Stripe.Charge,
  | "application"
  | "application_fee"
  | "application_fee_amount"
  | "billing_details"
  | "calculated_statement_descriptor"
  | "disputed"
  | "failure_balance_transaction"
  | "fraud_details"
  | "on_behalf_of"
  | "outcome"
  | "payment_method_details"
  | "receipt_number"
  | "receipt_url"
  | "refunds"
  | "review"
  | "shipping"
  | "source"
  | "source_transfer"
  | "statement_descriptor"
  | "statement_descriptor_suffix"
  | "transfer_data"
  | "transfer_group"
>;

/** A charge's fixed fields; `outcome` says how the (test) card network answered. */
export const chargeDefaults = (p: { email: string | null; decline: string | null }): ChargeDefaults => ({
  application: null,
  application_fee: null,
  application_fee_amount: null,
  billing_details: { address: null, email: p.email, name: null, phone: null, tax_id: null },
  calculated_statement_descriptor: "CHENGGUO",
  disputed: false,
  failure_balance_transaction: null,
  fraud_details: {},
  on_behalf_of: null,
  outcome: p.decline
    ? {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: "declined_by_network",
        reason: p.decline,
        risk_level: "normal",
        risk_score: 20,
        seller_message: "The bank did not return any further details with this decline.",
        type: "issuer_declined",
      }
    : {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: "approved_by_network",
        reason: null,
        risk_level: "normal",
        risk_score: 20,
        seller_message: "Payment complete.",
        type: "authorized",
      },
  payment_method_details: null,
  receipt_number: null,
  receipt_url: null,
  refunds: null,
  review: null,
  shipping: null,
  source: null,
  source_transfer: null,
  statement_descriptor: null,
  statement_descriptor_suffix: null,
  transfer_data: null,
  transfer_group: null,
});

export type RefundDefaults = Pick<
  Stripe.Refund,
  "customer" | "customer_account" | "payment_method" | "source_transfer_reversal" | "transfer_reversal"
> &
  Required<Pick<Stripe.Refund, "destination_details">>;

export const refundDefaults = (paymentMethod: string | null): RefundDefaults => ({
  customer: null,
  customer_account: null,
  destination_details: { type: "card", card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" } },
  payment_method: paymentMethod,
  source_transfer_reversal: null,
  transfer_reversal: null,
});

export type AccountDefaults = Required<
  Pick<
    Stripe.Account,
    "business_profile" | "controller" | "external_accounts" | "future_requirements" | "requirements" | "settings" | "tos_acceptance"
  >
>;

/** What Stripe asks an express account for before it can be paid (none once onboarded). */
export const ONBOARDING_DUE = ["business_profile.url", "external_account", "tos_acceptance.date", "tos_acceptance.ip"];

export const accountDefaults = (id: string, onboarded: boolean): AccountDefaults => {
  const due = onboarded ? [] : [...ONBOARDING_DUE];
  return {
    business_profile: null,
    controller: { type: "application", is_controller: true, requirement_collection: onboarded ? "application" : "stripe" },
    external_accounts: { object: "list", data: [], has_more: false, url: `/v1/accounts/${id}/external_accounts` },
    future_requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: [],
      disabled_reason: null,
      errors: [],
      eventually_due: [],
      past_due: [],
      pending_verification: [],
    },
    requirements: {
      alternatives: [],
      current_deadline: null,
      currently_due: due,
      disabled_reason: onboarded ? null : "requirements.past_due",
      errors: [],
      eventually_due: [...due],
      past_due: [...due],
      pending_verification: [],
    },
    settings: null,
    tos_acceptance: onboarded
      ? { date: Math.floor(Date.now() / 1000), ip: "127.0.0.1", user_agent: null }
      : { date: null, ip: null, user_agent: null },
  };
};
