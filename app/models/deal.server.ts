import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { termsSchema } from "./deal-room.server.ts";

/**
 * 成交: what every way of trading ends in (buy-now, an accepted offer, a won auction). The
 * contracts-and-payments work turns an open deal into a contract. Money in fen.
 */
export const DEAL_SOURCES = ["buy-now", "offer", "auction", "negotiation"] as const;
export type DealSource = (typeof DEAL_SOURCES)[number];
export const DEAL_STATUSES = ["open", "cancelled"] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];

const partySchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: "User" },
    name: { type: String, required: true },
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    organizationName: String,
  },
  { _id: false },
);

const dealSchema = new Schema(
  {
    listing: { type: Schema.Types.ObjectId, ref: "Achievement", required: true },
    listingTitle: { type: String, required: true },
    seller: { type: partySchema, required: true },
    buyer: { type: partySchema, required: true },
    source: { type: String, enum: DEAL_SOURCES, required: true },
    offer: { type: Schema.Types.ObjectId, ref: "Offer" },
    auction: { type: Schema.Types.ObjectId, ref: "Auction" },
    price: {
      amount: { type: Number, required: true, min: 0 },
      currency: { type: String, default: "CNY" },
    },
    terms: {
      transactionMode: { type: String, enum: TRANSACTION_MODES, required: true },
      licenseExclusivity: { type: String, enum: LICENSE_EXCLUSIVITY },
    },
    /** A captured auction deposit, applied toward the price. */
    deposit: {
      payment: { type: Schema.Types.ObjectId, ref: "Payment" },
      amount: Number,
    },
    /** The terms agreed on an offer card in the deal room (what the contract is drafted from). */
    agreedTerms: {
      card: { type: Schema.Types.ObjectId, ref: "OfferCard" },
      room: { type: Schema.Types.ObjectId, ref: "DealRoom" },
      terms: termsSchema,
      acceptedAt: Date,
    },
    status: { type: String, enum: DEAL_STATUSES, default: "open", required: true },
  },
  { timestamps: true },
);
// A listing is sold once: at most one open deal per listing, enforced by MongoDB itself.
dealSchema.index({ listing: 1 }, { unique: true, partialFilterExpression: { status: "open" } });
dealSchema.index({ "buyer.user": 1, createdAt: -1 });
dealSchema.index({ "seller.organization": 1, createdAt: -1 });

export type DealDoc = InferSchemaType<typeof dealSchema>;
export const Deal = (mongoose.models.Deal as mongoose.Model<DealDoc>) ?? mongoose.model("Deal", dealSchema);
