import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { OFFER_MESSAGE_MAX, OFFER_REASON_MAX } from "~/utils/offer-limits.ts";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";

/**
 * 报价 / 议价: one version of a negotiation between a buyer and a listing's seller side. The
 * first offer opens a thread (`thread` = its own id, version 1); each counter is a new document
 * in the same thread with the next version, and the one it answers becomes `countered`. Money in
 * fen. A thread has at most one open version, and a buyer at most one open thread per listing —
 * both enforced by MongoDB (partial unique indexes), not only by the service.
 */
export const OFFER_STATUSES = ["open", "accepted", "rejected", "countered", "withdrawn", "expired", "closed"] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const OFFER_SIDES = ["buyer", "seller"] as const;
export type OfferSide = (typeof OFFER_SIDES)[number];

const sellerSchema = new Schema(
  {
    organization: { type: Schema.Types.ObjectId, ref: "Organization", required: true },
    name: { type: String, required: true },
    /** The listing's author, who acts for the seller side besides the organisation's members. */
    user: { type: Schema.Types.ObjectId, ref: "User" },
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

const offerSchema = new Schema(
  {
    listing: { type: Schema.Types.ObjectId, ref: "Achievement", required: true },
    listingTitle: { type: String, required: true },
    seller: { type: sellerSchema, required: true },
    buyer: { type: buyerSchema, required: true },
    /** The first offer's id; the same for every version of one negotiation. */
    thread: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true, min: 1 },
    /** Which side made this version. */
    by: { type: String, enum: OFFER_SIDES, required: true },
    /** The person who made it (a seller-side member for counters). */
    byUser: { type: Schema.Types.ObjectId, ref: "User", required: true },
    byName: { type: String, required: true },
    amount: { type: Number, required: true, min: 1 }, // fen
    currency: { type: String, default: "CNY", required: true },
    transactionMode: { type: String, enum: TRANSACTION_MODES, required: true },
    licenseExclusivity: { type: String, enum: LICENSE_EXCLUSIVITY },
    message: { type: String, maxlength: OFFER_MESSAGE_MAX, default: "" },
    expiresAt: { type: Date, required: true },
    status: { type: String, enum: OFFER_STATUSES, default: "open", required: true },
    /** Why it was rejected or closed (free text of the rejecting side, or a system key). */
    reason: { type: String, maxlength: OFFER_REASON_MAX },
    respondedAt: Date,
    respondedBy: { type: Schema.Types.ObjectId, ref: "User" },
    respondedByName: String,
    /** The deal an accepted offer opened. */
    deal: { type: Schema.Types.ObjectId, ref: "Deal" },
  },
  { timestamps: true },
);
// Open offers of a listing (the seller's count, closing the others on accept).
offerSchema.index({ listing: 1, status: 1 });
// A buyer's offers, newest first.
offerSchema.index({ "buyer.user": 1, createdAt: -1 });
// The offers a seller organisation (or the listing's author) received, newest first.
offerSchema.index({ "seller.organization": 1, createdAt: -1 });
offerSchema.index({ "seller.user": 1, createdAt: -1 });
// The expiry sweep: open offers by expiry.
offerSchema.index({ expiresAt: 1 }, { partialFilterExpression: { status: "open" } });
// Versions of a thread, in order; two counters of the same version cannot both be stored.
offerSchema.index({ thread: 1, version: 1 }, { unique: true });
// At most one open version per thread …
offerSchema.index({ thread: 1 }, { unique: true, partialFilterExpression: { status: "open" }, name: "one_open_per_thread" });
// … and at most one open negotiation per buyer and listing.
offerSchema.index(
  { listing: 1, "buyer.user": 1 },
  { unique: true, partialFilterExpression: { status: "open" }, name: "one_open_per_buyer_listing" },
);

export type OfferDoc = InferSchemaType<typeof offerSchema>;
export const Offer = (mongoose.models.Offer as mongoose.Model<OfferDoc>) ?? mongoose.model("Offer", offerSchema);
