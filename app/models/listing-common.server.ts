import { Schema } from "mongoose";
import { LISTING_STATUSES } from "~/utils/listing-workflow.ts";
import { ATTACHMENT_KINDS, FIELDS, TRANSACTION_MODES } from "~/utils/taxonomy.ts";

/** Evidence stored in GridFS (bucket `attachments`); the listing keeps the metadata. */
export const attachmentSchema = new Schema(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    filename: { type: String, required: true, maxlength: 200 },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    kind: { type: String, enum: ATTACHMENT_KINDS, default: "other" },
    uploadedBy: { type: Schema.Types.ObjectId, ref: "User" },
    uploadedAt: { type: Date, default: () => new Date() },
  },
  { _id: true },
);

/** Fields shared by achievements and demands: status, ownership, provenance, review. */
export const listingCommon = {
  status: { type: String, enum: LISTING_STATUSES, required: true, default: "draft" },
  field: { type: String, enum: FIELDS, required: true },
  keywords: { type: [String], default: [] },
  transactionModes: { type: [{ type: String, enum: TRANSACTION_MODES }], default: [] },
  region: { type: String, required: true, match: /^\d{6}(\d{3})?$/ },
  /** Denormalised for lists: the region's full name at the time of writing. */
  regionName: { type: String },
  createdBy: { type: Schema.Types.ObjectId, ref: "User" },
  /** Where the record came from: "platform" for our forms, else the importing source's name. */
  source: { type: String, required: true, default: "platform" },
  externalId: { type: String },
  featured: { type: Boolean, default: false },
  submittedAt: Date,
  publishedAt: Date,
  /** End of the public-notice period (公示期); objections can be filed until then. */
  noticeEndsAt: Date,
  /** The reason of the last rejection or upheld objection, shown to the owner. */
  rejectionReason: String,
  openObjections: { type: Number, default: 0 },
  attachments: { type: [attachmentSchema], default: [] },
  /** The reviewer (a broker or admin) this submission is assigned to, if any. */
  reviewAssignee: {
    type: new Schema(
      { user: { type: Schema.Types.ObjectId, ref: "User", required: true }, name: String, assignedBy: String, assignedAt: Date },
      { _id: false },
    ),
    default: undefined,
  },
  /** Who opened the item's review page and when: approving needs an opening since the last submission. */
  reviewOpenings: {
    type: [
      new Schema(
        { user: { type: Schema.Types.ObjectId, ref: "User", required: true }, at: { type: Date, required: true } },
        { _id: false },
      ),
    ],
    default: undefined,
  },
} as const;

/** Indexes for the queries the pages and the API make; applied to both collections. */
export function addListingIndexes(schema: Schema, ownerField: string) {
  schema.index({ status: 1, publishedAt: -1 }); // public lists, newest first
  schema.index({ status: 1, field: 1, publishedAt: -1 }); // browse by field
  schema.index({ featured: 1, status: 1, publishedAt: -1 }); // home page
  schema.index({ [ownerField]: 1, updatedAt: -1 }); // "my items" by organisation
  schema.index({ createdBy: 1, updatedAt: -1 }); // "my items" by author
  schema.index({ status: 1, submittedAt: 1 }); // review queue, oldest first
  schema.index({ updatedAt: 1, _id: 1 }); // API: updatedSince, stable paging
  schema.index({ "attachments.fileId": 1 }, { sparse: true }); // attachment → listing, orphan sweep
  schema.index({ source: 1, externalId: 1 }, { unique: true, partialFilterExpression: { externalId: { $type: "string" } } });
}
