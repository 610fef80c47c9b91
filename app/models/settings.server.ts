import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * The platform's settings: one document (`key: "platform"`), written by services/settings/ only.
 * Fields left unset fall back to the defaults in app/schemas/settings.ts, so a new setting needs no
 * migration.
 */
const settingsSchema = new Schema(
  {
    key: { type: String, required: true, default: "platform" },
    noticeDays: { type: Number, min: 1 },
    publicAgreementNoticeDays: { type: Number, min: 15 },
    noticeText: { zh: String, en: String },
    showDemoAccounts: Boolean,
    signingDeadlineDays: { type: Number, min: 1 },
    commissionBps: { type: Number, min: 0, max: 10_000 },
    platformFeeBps: { type: Number, min: 0, max: 10_000 },
    buyNowDepositPercent: { type: Number, min: 0, max: 100 },
    buyNowConfirmHours: { type: Number, min: 1 },
    bankAccount: { name: String, bank: String, number: String },
    // County dashboard (issue 15)
    countyCode: { type: String, match: /^\d{6}$/ },
    registrationTargets: {
      type: [new Schema({ year: { type: Number, required: true }, amountFen: { type: Number, required: true, min: 0 } }, { _id: false })],
      default: undefined,
    },
    // Commissioners and evaluation (issue 15, points 6 and 7)
    commissionerTarget: { type: Number, min: 0 },
    /** kind → indicator → weight (utils/scorecards.ts); read through weightsWithDefaults. */
    scorecardWeights: Schema.Types.Mixed,
    // Registration (issue 15): one sub-document, written by services/registration/settings.server.ts.
    registration: {
      provinceOffice: String,
      nationalSystem: String,
      pointName: String,
      pointCode: String,
      prefectureCode: String,
      reviewDays: Number,
      largeReviewDays: Number,
      largeThreshold: Number,
      largeBasis: String,
      calendar: { type: [new Schema({ year: Number, holidays: [String], workdays: [String] }, { _id: false })], default: undefined },
    },
    updatedBy: { type: Schema.Types.ObjectId, ref: "User" },
    updatedByName: String,
  },
  { timestamps: true, collection: "settings" },
);
settingsSchema.index({ key: 1 }, { unique: true });

export type SettingsDoc = InferSchemaType<typeof settingsSchema>;
export const Settings = (mongoose.models.Settings as mongoose.Model<SettingsDoc>) ?? mongoose.model("Settings", settingsSchema);
