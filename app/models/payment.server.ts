import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A payment through a gateway (app/services/payments): money a payer hands over — held and later
 * captured or released (`hold`, an auction deposit), or paid at once (`checkout`, a price) — or
 * money the platform sends on to a connected account (`transfer`, a payout). Our record is the
 * truth for the platform; the gateway's ids (`checkoutRef` = Stripe Checkout Session, `intentRef`
 * = PaymentIntent, `transferRef` = Transfer) link it to the processor. Money in fen.
 *
 * Stored payments from before kinds, refunds and transfers existed are auction deposits held
 * through Stripe: a missing `kind` reads as "hold", missing amounts as none.
 */

/**
 * What a payment is for. The module that owns a purpose registers how it reacts to the payment's
 * state changes (services/payments/purposes.server.ts); a new purpose adds its name here.
 */
export const PAYMENT_PURPOSES = ["auction-deposit", "deal-stage", "payout", "buy-now-deposit"] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];

/** The gateways a payment can go through; a bank transfer confirmed by an administrator joins Stripe here. */
export const PAYMENT_GATEWAYS = ["stripe"] as const;
export type PaymentGatewayName = (typeof PAYMENT_GATEWAYS)[number];

export const PAYMENT_KINDS = ["hold", "checkout", "transfer"] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

/**
 * hold:     pending → held → captured | released; pending → failed (→ held, when the payer still paid)
 * checkout: pending → succeeded; pending → failed (→ succeeded)
 * transfer: pending → succeeded | failed
 * captured | succeeded → refunded (in part too: `refundedAmount` says how much; refunded → refunded for more)
 */
export const PAYMENT_STATUSES = ["pending", "held", "captured", "released", "succeeded", "refunded", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const refundSchema = new Schema(
  {
    /** The gateway's refund id (Stripe: re_…). */
    ref: { type: String, required: true },
    amount: { type: Number, required: true, min: 1 },
    at: { type: Date, required: true },
    reason: String,
    /** The caller's key for this refund (refunds made elsewhere, seen in a webhook, have none). */
    key: String,
  },
  { _id: false },
);

const paymentSchema = new Schema(
  {
    // Not an enum: the purpose registry decides which purposes exist (a payment for an unregistered one is never started).
    purpose: { type: String, required: true },
    kind: { type: String, enum: PAYMENT_KINDS, default: "hold", required: true },
    gateway: { type: String, enum: PAYMENT_GATEWAYS, required: true },
    status: { type: String, enum: PAYMENT_STATUSES, default: "pending", required: true },
    amount: { type: Number, required: true, min: 1 },
    currency: { type: String, default: "CNY" },
    /** Who pays; a transfer is paid by the platform and has none. */
    payer: {
      type: Schema.Types.ObjectId,
      ref: "User",
      required: function (this: { kind?: string }) {
        return this.kind !== "transfer";
      },
    },
    payerName: String,
    /** Who receives a transfer, and their connected account at the gateway. */
    payee: { type: Schema.Types.ObjectId, ref: "User" },
    destination: String,
    /** What the payment is for, e.g. { kind: "auction-registration", id }. */
    subject: {
      kind: { type: String, required: true },
      id: { type: Schema.Types.ObjectId, required: true },
    },
    description: String,
    /** The caller's idempotency key of a transfer: asking again with it never sends the money twice. */
    requestKey: String,
    checkoutRef: String,
    checkoutUrl: String,
    intentRef: String,
    transferRef: String,
    capturedAmount: Number,
    refundedAmount: Number,
    refunds: { type: [refundSchema], default: undefined },
    heldAt: Date,
    capturedAt: Date,
    releasedAt: Date,
    succeededAt: Date,
    refundedAt: Date,
    failureReason: String,
    /** Every status change with where it came from (webhook event id, return page, closer). */
    history: {
      type: [new Schema({ at: { type: Date, required: true }, status: String, source: String, eventId: String }, { _id: false })],
      default: [],
    },
  },
  { timestamps: true },
);
paymentSchema.index({ checkoutRef: 1 }, { unique: true, partialFilterExpression: { checkoutRef: { $type: "string" } } });
paymentSchema.index({ intentRef: 1 }, { unique: true, partialFilterExpression: { intentRef: { $type: "string" } } });
paymentSchema.index({ transferRef: 1 }, { unique: true, partialFilterExpression: { transferRef: { $type: "string" } } });
paymentSchema.index({ requestKey: 1 }, { unique: true, partialFilterExpression: { requestKey: { $type: "string" } } });
paymentSchema.index({ "subject.id": 1, createdAt: -1 });
paymentSchema.index({ payer: 1, createdAt: -1 });
// Payment pages still pending, for the reconciliation job (services/payments/reconcile.server.ts).
paymentSchema.index({ status: 1, createdAt: 1 }, { partialFilterExpression: { status: "pending" } });

export type PaymentDoc = InferSchemaType<typeof paymentSchema>;
export const Payment = (mongoose.models.Payment as mongoose.Model<PaymentDoc>) ?? mongoose.model("Payment", paymentSchema);

/** Webhook events already applied: the unique id makes a replayed event a no-op. */
const webhookEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    gateway: { type: String, required: true },
    type: { type: String, required: true },
    receivedAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export type WebhookEventDoc = InferSchemaType<typeof webhookEventSchema>;
export const WebhookEvent =
  (mongoose.models.WebhookEvent as mongoose.Model<WebhookEventDoc>) ?? mongoose.model("WebhookEvent", webhookEventSchema);
