import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { ROLES } from "~/utils/permissions.ts";
import { FIELDS } from "~/utils/taxonomy.ts";

const userSchema = new Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true, maxlength: 254 },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    phone: { type: String, trim: true, maxlength: 20 },
    passwordHash: { type: String, required: true, select: false },
    roles: { type: [{ type: String, enum: ROLES }], default: [] },
    organization: { type: Schema.Types.ObjectId, ref: "Organization" },
    locale: { type: String, enum: ["zh-CN", "en"] },
    disabled: { type: Boolean, default: false },
    lastLoginAt: Date,
    /** A broker's work preferences (/work): the fields and Yunnan prefectures (4-digit codes) they follow; empty = any. */
    brokerProfile: {
      fields: { type: [{ type: String, enum: FIELDS }], default: undefined },
      regions: { type: [{ type: String, match: /^\d{4}$/ }], default: undefined },
    },
    /**
     * Which notifications also come by email (app/services/notifications/mail.server.ts): the
     * listing workflow and trading by default, matches only when asked for. Unset = the default.
     */
    mailNotifications: {
      listings: { type: Boolean },
      trading: { type: Boolean },
      matches: { type: Boolean },
    },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ roles: 1, createdAt: -1 });
userSchema.index({ organization: 1 });

export type UserDoc = InferSchemaType<typeof userSchema>;
export const User = (mongoose.models.User as mongoose.Model<UserDoc>) ?? mongoose.model("User", userSchema);
