import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { CONTRACT_CATEGORIES, CONTRACT_SIDES, CONTRACT_STATUSES } from "~/utils/contracts.ts";

/**
 * 技术合同 (issue 14): one per deal, drafted from the deal's agreed terms. Every saved version is
 * kept whole (number, author, time, canonical text, its SHA-256); `signatures` sign the current
 * version's hash, and an edit moves them to `voidedSignatures`. Money in fen.
 */
const personRef = { user: { type: Schema.Types.ObjectId, ref: "User" }, name: { type: String, required: true } } as const;

const versionSchema = new Schema(
  {
    number: { type: Number, required: true },
    author: personRef,
    at: { type: Date, required: true },
    text: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { _id: false },
);

const signatureSchema = new Schema(
  {
    side: { type: String, enum: CONTRACT_SIDES, required: true },
    ...personRef,
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    organizationName: String,
    at: { type: Date, required: true },
    ip: { type: String, required: true },
    /** SHA-256 of the canonical text of the version signed. */
    textHash: { type: String, required: true },
    version: { type: Number, required: true },
    voidedAt: Date,
  },
  { _id: false },
);

const contractSchema = new Schema(
  {
    deal: { type: Schema.Types.ObjectId, ref: "Deal", required: true },
    listing: { type: Schema.Types.ObjectId, ref: "Achievement", required: true },
    listingTitle: { type: String, required: true },
    status: { type: String, enum: CONTRACT_STATUSES, default: "draft", required: true },
    category: { type: String, enum: CONTRACT_CATEGORIES, required: true },
    subCategory: { type: String, required: true },
    paidInShares: { type: Boolean, default: false },
    contractAmount: { type: Number, required: true, min: 0 },
    technologyAmount: { type: Number, required: true, min: 0 },
    nonTechItems: {
      type: [new Schema({ label: { type: String, required: true }, amount: { type: Number, required: true, min: 0 } }, { _id: false })],
      default: [],
    },
    /** The free clauses by key (the generated ones are written from the fields above). */
    clauses: { type: Schema.Types.Mixed, default: {} },
    versions: { type: [versionSchema], default: [] },
    signatures: { type: [signatureSchema], default: [] },
    voidedSignatures: { type: [signatureSchema], default: [] },
    /** 收益分配: the seller's plan for the conversion income (universities and institutes). */
    distribution: {
      type: [new Schema({ name: { type: String, required: true }, percent: { type: Number, required: true } }, { _id: false })],
      default: [],
    },
    signedAt: Date,
  },
  { timestamps: true, minimize: false },
);
contractSchema.index({ deal: 1 }, { unique: true });

export type ContractDoc = InferSchemaType<typeof contractSchema>;
export const Contract = (mongoose.models.Contract as mongoose.Model<ContractDoc>) ?? mongoose.model("Contract", contractSchema);
