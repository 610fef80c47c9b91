import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A secret link sent or shown to a person: a password reset, a new email address to confirm, an invitation to an organisation by
 * email (single use) or a shareable invitation link (usable until it expires or is revoked).
 * Only the SHA-256 of the token is stored; the token itself exists in the mail or on the page that
 * showed it once. Expired tokens are removed by MongoDB a day after they expire.
 */
export const ACCOUNT_TOKEN_PURPOSES = ["password-reset", "invitation", "email-change"] as const;

const accountTokenSchema = new Schema(
  {
    purpose: { type: String, enum: ACCOUNT_TOKEN_PURPOSES, required: true },
    tokenHash: { type: String, required: true },
    /** password-reset, email-change: whose account. */
    user: { type: Schema.Types.ObjectId, ref: "User" },
    /** invitation: into which organisation, by whom, to whom (email invitations); email-change: the new address. */
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    email: { type: String, lowercase: true, trim: true, maxlength: 254 },
    createdBy: { type: Schema.Types.ObjectId, ref: "User" },
    /** A shareable invitation link may be used by several colleagues; every other token once. */
    multiUse: { type: Boolean, default: false },
    expiresAt: { type: Date, required: true },
    usedAt: Date,
    usedBy: [{ type: Schema.Types.ObjectId, ref: "User" }],
    revokedAt: Date,
  },
  { timestamps: true },
);
accountTokenSchema.index({ tokenHash: 1 }, { unique: true });
accountTokenSchema.index({ organization: 1, purpose: 1, createdAt: -1 });
accountTokenSchema.index({ user: 1, purpose: 1 });
accountTokenSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 24 * 3600 });

export type AccountTokenDoc = InferSchemaType<typeof accountTokenSchema>;
export const AccountToken =
  (mongoose.models.AccountToken as mongoose.Model<AccountTokenDoc>) ?? mongoose.model("AccountToken", accountTokenSchema);
