import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * Money going back to the buyer (issue 14, points 5 and 8; services/settlement/cancel): of a
 * cancelled deal, one per receipt of a cancelled stage, made in the cancellation's transaction
 * (`kind: "cancellation"`); and the excess of a receipt beyond what its stage was owed (多付, or
 * money arriving on a stage already cancelled), made with the receipt (`kind: "excess"`). A Stripe receipt is
 * refunded through the gateway (the Checkout's Payment), a deposit applied to a stage by refunding
 * the deposit's Payment, a bank receipt by a bank transfer an admin records with its reference,
 * value date and proof. Money in fen.
 */
export const DEAL_REFUND_STATUSES = ["due", "paid"] as const;
export type DealRefundStatus = (typeof DEAL_REFUND_STATUSES)[number];
export const DEAL_REFUND_KINDS = ["cancellation", "excess"] as const;
export type DealRefundKind = (typeof DEAL_REFUND_KINDS)[number];

const dealRefundSchema = new Schema(
  {
    deal: { type: Schema.Types.ObjectId, ref: "Deal", required: true },
    /** The stage the money was paid on; none for an auction deposit not yet applied to a stage (`depositOnly`). */
    stage: { type: Schema.Types.ObjectId, ref: "DealStage" },
    stageNumber: { type: Number, required: true },
    /**
     * A won auction's captured deposit that no stage received yet (the deal cancelled before its
     * schedule): refunded through its Payment, whose own handler books it (deposit-refunded).
     * `receipt` is then the deposit's Payment id.
     */
    depositOnly: { type: Boolean, default: false },
    /** The receipt (DealStage.receipts[]._id) the money came with: one refund of each kind per receipt. */
    receipt: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: DEAL_REFUND_KINDS, default: "cancellation", required: true },
    via: { type: String, enum: ["stripe", "bank", "deposit"], required: true },
    amount: { type: Number, required: true, min: 1 },
    /** The buyer (ledger party). */
    buyer: { type: String, required: true },
    status: { type: String, enum: DEAL_REFUND_STATUSES, default: "due", required: true },
    /** stripe / deposit: the Payment refunded; the last gateway failure, if any. */
    payment: { type: Schema.Types.ObjectId, ref: "Payment" },
    failureReason: String,
    /** bank: the bank's reference, the value date, the proof (a file id), who recorded it. */
    bankRef: String,
    paidOn: Date,
    proofFile: { type: Schema.Types.ObjectId },
    recordedBy: { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String },
    paidAt: Date,
  },
  { timestamps: true },
);
dealRefundSchema.index({ receipt: 1, kind: 1 }, { unique: true });
dealRefundSchema.index({ deal: 1 });
dealRefundSchema.index({ status: 1, via: 1, createdAt: 1 });

export type DealRefundDoc = InferSchemaType<typeof dealRefundSchema>;
export const DealRefund = (mongoose.models.DealRefund as mongoose.Model<DealRefundDoc>) ?? mongoose.model("DealRefund", dealRefundSchema);
