import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * Money the platform owes out of a paid stage (issue 14, point 6; services/settlement): the
 * seller's share (the stage minus commission and fee) and the broker's commission. Paid by a
 * Stripe Connect transfer to the payee's connected account (`payment` is the transfer's Payment)
 * or by a bank payout an admin records with proof. A failed transfer stays `failed` with its
 * reason until retried. Money in fen.
 */
export const PAYOUT_TO = ["seller", "broker"] as const;
export type PayoutTo = (typeof PAYOUT_TO)[number];
/** owed → pending (a transfer sent, not yet confirmed) → paid; pending → failed → pending (retry); owed → reversed (cancelled before it went out). */
export const PAYOUT_STATUSES = ["owed", "pending", "paid", "failed", "reversed"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];
export const PAYOUT_VIAS = ["connect", "bank"] as const;
export type PayoutVia = (typeof PAYOUT_VIAS)[number];

const payoutSchema = new Schema(
  {
    deal: { type: Schema.Types.ObjectId, ref: "Deal", required: true },
    stage: { type: Schema.Types.ObjectId, ref: "DealStage", required: true },
    to: { type: String, enum: PAYOUT_TO, required: true },
    /** The ledger party: the seller's organisation (or user), the broker's user. */
    party: { type: String, required: true },
    partyName: { type: String, required: true },
    amount: { type: Number, required: true, min: 1 },
    status: { type: String, enum: PAYOUT_STATUSES, default: "owed", required: true },
    via: { type: String, enum: PAYOUT_VIAS },
    /** Connect: the transfer's Payment, and how many times it was tried. */
    payment: { type: Schema.Types.ObjectId, ref: "Payment" },
    attempts: { type: Number, default: 0 },
    failureReason: String,
    /** Bank: the bank's reference, the proof file, who recorded it. */
    bankRef: String,
    proofFile: { type: Schema.Types.ObjectId },
    recordedBy: { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String },
    paidAt: Date,
  },
  { timestamps: true },
);
payoutSchema.index({ stage: 1, to: 1 }, { unique: true });
payoutSchema.index({ deal: 1 });
payoutSchema.index({ status: 1, updatedAt: -1 });
payoutSchema.index({ party: 1, createdAt: -1 });

export type PayoutDoc = InferSchemaType<typeof payoutSchema>;
export const Payout = (mongoose.models.Payout as mongoose.Model<PayoutDoc>) ?? mongoose.model("Payout", payoutSchema);
