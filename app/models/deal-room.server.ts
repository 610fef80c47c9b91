import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { termsSchema } from "./terms.server.ts";

/**
 * 洽谈室: one room per listing and buyer, where the buyer, the seller side and invited brokers
 * negotiate. Messages carry a per-room sequence (`lastSeq` is the room's counter) so a client that
 * reconnects asks for exactly what it missed. Money in fen.
 */
export const ROOM_SIDES = ["buyer", "seller", "broker"] as const;
export type RoomSide = (typeof ROOM_SIDES)[number];
export const ROOM_ORIGINS = ["listing", "match", "offer", "deal", "recommendation"] as const;
export type RoomOrigin = (typeof ROOM_ORIGINS)[number];

const personRef = { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String } as const;

const dealRoomSchema = new Schema(
  {
    listing: { type: Schema.Types.ObjectId, ref: "Achievement", required: true },
    listingTitle: { type: String, required: true },
    origin: { type: String, enum: ROOM_ORIGINS, required: true },
    demand: { type: Schema.Types.ObjectId, ref: "Demand" },
    offerThread: { type: Schema.Types.ObjectId, ref: "Offer" },
    deal: { type: Schema.Types.ObjectId, ref: "Deal" },
    buyer: {
      ...personRef,
      organization: { type: Schema.Types.ObjectId, ref: "Organization" },
      organizationName: String,
    },
    seller: {
      ...personRef,
      organization: { type: Schema.Types.ObjectId, ref: "Organization", required: true },
      organizationName: String,
    },
    brokers: {
      type: [new Schema({ ...personRef, invitedBy: String, invitedAt: Date }, { _id: false })],
      default: [],
    },
    lastSeq: { type: Number, default: 0 },
    lastMessageAt: Date,
    /** Confidential attachments open once a buyer-side and a seller-side member accepted. */
    nda: {
      version: { type: String, default: "2026-11" },
      acceptances: {
        type: [new Schema({ ...personRef, side: { type: String, enum: ROOM_SIDES }, at: Date }, { _id: false })],
        default: [],
      },
    },
    /** The accepted offer card: what the contract will be drafted from. */
    agreedTerms: {
      card: { type: Schema.Types.ObjectId, ref: "OfferCard" },
      terms: termsSchema,
      acceptedAt: Date,
      acceptedBy: personRef,
    },
  },
  { timestamps: true },
);
dealRoomSchema.index({ listing: 1, "buyer.user": 1 }, { unique: true });
dealRoomSchema.index({ "buyer.user": 1, lastMessageAt: -1 });
dealRoomSchema.index({ "seller.organization": 1, lastMessageAt: -1 });
dealRoomSchema.index({ "seller.user": 1, lastMessageAt: -1 });
dealRoomSchema.index({ "brokers.user": 1, lastMessageAt: -1 });
dealRoomSchema.index({ deal: 1 }, { sparse: true });

export type DealRoomDoc = InferSchemaType<typeof dealRoomSchema>;
export const DealRoom = (mongoose.models.DealRoom as mongoose.Model<DealRoomDoc>) ?? mongoose.model("DealRoom", dealRoomSchema);

export const MESSAGE_KINDS = ["text", "offer", "attachment", "system"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

const roomMessageSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, ref: "DealRoom", required: true },
    seq: { type: Number, required: true, min: 1 },
    kind: { type: String, enum: MESSAGE_KINDS, required: true },
    author: {
      user: { type: Schema.Types.ObjectId, ref: "User" },
      name: { type: String, required: true },
      side: { type: String, enum: [...ROOM_SIDES, "system"], required: true },
    },
    /** Plain text, shown as text (never as HTML). */
    text: { type: String, maxlength: 4000 },
    card: { type: Schema.Types.ObjectId, ref: "OfferCard" },
    attachment: {
      fileId: Schema.Types.ObjectId,
      filename: String,
      contentType: String,
      size: Number,
      confidential: Boolean,
    },
    /** For system messages: what happened (an i18n key) and its values. */
    event: String,
    params: { type: Schema.Types.Mixed },
    /** The sender's own id for the message: a retried send is stored once. */
    clientId: String,
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
roomMessageSchema.index({ room: 1, seq: 1 }, { unique: true });
roomMessageSchema.index(
  { room: 1, "author.user": 1, clientId: 1 },
  { unique: true, partialFilterExpression: { clientId: { $type: "string" } } },
);
roomMessageSchema.index({ "attachment.fileId": 1 }, { sparse: true });

export type RoomMessageDoc = InferSchemaType<typeof roomMessageSchema>;
export const RoomMessage =
  (mongoose.models.RoomMessage as mongoose.Model<RoomMessageDoc>) ?? mongoose.model("RoomMessage", roomMessageSchema);

/** How far each member has read (read receipts, unread counts). */
const roomReadSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, ref: "DealRoom", required: true },
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    name: String,
    lastReadSeq: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
roomReadSchema.index({ room: 1, user: 1 }, { unique: true });
roomReadSchema.index({ user: 1 });

export type RoomReadDoc = InferSchemaType<typeof roomReadSchema>;
export const RoomRead = (mongoose.models.RoomRead as mongoose.Model<RoomReadDoc>) ?? mongoose.model("RoomRead", roomReadSchema);

/**
 * A structured offer (报价卡): versions in a thread; one open version at a time. `closed`: the
 * listing was sold (to this room's buyer on other terms, or to someone else) while it was open.
 */
export const CARD_STATUSES = ["open", "accepted", "rejected", "countered", "withdrawn", "closed"] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

const offerCardSchema = new Schema(
  {
    room: { type: Schema.Types.ObjectId, ref: "DealRoom", required: true },
    thread: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true, min: 1 },
    status: { type: String, enum: CARD_STATUSES, default: "open", required: true },
    proposedBy: { ...personRef, side: { type: String, enum: ROOM_SIDES, required: true } },
    /** The party the card speaks for: the proposer's own side, or the party a broker acts for. */
    forSide: { type: String, enum: ["buyer", "seller"], required: true },
    terms: { type: termsSchema, required: true },
    note: { type: String, maxlength: 1000 },
    respondedBy: { ...personRef, side: String },
    respondedAt: Date,
    reason: String,
  },
  { timestamps: true },
);
offerCardSchema.index({ room: 1, thread: 1, version: 1 }, { unique: true });
// One open card per room at a time: a new proposal replaces (counters) the open one.
offerCardSchema.index({ room: 1 }, { unique: true, partialFilterExpression: { status: "open" } });

export type OfferCardDoc = InferSchemaType<typeof offerCardSchema>;
export const OfferCard = (mongoose.models.OfferCard as mongoose.Model<OfferCardDoc>) ?? mongoose.model("OfferCard", offerCardSchema);
