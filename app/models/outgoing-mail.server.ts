import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * Mail to send. Written in the same transaction as what it tells (an invitation, a reset link, a
 * workflow notification), so nothing is mailed about a change that was rolled back and nothing is
 * lost when SMTP is down: the deliverer (app/services/mail/outbox.server.ts) sends it right after
 * the commit and retries with back-off until it is sent or gives up.
 */
export const MAIL_STATUSES = ["queued", "sent", "failed"] as const;

const outgoingMailSchema = new Schema(
  {
    to: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    subject: { type: String, required: true, maxlength: 300 },
    text: { type: String, required: true },
    html: String,
    /** What the mail is for ("password-reset", "invitation", "notification" …), for the log and tests. */
    kind: { type: String, required: true, maxlength: 60 },
    status: { type: String, enum: MAIL_STATUSES, default: "queued" },
    attempts: { type: Number, default: 0 },
    /** Not before: set after a failure, growing with each attempt. */
    dueAt: { type: Date, default: () => new Date() },
    /** A deliverer's claim, so two app instances never send the same mail at once. */
    claimedBy: String,
    claimedUntil: Date,
    lastError: String,
    sentAt: Date,
    messageId: String,
  },
  { timestamps: true, versionKey: false },
);
// The deliverer's claim: the oldest due mail first, in (dueAt, _id) order, read in index order
// (migration 005 drops the { status, dueAt } index this replaces).
outgoingMailSchema.index({ status: 1, dueAt: 1, _id: 1 });
outgoingMailSchema.index({ to: 1, createdAt: -1 });

export type OutgoingMailDoc = InferSchemaType<typeof outgoingMailSchema>;
export const OutgoingMail =
  (mongoose.models.OutgoingMail as mongoose.Model<OutgoingMailDoc>) ?? mongoose.model("OutgoingMail", outgoingMailSchema);
