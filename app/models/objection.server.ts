import mongoose, { Schema, type InferSchemaType } from "mongoose";

/** 异议: filed by anyone logged in during a listing's public-notice period; resolved by a reviewer. */
const objectionSchema = new Schema(
  {
    subjectType: { type: String, enum: ["achievement", "demand"], required: true },
    subject: { type: Schema.Types.ObjectId, required: true },
    by: { type: Schema.Types.ObjectId, ref: "User", required: true },
    byName: { type: String, required: true },
    text: { type: String, required: true, maxlength: 2000 },
    status: { type: String, enum: ["open", "upheld", "dismissed"], default: "open" },
    resolvedBy: { type: Schema.Types.ObjectId, ref: "User" },
    resolution: String,
    resolvedAt: Date,
  },
  { timestamps: true },
);
objectionSchema.index({ subjectType: 1, subject: 1, createdAt: 1 });
objectionSchema.index({ status: 1, createdAt: 1 });

export type ObjectionDoc = InferSchemaType<typeof objectionSchema>;
export const Objection = (mongoose.models.Objection as mongoose.Model<ObjectionDoc>) ?? mongoose.model("Objection", objectionSchema);
