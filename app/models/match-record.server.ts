import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * Bookkeeping of the match notifications, kept apart from the listings (their models are not
 * touched): which pairs were already announced, and which listing versions were already matched.
 */

/** A demand–achievement pair whose owners were told about it: told once, ever. */
const matchRecordSchema = new Schema(
  {
    demand: { type: Schema.Types.ObjectId, required: true },
    achievement: { type: Schema.Types.ObjectId, required: true },
    score: { type: Number, required: true },
    notifiedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
matchRecordSchema.index({ demand: 1, achievement: 1 }, { unique: true });
matchRecordSchema.index({ achievement: 1 });

export type MatchRecordDoc = InferSchemaType<typeof matchRecordSchema>;
export const MatchRecord =
  (mongoose.models.MatchRecord as mongoose.Model<MatchRecordDoc>) ?? mongoose.model("MatchRecord", matchRecordSchema);

/**
 * When a listing's matches were last computed, and for which version of it (its `updatedAt`
 * then). A listing whose `updatedAt` moved past `listingUpdatedAt` is due again. One document
 * per kind with `listing: null` holds the sweep's position (the highest `updatedAt` done).
 */
const matchStateSchema = new Schema(
  {
    kind: { type: String, enum: ["achievement", "demand"], required: true },
    listing: { type: Schema.Types.ObjectId, default: null },
    listingUpdatedAt: { type: Date, required: true },
    matchedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
matchStateSchema.index({ kind: 1, listing: 1 }, { unique: true });

export type MatchStateDoc = InferSchemaType<typeof matchStateSchema>;
export const MatchState = (mongoose.models.MatchState as mongoose.Model<MatchStateDoc>) ?? mongoose.model("MatchState", matchStateSchema);
