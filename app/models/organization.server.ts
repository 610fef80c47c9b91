import mongoose, { Schema, type InferSchemaType } from "mongoose";
import { ORGANIZATION_TYPES } from "~/utils/organization.ts";

const organizationSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 120 },
    type: { type: String, enum: ORGANIZATION_TYPES, required: true },
    creditCode: { type: String, uppercase: true, trim: true },
    /** GB/T 2260 code: 6 digits (county) or 9 (town). */
    region: { type: String, match: /^\d{6}(\d{3})?$/ },
    /** Checked by a platform admin (已认证): when and by whom. */
    verifiedAt: Date,
    verifiedBy: { type: Schema.Types.ObjectId, ref: "User" },
  },
  { timestamps: true },
);
organizationSchema.index({ creditCode: 1 }, { unique: true, partialFilterExpression: { creditCode: { $type: "string" } } });
organizationSchema.index({ name: 1 });

export type OrganizationDoc = InferSchemaType<typeof organizationSchema>;
export const Organization =
  (mongoose.models.Organization as mongoose.Model<OrganizationDoc>) ?? mongoose.model("Organization", organizationSchema);
