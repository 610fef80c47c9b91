import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { POLICY_KINDS, POLICY_STATUSES } from "~/utils/policies.ts";

/**
 * 政策法规 · 通知公告 (issue 15, point 8): one document the bureau publishes — a policy or law
 * (政策法规) or a notice (通知公告). The body is Markdown, rendered safely when read
 * (services/policies/markdown.server.ts); attachments are files in GridFS bucket `policy-files`,
 * listed here. draft → published → withdrawn; a withdrawn one keeps its text and says why.
 */
const personRef = { user: { type: Schema.Types.ObjectId, ref: "User" }, name: { type: String, required: true } } as const;

const attachmentSchema = new Schema({
  /** The GridFS file id (bucket `policy-files`) is the attachment's id too. */
  _id: { type: Schema.Types.ObjectId, required: true },
  filename: { type: String, required: true },
  contentType: { type: String, required: true },
  size: { type: Number, required: true, min: 1 },
  uploadedAt: { type: Date, required: true },
});

const policySchema = new Schema(
  {
    kind: { type: String, enum: POLICY_KINDS, required: true },
    status: { type: String, enum: POLICY_STATUSES, default: "draft", required: true },
    title: { type: String, required: true, maxlength: 200 },
    /** 发文字号, normalised (西政办发〔2019〕114号); none for many notices. */
    docNumber: String,
    /** 发文机关 */
    issuer: { type: String, required: true },
    /** 成文日期 and 施行日期, as China calendar dates (YYYY-MM-DD). */
    issuedOn: { type: String, match: /^\d{4}-\d{2}-\d{2}$/ },
    effectiveOn: { type: String, match: /^\d{4}-\d{2}-\d{2}$/ },
    /** A line or two for lists; the body's start when empty. */
    summary: String,
    /** Markdown, as written. */
    body: { type: String, required: true },
    attachments: { type: [attachmentSchema], default: [] },
    author: personRef,
    publishedAt: Date,
    withdrawnAt: Date,
    withdrawReason: String,
    /** The demo seed's key, so seeding again updates rather than duplicates. */
    seedKey: String,
  },
  { timestamps: true },
);
policySchema.index({ status: 1, publishedAt: -1, _id: -1 });
policySchema.index({ status: 1, kind: 1, publishedAt: -1, _id: -1 });
policySchema.index({ seedKey: 1 }, { unique: true, partialFilterExpression: { seedKey: { $type: "string" } } });

export type PolicyDoc = InferSchemaType<typeof policySchema>;
export const Policy =
  (mongoose.models.Policy as mongoose.Model<PolicyDoc> | undefined) ?? mongoose.model<PolicyDoc>("Policy", policySchema);
