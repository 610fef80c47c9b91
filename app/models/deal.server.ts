import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { termsSchema } from "./terms.server.ts";

/**
 * 成交: what every way of trading ends in (buy-now, an accepted offer, a won auction). The
 * contracts-and-payments work turns an open deal into a contract. Money in fen. Whatever its
 * source, a deal carries the full agreed terms in `terms` (decision 009), and `termsSource` says
 * where they were agreed.
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
    /** The agreed terms: price (fen), mode, exclusivity, territory, term, royalty, milestones. */
    terms: { type: termsSchema, required: true },
    /** Where the terms were agreed: the accepted offer version, the auction, or the room's card. */
    termsSource: {
      kind: { type: String, enum: DEAL_SOURCES, required: true },
      offer: { type: Schema.Types.ObjectId, ref: "Offer" },
      auction: { type: Schema.Types.ObjectId, ref: "Auction" },
      card: { type: Schema.Types.ObjectId, ref: "OfferCard" },
      room: { type: Schema.Types.ObjectId, ref: "DealRoom" },
      acceptedAt: { type: Date, required: true },
    },
    /** A captured auction deposit, applied toward the price. */
    deposit: {
      payment: { type: Schema.Types.ObjectId, ref: "Payment" },
      amount: Number,
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
