import mongoose, { Schema, type InferSchemaType } from "mongoose";

/** A person's request to join an organisation, decided by one of its admins. */
export const JOIN_REQUEST_STATUSES = ["pending", "approved", "rejected", "withdrawn"] as const;

const joinRequestSchema = new Schema(
  {
    organization: { type: Schema.Types.ObjectId, ref: "Organization", required: true },
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    status: { type: String, enum: JOIN_REQUEST_STATUSES, required: true, default: "pending" },
    message: { type: String, trim: true, maxlength: 300 },
    decidedBy: { type: Schema.Types.ObjectId, ref: "User" },
    decidedAt: Date,
  },
  { timestamps: true },
);
// One open request per person.
joinRequestSchema.index({ user: 1 }, { unique: true, partialFilterExpression: { status: "pending" } });
joinRequestSchema.index({ organization: 1, status: 1, createdAt: -1 });

export type JoinRequestDoc = InferSchemaType<typeof joinRequestSchema>;
export const JoinRequest =
  (mongoose.models.JoinRequest as mongoose.Model<JoinRequestDoc>) ?? mongoose.model("JoinRequest", joinRequestSchema);
