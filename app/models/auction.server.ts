import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * 竞价: an auction of one achievement. Money in fen. The reserve price is hidden: it never
 * leaves the server except to the seller's side. `lastSeq`/`lastBidHash` are the head of the
 * tamper-evident bid chain; every accepted bid moves them in the same transaction as its insert.
 */
export const AUCTION_STATUSES = ["open", "closing", "closed", "cancelled"] as const;
export type AuctionStatus = (typeof AUCTION_STATUSES)[number];
export const AUCTION_RESULTS = ["sold", "reserve-not-met", "no-bids"] as const;
export type AuctionResult = (typeof AUCTION_RESULTS)[number];

const tierSchema = new Schema(
  {
    /** From this current price on (fen) … */
    from: { type: Number, required: true, min: 0 },
    /** … each bid must beat it by at least this much (fen). */
    increment: { type: Number, required: true, min: 1 },
  },
  { _id: false },
);

const auctionSchema = new Schema(
  {
    listing: { type: Schema.Types.ObjectId, ref: "Achievement", required: true },
    listingTitle: { type: String, required: true },
    sellerOrganization: { type: Schema.Types.ObjectId, ref: "Organization", required: true },
    sellerName: { type: String, required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: "User", required: true },
    createdByName: String,
    /** Set when a broker runs the auction for the seller. */
    broker: { type: Schema.Types.ObjectId, ref: "User" },
    transactionMode: { type: String, required: true },
    licenseExclusivity: String,
    currency: { type: String, default: "CNY" },
    startPrice: { type: Number, required: true, min: 1 },
    reservePrice: { type: Number, min: 0, default: null },
    /** Fixed increment = one tier from 0. Tiers are sorted by `from`. */
    increments: { type: [tierSchema], required: true },
    deposit: { type: Number, required: true, min: 0 },
    startsAt: { type: Date, required: true },
    /** The scheduled end, as announced. */
    endsAt: { type: Date, required: true },
    /** The end now, after anti-sniping extensions. */
    currentEndsAt: { type: Date, required: true },
    /** A bid this many seconds before the end extends it by the same amount … */
    antiSnipeWindowSec: { type: Number, required: true, min: 0 },
    /** … but never beyond the scheduled end plus this many seconds. */
    antiSnipeCapSec: { type: Number, required: true, min: 0 },
    status: { type: String, enum: AUCTION_STATUSES, default: "open", required: true },
    currentPrice: { type: Number, default: null },
    leader: { type: Schema.Types.ObjectId, ref: "AuctionRegistration", default: null },
    bidCount: { type: Number, default: 0 },
    registrations: { type: Number, default: 0 },
    lastSeq: { type: Number, default: 0 },
    lastBidHash: { type: String, required: true },
    extensions: { type: Number, default: 0 },
    /** The close claim: who is closing and since when (a lease another instance may take over). */
    closing: {
      by: String,
      at: Date,
    },
    outcome: {
      result: { type: String, enum: AUCTION_RESULTS },
      price: Number,
      winner: { type: Schema.Types.ObjectId, ref: "AuctionRegistration" },
      winnerUser: { type: Schema.Types.ObjectId, ref: "User" },
      deal: { type: Schema.Types.ObjectId, ref: "Deal" },
      closedAt: Date,
      closedBy: String,
    },
    /** Deposits still to release or capture after the close (done outside the transaction). */
    settlement: { type: String, enum: ["none", "pending", "done"], default: "none" },
  },
  { timestamps: true },
);
auctionSchema.index({ status: 1, currentEndsAt: 1 }); // the closer
auctionSchema.index({ settlement: 1 }); // the settlement sweep
auctionSchema.index({ listing: 1, createdAt: -1 });
// One running auction per listing.
auctionSchema.index({ listing: 1 }, { unique: true, partialFilterExpression: { status: { $in: ["open", "closing"] } } });

export type AuctionDoc = InferSchemaType<typeof auctionSchema>;
export const Auction = (mongoose.models.Auction as mongoose.Model<AuctionDoc>) ?? mongoose.model("Auction", auctionSchema);

/**
 * 竞买登记: a buyer registered for one auction, with the bidder agreement accepted and the
 * deposit (保证金) held through the payment gateway. `number` is the pseudonym other bidders see.
 */
export const DEPOSIT_STATUSES = ["none", "pending", "held", "released", "captured", "refunded", "failed"] as const;
export type DepositStatus = (typeof DEPOSIT_STATUSES)[number];

const registrationSchema = new Schema(
  {
    auction: { type: Schema.Types.ObjectId, ref: "Auction", required: true },
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    userName: { type: String, required: true },
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    organizationName: String,
    /** 竞买号: 1, 2, 3 … in order of registration; shown as "竞买人 3号". */
    number: { type: Number, required: true },
    agreementVersion: { type: String, required: true },
    agreementAcceptedAt: { type: Date, required: true },
    deposit: {
      status: { type: String, enum: DEPOSIT_STATUSES, default: "none", required: true },
      payment: { type: Schema.Types.ObjectId, ref: "Payment" },
      amount: Number,
    },
  },
  { timestamps: true },
);
registrationSchema.index({ auction: 1, user: 1 }, { unique: true });
registrationSchema.index({ auction: 1, number: 1 }, { unique: true });
registrationSchema.index({ user: 1, createdAt: -1 });

export type AuctionRegistrationDoc = InferSchemaType<typeof registrationSchema>;
export const AuctionRegistration =
  (mongoose.models.AuctionRegistration as mongoose.Model<AuctionRegistrationDoc>) ??
  mongoose.model("AuctionRegistration", registrationSchema);

/** One accepted bid. `hash` = SHA-256 over the bid's content and `prevHash` (see auctions service). */
const bidSchema = new Schema(
  {
    auction: { type: Schema.Types.ObjectId, ref: "Auction", required: true },
    seq: { type: Number, required: true, min: 1 },
    registration: { type: Schema.Types.ObjectId, ref: "AuctionRegistration", required: true },
    bidderNumber: { type: Number, required: true },
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    amount: { type: Number, required: true, min: 1 },
    placedAt: { type: Date, required: true },
    via: { type: String, enum: ["ui", "api"], default: "ui" },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { versionKey: false },
);
bidSchema.index({ auction: 1, seq: 1 }, { unique: true });
bidSchema.index({ user: 1, placedAt: -1 });

export type BidDoc = InferSchemaType<typeof bidSchema>;
export const Bid = (mongoose.models.Bid as mongoose.Model<BidDoc>) ?? mongoose.model("Bid", bidSchema);
