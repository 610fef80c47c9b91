import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { ROLES } from "~/utils/permissions.ts";

/**
 * A bearer token for the open data API (信息汇交). Only the SHA-256 of the token is stored, so a
 * database dump does not hand out working tokens; `prefix` (the first characters) lets people
 * recognise a token in the list. A personal token (`user` set) acts as that user, with at most
 * the roles the user still holds.
 */
const apiTokenSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 80 },
    roles: { type: [{ type: String, enum: ROLES }], default: [] },
    /** SHA-256 of the whole token, hex. */
    hash: { type: String, required: true },
    /** `cg_` and the next few characters, shown in lists. */
    prefix: { type: String, required: true },
    user: { type: Schema.Types.ObjectId, ref: "User" },
    userEmail: String,
    createdBy: { type: Schema.Types.ObjectId, ref: "User" },
    createdByName: { type: String, required: true },
    lastUsedAt: Date,
    revokedAt: Date,
    revokedByName: String,
  },
  { timestamps: true },
);
apiTokenSchema.index({ hash: 1 }, { unique: true });
apiTokenSchema.index({ createdAt: -1 });

export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema>;
export const ApiToken = (mongoose.models.ApiToken as mongoose.Model<ApiTokenDoc>) ?? mongoose.model("ApiToken", apiTokenSchema);
