import mongoose, { Schema, type InferSchemaType } from "mongoose";

/** A login. The cookie holds only the id, so logout and admin actions can end a session at once. */
const sessionSchema = new Schema(
  {
    user: { type: Schema.Types.ObjectId, ref: "User", required: true },
    expiresAt: { type: Date, required: true },
    userAgent: { type: String, maxlength: 300 },
  },
  { timestamps: true },
);
sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
sessionSchema.index({ user: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema>;
export const Session = (mongoose.models.Session as mongoose.Model<SessionDoc>) ?? mongoose.model("Session", sessionSchema);
