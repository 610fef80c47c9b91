import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * 立即购买申请 (issue 14, point 8): a buyer's request to buy a fixed-price listing at its price. It
 * does not take the listing off the market; it opens a deal only when the buyer's deposit is
 * captured (`way: "deposit"`, a hold of purpose "buy-now-deposit") or the seller side confirms it
 * (`way: "confirm"`) before `expiresAt`. Several buyers may wait at once; the first deal wins and
 * the others are closed (their deposits released or refunded). Decision 023.
 *
 * pending → opened (the deal) | declined (by the seller side) | expired (nobody answered, or the
 * deposit was never paid) | closed (the listing was sold meanwhile; `closedReason` says why).
 */
export const BUY_REQUEST_WAYS = ["deposit", "confirm"] as const;
export type BuyRequestWay = (typeof BUY_REQUEST_WAYS)[number];

export const BUY_REQUEST_STATUSES = ["pending", "opened", "declined", "expired", "closed"] as const;
export type BuyRequestStatus = (typeof BUY_REQUEST_STATUSES)[number];

/** The deposit's state, mirrored from its payment (no deposit: "none"). */
export const BUY_DEPOSIT_STATUSES = ["none", "pending", "held", "captured", "released", "refunded", "failed"] as const;
export type BuyDepositStatus = (typeof BUY_DEPOSIT_STATUSES)[number];

const sellerSchema = new Schema(
  {
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    user: { type: Schema.Types.ObjectId, ref: "User" },
    name: { type: String, required: true },
  },
  { _id: false },
);
const buyerSchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    name: { type: String, required: true },
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    organizationName: String,
  },
  { _id: false },
);
const termsSchema = new Schema(
  {
    price: { type: Number, required: true },
    transactionMode: { type: String, required: true },
    licenseExclusivity: { type: String, default: null },
  },
  { _id: false },
);

const buyRequestSchema = new Schema(
  {
    listing: { type: Schema.Types.ObjectId, ref: "Achievement", required: true, index: true },
    listingTitle: { type: String, required: true },
    /** The selling side: the owner organisation and the listing's author (who may confirm). */
    seller: { type: sellerSchema, required: true },
    buyer: { type: buyerSchema, required: true },
    /** The option bought at its listed price (fen). */
    terms: { type: termsSchema, required: true },
    way: { type: String, enum: BUY_REQUEST_WAYS, required: true },
    status: { type: String, enum: BUY_REQUEST_STATUSES, default: "pending", required: true },
    deposit: {
      status: { type: String, enum: BUY_DEPOSIT_STATUSES, default: "none" },
      payment: { type: Schema.Types.ObjectId, ref: "Payment" },
      amount: Number,
    },
    /** Until when the seller may confirm (way confirm) or the buyer may pay the deposit (way deposit). */
    expiresAt: { type: Date, required: true, index: true },
    deal: { type: Schema.Types.ObjectId, ref: "Deal" },
    /** An i18n key: why a request was closed or declined (e.g. buyRequests.reasons.sold). */
    closedReason: { type: String, default: null },
    /** The seller side's own words when declining. */
    note: { type: String, default: null },
    decidedAt: Date,
    decidedBy: { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String },
  },
  { timestamps: true },
);

// One waiting request per buyer and listing.
buyRequestSchema.index(
  { listing: 1, "buyer.user": 1 },
  { unique: true, partialFilterExpression: { status: "pending" }, name: "one_pending_per_buyer" },
);
buyRequestSchema.index({ "buyer.user": 1, createdAt: -1 });
buyRequestSchema.index({ "seller.organization": 1, status: 1 });
buyRequestSchema.index({ status: 1, expiresAt: 1 });

export type BuyRequestDoc = InferSchemaType<typeof buyRequestSchema>;
export const BuyRequest = (mongoose.models.BuyRequest as mongoose.Model<BuyRequestDoc>) ?? mongoose.model("BuyRequest", buyRequestSchema);
