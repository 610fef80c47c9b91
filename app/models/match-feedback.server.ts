import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * What people did with a match (issue 16, point 5): a demand's owner or a broker marked a
 * demand–achievement pair 相关 / 不相关 (`kind: "mark"`, the latest mark of a person wins), or
 * somebody opened a deal room, an offer or a deal from the match (`kind: "room" | "offer" |
 * "deal"`, always `relevant`). One document per pair, person and kind.
 */
export const MATCH_FEEDBACK_KINDS = ["mark", "room", "offer", "deal"] as const;
export const MATCH_VERDICTS = ["relevant", "irrelevant"] as const;

const matchFeedbackSchema = new Schema(
  {
    demand: { type: Schema.Types.ObjectId, required: true },
    achievement: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: MATCH_FEEDBACK_KINDS, required: true },
    verdict: { type: String, enum: MATCH_VERDICTS, required: true },
    /** the person (a user id) */
    by: { type: Schema.Types.ObjectId, required: true },
    /** in what capacity: the demand's owner organisation, a broker, the buyer of a room… */
    role: { type: String, enum: ["owner", "broker", "buyer", "seller", "admin"], required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
matchFeedbackSchema.index({ demand: 1, achievement: 1, by: 1, kind: 1 }, { unique: true });
matchFeedbackSchema.index({ achievement: 1 });
matchFeedbackSchema.index({ verdict: 1, at: -1 });

export type MatchFeedbackDoc = InferSchemaType<typeof matchFeedbackSchema>;
export const MatchFeedback =
  (mongoose.models.MatchFeedback as mongoose.Model<MatchFeedbackDoc>) ?? mongoose.model("MatchFeedback", matchFeedbackSchema);
