import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A stage of a signed contract's payment schedule (issue 14, point 5; services/settlement): what
 * the buyer owes and when. Made from the contract's stages when both sides have signed — one per
 * milestone (入门费 / 首付款, delivery, acceptance), or one for the whole price — plus a royalty
 * stage (提成) when the terms carry a royalty rate. Money in fen.
 *
 * `amount` is what is due: a fixed stage's agreed amount; a royalty stage's sum of its reports.
 * `paid` is what arrived (receipts: Stripe Checkout, a bank transfer an admin recorded, an auction
 * deposit applied). Short: paid < amount; excess: paid > amount; late: unpaid after `dueAt`.
 */
export const STAGE_KINDS = ["fixed", "royalty"] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
/** due → partly-paid → paid; cancelled when the deal is cancelled (its paid money is refunded). */
export const STAGE_STATUSES = ["due", "partly-paid", "paid", "cancelled"] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];
export const RECEIPT_VIAS = ["stripe", "bank", "deposit"] as const;
export type ReceiptVia = (typeof RECEIPT_VIAS)[number];

const personRef = { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String } as const;

const receiptSchema = new Schema(
  {
    via: { type: String, enum: RECEIPT_VIAS, required: true },
    amount: { type: Number, required: true, min: 1 },
    /** When the money arrived (a bank transfer: the value date the admin read on the statement). */
    receivedAt: { type: Date, required: true },
    /** The bank's reference of the incoming transfer (bank receipts). */
    bankRef: String,
    /** The proof an admin uploaded (a bank statement or 回单), a file id (services/files). */
    proofFile: { type: Schema.Types.ObjectId },
    /** The Payment a gateway moved the money with (Checkout, a captured deposit). */
    payment: { type: Schema.Types.ObjectId, ref: "Payment" },
    recordedBy: personRef,
    recordedAt: { type: Date, required: true },
  },
  { _id: true },
);

const royaltyReportSchema = new Schema(
  {
    /** The period reported, e.g. 2026-01-01 … 2026-03-31. */
    periodFrom: { type: Date, required: true },
    periodTo: { type: Date, required: true },
    salesFen: { type: Number, required: true, min: 0 },
    /** The agreed rate at the time, in basis points of sales. */
    rateBps: { type: Number, required: true, min: 0 },
    /** salesFen × rateBps / 10 000, rounded half up to the fen. */
    dueFen: { type: Number, required: true, min: 0 },
    reportedBy: personRef,
    reportedAt: { type: Date, required: true },
    note: String,
  },
  { _id: true },
);

const dealStageSchema = new Schema(
  {
    deal: { type: Schema.Types.ObjectId, ref: "Deal", required: true },
    contract: { type: Schema.Types.ObjectId, ref: "Contract", required: true },
    /** 1, 2, … in the contract's order. */
    number: { type: Number, required: true, min: 1 },
    title: { type: String, required: true },
    kind: { type: String, enum: STAGE_KINDS, required: true },
    amount: { type: Number, required: true, min: 0 },
    dueAt: Date,
    /** The reference a bank transfer must carry (付款附言), unique across the platform. */
    reference: { type: String, required: true },
    status: { type: String, enum: STAGE_STATUSES, default: "due", required: true },
    paid: { type: Number, default: 0, required: true, min: 0 },
    receipts: { type: [receiptSchema], default: [] },
    royaltyReports: { type: [royaltyReportSchema], default: [] },
    paidAt: Date,
    /** The Checkout Payment the buyer started last for this stage, if any. */
    checkoutPayment: { type: Schema.Types.ObjectId, ref: "Payment" },
  },
  { timestamps: true },
);
dealStageSchema.index({ deal: 1, number: 1 }, { unique: true });
dealStageSchema.index({ reference: 1 }, { unique: true });
dealStageSchema.index({ status: 1, dueAt: 1 });

export type DealStageDoc = InferSchemaType<typeof dealStageSchema>;
export const DealStage = (mongoose.models.DealStage as mongoose.Model<DealStageDoc>) ?? mongoose.model("DealStage", dealStageSchema);
