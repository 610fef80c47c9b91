import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A payment held, captured or released through a gateway (app/services/payments). Our record is
 * the truth for the platform; the gateway's ids (`checkoutRef` = Stripe Checkout Session,
 * `intentRef` = PaymentIntent) link it to the processor. Money in fen.
 */
export const PAYMENT_PURPOSES = ["auction-deposit"] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];
export const PAYMENT_STATUSES = ["pending", "held", "captured", "released", "failed"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

const paymentSchema = new Schema(
  {
    purpose: { type: String, enum: PAYMENT_PURPOSES, required: true },
    gateway: { type: String, enum: ["stripe"], required: true },
    status: { type: String, enum: PAYMENT_STATUSES, default: "pending", required: true },
    amount: { type: Number, required: true, min: 1 },
    currency: { type: String, default: "CNY" },
    payer: { type: Schema.Types.ObjectId, ref: "User", required: true },
    payerName: String,
    /** What the payment is for, e.g. { kind: "auction-registration", id }. */
    subject: {
      kind: { type: String, required: true },
      id: { type: Schema.Types.ObjectId, required: true },
    },
    description: String,
    checkoutRef: String,
    checkoutUrl: String,
    intentRef: String,
    capturedAmount: Number,
    heldAt: Date,
    capturedAt: Date,
    releasedAt: Date,
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
paymentSchema.index({ "subject.id": 1, createdAt: -1 });
paymentSchema.index({ payer: 1, createdAt: -1 });

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
