import type Stripe from "stripe";
import type { AccountDefaults, ChargeDefaults, IntentDefaults, RefundDefaults, SessionDefaults } from "./defaults.ts";

/**
 * The objects of the local Stripe-compatible server, typed from the `stripe` SDK's own types: each
 * is the SDK's object narrowed to the fields this server fills in (every Stripe object has more),
 * so a field it returns has exactly the name and type the SDK gives its callers.
 */

export type Json = Record<string, unknown>;
export type Metadata = Stripe.Metadata;

export type CaptureMethod = Stripe.PaymentIntent.CaptureMethod;
export type IntentStatus = Stripe.PaymentIntent.Status;

export type PaymentIntentObject = Pick<
  Stripe.PaymentIntent,
  | "id"
  | "object"
  | "amount"
  | "amount_capturable"
  | "amount_received"
  | "canceled_at"
  | "cancellation_reason"
  | "capture_method"
  | "client_secret"
  | "confirmation_method"
  | "created"
  | "currency"
  | "customer"
  | "description"
  | "last_payment_error"
  | "latest_charge"
  | "livemode"
  | "metadata"
  | "payment_method"
  | "payment_method_types"
  | "receipt_email"
  | "status"
> &
  IntentDefaults & { latest_charge: string | null; payment_method: string | null };

/** The charge behind a confirmed PaymentIntent: what was taken, and how much of it went back. */
export type ChargeObject = Pick<
  Stripe.Charge,
  | "id"
  | "object"
  | "amount"
  | "amount_captured"
  | "amount_refunded"
  | "balance_transaction"
  | "captured"
  | "created"
  | "currency"
  | "customer"
  | "description"
  | "failure_code"
  | "failure_message"
  | "livemode"
  | "metadata"
  | "paid"
  | "payment_intent"
  | "payment_method"
  | "receipt_email"
  | "refunded"
  | "status"
> &
  ChargeDefaults & { payment_intent: string };

export type CheckoutSessionObject = Pick<
  Stripe.Checkout.Session,
  | "id"
  | "object"
  | "cancel_url"
  | "client_reference_id"
  | "created"
  | "customer"
  | "customer_email"
  | "expires_at"
  | "livemode"
  | "locale"
  | "metadata"
  | "mode"
  | "payment_method_types"
  | "payment_status"
  | "status"
  | "success_url"
  | "ui_mode"
  | "url"
> &
  SessionDefaults & {
    amount_subtotal: number;
    amount_total: number;
    currency: string;
    customer_details: Stripe.Checkout.Session.CustomerDetails | null;
    payment_intent: string | null;
  };

export type RefundObject = Pick<
  Stripe.Refund,
  | "id"
  | "object"
  | "amount"
  | "balance_transaction"
  | "charge"
  | "created"
  | "currency"
  | "metadata"
  | "payment_intent"
  | "reason"
  | "receipt_number"
  | "status"
> &
  RefundDefaults & { charge: string; payment_intent: string };

export type AccountObject = Pick<
  Stripe.Account,
  | "id"
  | "object"
  | "business_type"
  | "capabilities"
  | "charges_enabled"
  | "country"
  | "created"
  | "default_currency"
  | "details_submitted"
  | "email"
  | "metadata"
  | "payouts_enabled"
  | "type"
> &
  AccountDefaults;

export type TransferObject = Pick<
  Stripe.Transfer,
  | "id"
  | "object"
  | "amount"
  | "amount_reversed"
  | "balance_transaction"
  | "created"
  | "currency"
  | "description"
  | "destination"
  | "destination_payment"
  | "livemode"
  | "metadata"
  | "reversed"
  | "source_transaction"
  | "source_type"
  | "transfer_group"
> & {
  destination: string;
  reversals: { object: "list"; data: TransferReversalObject[]; has_more: boolean; total_count: number; url: string };
};

export type TransferReversalObject = Pick<
  Stripe.TransferReversal,
  "id" | "object" | "amount" | "balance_transaction" | "created" | "currency" | "destination_payment_refund" | "metadata" | "source_refund"
> & { transfer: string };

export type AccountLinkObject = Pick<Stripe.AccountLink, "object" | "created" | "expires_at" | "url">;

export type BalanceObject = Pick<Stripe.Balance, "object" | "available" | "pending" | "livemode"> &
  Required<Pick<Stripe.Balance, "connect_reserved">>;

/** An account link's token: single use, until expires_at; an expired one sends the person to refresh_url. */
export interface AccountLinkRecord {
  account: string;
  type: "account_onboarding" | "account_update";
  refreshUrl: string;
  returnUrl: string;
  expiresAt: number;
  used: boolean;
}

export type WebhookEndpointObject = Pick<
  Stripe.WebhookEndpoint,
  | "id"
  | "object"
  | "api_version"
  | "application"
  | "created"
  | "description"
  | "enabled_events"
  | "livemode"
  | "metadata"
  | "status"
  | "url"
> & {
  enabled_events: string[];
  /** Only ever returned by the create call, like Stripe. */
  secret: string;
};

export type EventObject = Pick<Stripe.Event, "id" | "object" | "api_version" | "created" | "livemode" | "pending_webhooks"> & {
  /** previous_attributes: the changed fields' values before an `*.updated` change, as on Stripe. */
  data: { object: Json; previous_attributes?: Json };
  request: { id: string | null; idempotency_key: string | null };
  type: string;
};

export interface LineItem {
  name: string;
  unitAmount: number;
  quantity: number;
}

/** A session plus what Stripe keeps about it but does not return on the object. */
export interface SessionRecord {
  session: CheckoutSessionObject;
  lineItems: LineItem[];
  intentData: { captureMethod: CaptureMethod; metadata: Metadata; description: string | null };
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  at: number;
}

/** Everything the server knows, as it is written to the state file (version 1; collections added later default to empty). */
export interface State {
  version: 1;
  sessions: Record<string, SessionRecord>;
  intents: Record<string, PaymentIntentObject>;
  charges: Record<string, ChargeObject>;
  refunds: Record<string, RefundObject>;
  accounts: Record<string, AccountObject>;
  transfers: Record<string, TransferObject>;
  accountLinks: Record<string, AccountLinkRecord>;
  endpoints: Record<string, WebhookEndpointObject>;
  events: EventObject[];
  idempotency: Record<string, IdempotencyRecord>;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number;
  /** True when the answer was a stored idempotent response (nothing executed). */
  replayed: boolean;
  requestId: string;
}

export interface DeliveryLogEntry {
  at: string;
  event: string;
  type: string;
  endpoint: string;
  attempt: number;
  /** HTTP status of the endpoint's answer, or null when it could not be reached. */
  status: number | null;
  error: string | null;
}

/** One API request (or a change not caused by one: the hosted page, expiry) and the events it caused. */
export interface Ctx {
  /** null for changes not caused by an API request (the hosted page, expiry). */
  requestId: string | null;
  idempotencyKey: string | null;
  apiVersion: string;
  emitted: EventObject[];
}

export const EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.expired",
  "payment_intent.created",
  "payment_intent.amount_capturable_updated",
  "payment_intent.succeeded",
  "payment_intent.canceled",
  "payment_intent.payment_failed",
  "charge.succeeded",
  "charge.failed",
  "charge.captured",
  "charge.refunded",
  "refund.created",
  "refund.updated",
  "account.updated",
  "transfer.created",
  "transfer.reversed",
] as const;

export type TestCard = { ok: true } | { ok: false; code: string; decline: string; message: string };

/** Stripe's test cards (numbers on the hosted page, PaymentMethod ids on the API). */
export const TEST_CARDS: Record<string, TestCard> = {
  "4242424242424242": { ok: true },
  pm_card_visa: { ok: true },
  pm_card_mastercard: { ok: true },
  "4000000000000002": { ok: false, code: "card_declined", decline: "generic_decline", message: "Your card was declined." },
  pm_card_chargeDeclined: { ok: false, code: "card_declined", decline: "generic_decline", message: "Your card was declined." },
  "4000000000009995": {
    ok: false,
    code: "card_declined",
    decline: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    ok: false,
    code: "card_declined",
    decline: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
};
