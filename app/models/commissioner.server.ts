import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { FIELDS } from "~/utils/taxonomy.ts";

/**
 * 科技特派员 (issue 15, point 7): one person in the bureau's registry — their unit (工作单位), their
 * field, a phone the bureau alone sees, and, when they have an account, the user who may log
 * their own activity. Written by services/commissioners only.
 */
const commissionerSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    unit: { type: String, required: true, trim: true },
    field: { type: String, enum: FIELDS, required: true },
    /** Private: shown to the bureau only. Normalised (utils/phone.ts). */
    phone: String,
    user: { type: Schema.Types.ObjectId, ref: "User" },
    userName: String,
    /** The account's email when linked (the edit form shows it). */
    userEmail: String,
    createdBy: { type: Schema.Types.ObjectId, ref: "User" },
  },
  { timestamps: true },
);
commissionerSchema.index({ name: 1 });
// One registry entry per account.
commissionerSchema.index({ user: 1 }, { unique: true, partialFilterExpression: { user: { $type: "objectId" } } });

export type CommissionerDoc = InferSchemaType<typeof commissionerSchema>;
export const Commissioner =
  (mongoose.models.Commissioner as mongoose.Model<CommissionerDoc>) ?? mongoose.model("Commissioner", commissionerSchema);
