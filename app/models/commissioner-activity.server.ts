import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { ACTIVITY_KINDS } from "~/utils/commissioners.ts";

/**
 * One entry of a commissioner's activity log: training, a trial or demonstration, or advice — on a
 * China-time calendar day (`date`, "YYYY-MM-DD", with its `year`), in a town, with the people
 * reached. Entered by the bureau or by the commissioner themself.
 */
const activitySchema = new Schema(
  {
    commissioner: { type: Schema.Types.ObjectId, ref: "Commissioner", required: true },
    kind: { type: String, enum: ACTIVITY_KINDS, required: true },
    date: { type: String, required: true, match: /^\d{4}-\d{2}-\d{2}$/ },
    year: { type: Number, required: true },
    town: { type: String, required: true, match: /^\d{9}$/ },
    townName: String,
    peopleReached: { type: Number, required: true, min: 0 },
    note: String,
    enteredBy: { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String, self: Boolean },
  },
  { timestamps: true },
);
activitySchema.index({ commissioner: 1, date: -1 });
activitySchema.index({ year: 1, town: 1 });

export type CommissionerActivityDoc = InferSchemaType<typeof activitySchema>;
export const CommissionerActivity =
  (mongoose.models.CommissionerActivity as mongoose.Model<CommissionerActivityDoc>) ??
  mongoose.model("CommissionerActivity", activitySchema);
