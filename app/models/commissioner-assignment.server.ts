import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { ASSIGNMENT_TARGET_TYPES } from "~/utils/commissioners.ts";

/**
 * A commissioner's assignment for one year (派驻): to an organisation on the platform, or to a
 * named place (a village, a cooperative not on the platform) with its 9-digit town code. The
 * year's dispatch count is the number of commissioners with at least one assignment that year.
 */
const assignmentSchema = new Schema(
  {
    commissioner: { type: Schema.Types.ObjectId, ref: "Commissioner", required: true },
    year: { type: Number, required: true },
    targetType: { type: String, enum: ASSIGNMENT_TARGET_TYPES, required: true },
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    /** The organisation's name at the time, or the place's name. */
    targetName: { type: String, required: true },
    /** GB/T 2260, 9 digits: the town (乡镇) the target lies in, when known. */
    town: { type: String, match: /^\d{9}$/ },
    note: String,
    createdBy: { type: Schema.Types.ObjectId, ref: "User" },
  },
  { timestamps: true },
);
assignmentSchema.index({ year: 1, commissioner: 1 });
assignmentSchema.index({ commissioner: 1, year: -1 });

export type CommissionerAssignmentDoc = InferSchemaType<typeof assignmentSchema>;
export const CommissionerAssignment =
  (mongoose.models.CommissionerAssignment as mongoose.Model<CommissionerAssignmentDoc>) ??
  mongoose.model("CommissionerAssignment", assignmentSchema);
