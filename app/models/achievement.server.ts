import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { IP_TYPES, LICENSE_EXCLUSIVITY, PRICE_MODES, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { addListingIndexes, listingCommon } from "./listing-common.server.ts";

/** 科技成果: what a seller offers. Money in fen. */
const achievementSchema = new Schema(
  {
    title: { type: String, required: true, trim: true, maxlength: 120 },
    summary: { type: String, required: true, maxlength: 500 },
    description: { type: String, required: true, maxlength: 20_000 },
    ipType: { type: String, enum: IP_TYPES, required: true },
    patentNumbers: { type: [String], default: [] },
    trl: { type: Number, required: true, min: 1, max: 9 },
    licenseExclusivity: { type: [{ type: String, enum: LICENSE_EXCLUSIVITY }], default: [] },
    price: {
      mode: { type: String, enum: PRICE_MODES, required: true },
      amount: { type: Number, min: 0 }, // fen
      currency: { type: String, default: "CNY" },
    },
    /**
     * 分项挂牌价 of a fixed-price listing: one price per mode and licence kind (fen); an offered
     * option without one is 面议. `price.amount` is then the lowest. See ~/schemas/listing-prices.ts.
     */
    prices: {
      type: [
        new Schema(
          {
            transactionMode: { type: String, enum: TRANSACTION_MODES, required: true },
            licenseExclusivity: { type: String, enum: LICENSE_EXCLUSIVITY },
            amount: { type: Number, required: true, min: 0 },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    /** Open non-exclusive licence deals (普通许可): the listing stays trading; each one is counted here. */
    nonExclusiveLicences: { type: Number, default: 0 },
    owner: { type: Schema.Types.ObjectId, ref: "Organization", required: true },
    ownerName: { type: String, required: true },
    ownerType: { type: String, required: true },
    inventors: {
      type: [new Schema({ name: { type: String, required: true }, share: Number }, { _id: false })],
      default: [],
    },
    fiscalFunding: {
      funded: { type: Boolean, default: false },
      project: String,
    },
    /** End of the listing's validity; a published item past it expires. */
    expiresAt: Date,
    ...listingCommon,
  },
  { timestamps: true },
);
addListingIndexes(achievementSchema, "owner");
achievementSchema.index({ patentNumbers: 1 }); // another organisation claiming the same patent (review warning)

export type AchievementDoc = InferSchemaType<typeof achievementSchema>;
export const Achievement =
  (mongoose.models.Achievement as mongoose.Model<AchievementDoc>) ?? mongoose.model("Achievement", achievementSchema);
