import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * 推荐: a seller (or a broker) puts an achievement before a demand's owner. One per demand and
 * achievement; it opened (or reused) the deal room between the achievement's seller side and the
 * demand's owner, which `room` points to.
 */
export const RECOMMENDER_SIDES = ["seller", "broker"] as const;
export type RecommenderSide = (typeof RECOMMENDER_SIDES)[number];

const recommendationSchema = new Schema(
  {
    demand: { type: Schema.Types.ObjectId, ref: "Demand", required: true },
    achievement: { type: Schema.Types.ObjectId, ref: "Achievement", required: true },
    achievementTitle: { type: String, required: true },
    /** The achievement's owner organisation: its whole seller side sees the recommendation as theirs. */
    achievementOwner: { type: Schema.Types.ObjectId, ref: "Organization" },
    recommendedBy: {
      user: { type: Schema.Types.ObjectId, ref: "User", required: true },
      name: { type: String, required: true },
      organizationName: String,
      side: { type: String, enum: RECOMMENDER_SIDES, required: true },
    },
    note: { type: String, maxlength: 1000 },
    room: { type: Schema.Types.ObjectId, ref: "DealRoom", required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
recommendationSchema.index({ demand: 1, achievement: 1 }, { unique: true });
recommendationSchema.index({ demand: 1, createdAt: -1 });
recommendationSchema.index({ "recommendedBy.user": 1, createdAt: -1 });
recommendationSchema.index({ achievementOwner: 1, demand: 1 });

export type RecommendationDoc = InferSchemaType<typeof recommendationSchema>;
export const Recommendation =
  (mongoose.models.Recommendation as mongoose.Model<RecommendationDoc>) ?? mongoose.model("Recommendation", recommendationSchema);
