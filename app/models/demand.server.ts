import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { addListingIndexes, listingCommon } from "./listing-common.server.ts";

/** 技术需求: what an enterprise needs, in its own words. Money in fen. */
const demandSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 120 },
    description: { type: String, required: true, maxlength: 20_000 },
    budget: {
      min: { type: Number, min: 0 },
      max: { type: Number, min: 0 },
      currency: { type: String, default: "CNY" },
    },
    minTrl: { type: Number, min: 1, max: 9 },
    deadline: Date,
    enterprise: { type: Schema.Types.ObjectId, ref: "Organization", required: true },
    enterpriseName: { type: String, required: true },
    /** Once solved: when, and (optionally) the achievement that solved it. */
    solution: {
      solvedAt: Date,
      achievement: { type: Schema.Types.ObjectId, ref: "Achievement" },
      achievementTitle: String,
    },
    ...listingCommon,
  },
  { timestamps: true },
);
addListingIndexes(demandSchema, "enterprise");

export type DemandDoc = InferSchemaType<typeof demandSchema>;
export const Demand = (mongoose.models.Demand as mongoose.Model<DemandDoc>) ?? mongoose.model("Demand", demandSchema);
