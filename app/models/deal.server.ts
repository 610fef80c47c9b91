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
/**
 * open: trading ended in this deal, the contract is being drafted, signed and paid; cancelled: by
 * agreement before performance, or by an admin after a dispute (paid stages refunded); lapsed: not
 * signed by `signBy` (its listing returned to trading; an auction winner's deposit forfeited).
 */
export const DEAL_STATUSES = ["open", "cancelled", "lapsed"] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
/** Where the deal's contract stands (kept in step by services/contracts, for lists and API filters). */
export const DEAL_CONTRACT_STATES = ["none", "draft", "signed"] as const;
export type DealContractState = (typeof DEAL_CONTRACT_STATES)[number];
/**
 * Where the deal's money stands (kept in step by services/settlement): none (no schedule yet: not
 * signed), due (nothing paid), partly-paid, paid (every fixed stage paid in full), paid-out (paid,
 * and every payout made), refunded (cancelled after money came in, all of it given back).
 */
export const DEAL_PAYMENT_STATES = ["none", "due", "partly-paid", "paid", "paid-out", "refunded"] as const;
export type DealPaymentState = (typeof DEAL_PAYMENT_STATES)[number];

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
    /**
     * Whether the deal took the listing off the market: false only for a non-exclusive licence
     * (普通许可), which leaves it trading for other licensees (trading/deals/rules.ts). Deals from
     * before issue 13 have no value and count as true (migration 002 sets it).
     */
    endsTrading: { type: Boolean, default: true, required: true },
    /** The signing deadline (setting `signingDeadlineDays` after the deal; issue 14, point 8). Deals from before have none. */
    signBy: Date,
    contractState: { type: String, enum: DEAL_CONTRACT_STATES, default: "none", required: true },
    paymentState: { type: String, enum: DEAL_PAYMENT_STATES, default: "none", required: true },
    /** The broker of record, who earns the commission (fixed when the schedule is made: the deal's first room broker, or set by an admin). */
    broker: { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String },
    /** The broker's commission and the platform's fee on each paid stage, in basis points (1% = 100); defaults from the settings. */
    commissionBps: { type: Number, min: 0, max: 10_000 },
    feeBps: { type: Number, min: 0, max: 10_000 },
    /**
     * A cancellation one side proposed and the other has not yet answered (services/settlement/cancel):
     * the proposer's side, who, why, when. Cleared when withdrawn, declined or carried out.
     */
    cancellation: {
      side: { type: String, enum: ["seller", "buyer"] },
      by: { type: Schema.Types.ObjectId, ref: "User" },
      byName: String,
      reason: String,
      at: Date,
    },
    /** When the signing-deadline reminder went out (the deadline job sends it once, a day before). */
    signReminderAt: Date,
    /** How the deal ended, when cancelled or lapsed. */
    ended: {
      at: Date,
      by: { type: Schema.Types.ObjectId, ref: "User" },
      byName: String,
      reason: String,
    },
  },
  { timestamps: true },
);
// A listing is sold once: at most one open deal that ends its trading per listing, enforced by
// MongoDB itself (the listing's trading → deal move is the first lock). Non-exclusive licences are
// many, but one per buyer. Named: the unnamed `listing_1` of before is dropped by migration 002.
dealSchema.index(
  { listing: 1 },
  { name: "one_open_sale_per_listing", unique: true, partialFilterExpression: { status: "open", endsTrading: true } },
);
dealSchema.index(
  { listing: 1, "buyer.user": 1 },
  { name: "one_open_licence_per_buyer", unique: true, partialFilterExpression: { status: "open", endsTrading: false } },
);
dealSchema.index({ "buyer.user": 1, createdAt: -1 });
dealSchema.index({ "seller.organization": 1, createdAt: -1 });
dealSchema.index({ status: 1, contractState: 1, signBy: 1 });

export type DealDoc = InferSchemaType<typeof dealSchema>;
export const Deal = (mongoose.models.Deal as mongoose.Model<DealDoc>) ?? mongoose.model("Deal", dealSchema);
