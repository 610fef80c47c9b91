import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { CONTRACT_CATEGORIES } from "~/utils/contracts.ts";
import { PAYMENT_METHODS } from "~/utils/registration-fields.ts";
import { APPLICANT_SIDES, REFUSAL_GROUNDS, REGISTRATION_SOURCES, REGISTRATION_STATUSES } from "~/utils/registration.ts";

/**
 * 技术合同认定登记 (issue 15): one application to register one technology contract — signed on the
 * platform (`deal`, `contract`) or outside it (its signed file in `attachments`). The form's facts
 * are copied in when submitted (and corrected in place while under review); a registered one
 * carries its 16-digit number, unique and gap-free per year and registration point
 * (`RegistrationCounter`). Every step is in `history`. Money in fen.
 */
const personRef = { user: { type: Schema.Types.ObjectId, ref: "User" }, name: { type: String, required: true } } as const;
/** A person set only at a later step (the reviewer, the registrar): absent until then. */
const laterPersonRef = { user: { type: Schema.Types.ObjectId, ref: "User" }, name: String } as const;

const partySchema = new Schema(
  {
    name: { type: String, required: true },
    /** 统一社会信用代码 (18 characters), or an ID-card-free note for a natural person: empty. */
    creditCode: String,
    /** GB/T 2260, 6 digits (a town's 9-digit code is kept in `town`). */
    region: { type: String, required: true, match: /^\d{6}$/ },
    /** The 9-digit town (乡镇) code when the party's record has one: the dashboard's town. */
    town: { type: String, match: /^\d{9}$/ },
    /** ISO 3166-1 numeric, 156 = China. */
    country: { type: String, default: "156", match: /^\d{3}$/ },
    /** National legal-entity type, 3 digits (utils/registration ENTITY_TYPES). */
    entityType: { type: String, required: true, match: /^\d{3}$/ },
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
  },
  { _id: false },
);

const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    /** submitted, resubmitted, corrections, registered, refused, withdrawn, changed, cancelled, assigned … */
    action: { type: String, required: true },
    by: personRef,
    note: String,
    /** For a change (变更): the fields changed, as "field: before → after" lines. */
    changes: [String],
  },
  { _id: false },
);

const registrationSchema = new Schema(
  {
    status: { type: String, enum: REGISTRATION_STATUSES, default: "submitted", required: true },
    source: { type: String, enum: REGISTRATION_SOURCES, required: true },
    deal: { type: Schema.Types.ObjectId, ref: "Deal" },
    contract: { type: Schema.Types.ObjectId, ref: "Contract" },
    /** SHA-256 of the signed contract's canonical text (platform), or of the signed file (external). */
    contractHash: String,
    applicant: { ...personRef, organization: { type: Schema.Types.ObjectId, ref: "Organization" }, organizationName: String },
    applicantSide: { type: String, enum: APPLICANT_SIDES, required: true },

    projectName: { type: String, required: true },
    category: { type: String, enum: CONTRACT_CATEGORIES, required: true },
    subCategory: { type: String, required: true },
    seller: { type: partySchema, required: true },
    buyer: { type: partySchema, required: true },
    signedOn: { type: Date, required: true },
    validFrom: { type: Date, required: true },
    validTo: { type: Date, required: true },
    /** The national technical-field code, mapped from the platform's taxonomy. */
    technicalField: { type: String, required: true },
    ipType: String,
    /** 计划来源, if the work came from a government plan. */
    planSource: String,
    /** 成交额 */
    contractAmount: { type: Number, required: true, min: 0 },
    nonTechItems: {
      type: [new Schema({ label: { type: String, required: true }, amount: { type: Number, required: true, min: 0 } }, { _id: false })],
      default: [],
    },
    /** 技术交易额 = 成交额 − the non-technical parts. */
    technologyAmount: { type: Number, required: true, min: 0 },
    paymentMethod: { type: String, enum: PAYMENT_METHODS, required: true },
    attachments: {
      type: [
        new Schema(
          { file: { type: Schema.Types.ObjectId, required: true }, filename: { type: String, required: true }, kind: String },
          { _id: false },
        ),
      ],
      default: [],
    },

    /** 技术交易额 at or above the threshold (a setting): 30 working days instead of 15. */
    large: { type: Boolean, default: false },
    disputed: { type: Boolean, default: false },
    submittedAt: { type: Date, required: true },
    /** When the current review clock started: the submission, or the day the corrections arrived. */
    clockFrom: { type: Date, required: true },
    /** The last day of review, in working days from `clockFrom` (China's holiday calendar); none while waiting for corrections. */
    dueAt: Date,
    reviewer: laterPersonRef,
    corrections: { note: String, at: Date },
    refusal: { ground: { type: String, enum: REFUSAL_GROUNDS }, note: String },
    decidedAt: Date,

    number: { type: String, match: /^\d{16}$/ },
    year: Number,
    serial: Number,
    registeredAt: Date,
    registrar: laterPersonRef,
    /** The registration point at the time: its code (2 digits) and name. */
    point: { code: String, name: String },
    changedAt: Date,
    cancelledAt: Date,

    history: { type: [historySchema], default: [] },
  },
  { timestamps: true },
);
registrationSchema.index({ number: 1 }, { unique: true, partialFilterExpression: { number: { $type: "string" } } });
registrationSchema.index({ status: 1, dueAt: 1 });
registrationSchema.index({ year: 1, status: 1 });
registrationSchema.index({ registeredAt: 1 });
// The latest write, for the dashboard's kept figures (services/statistics/registered.server.ts).
registrationSchema.index({ updatedAt: -1 });
// One live application per platform contract (a refused or withdrawn one may be followed by another).
registrationSchema.index(
  { contract: 1 },
  { unique: true, partialFilterExpression: { contract: { $exists: true }, status: { $in: ["submitted", "corrections", "registered"] } } },
);

export type RegistrationDoc = InferSchemaType<typeof registrationSchema>;
export const Registration =
  (mongoose.models.Registration as mongoose.Model<RegistrationDoc>) ?? mongoose.model("Registration", registrationSchema);

/** The last serial given per year and registration-point prefix (`_id`: "2026-532601"): numbers never reused. */
const registrationCounterSchema = new Schema(
  { _id: { type: String, required: true }, seq: { type: Number, required: true, default: 0 } },
  { collection: "registration_counters", versionKey: false },
);
export type RegistrationCounterDoc = InferSchemaType<typeof registrationCounterSchema>;
export const RegistrationCounter =
  (mongoose.models.RegistrationCounter as mongoose.Model<RegistrationCounterDoc>) ??
  mongoose.model("RegistrationCounter", registrationCounterSchema);
