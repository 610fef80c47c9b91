import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A payee's connected account at the gateway (Stripe Connect Express), for payouts by transfer
 * (issue 14, point 6). The owner is an organisation (a seller) or a user (a broker, an inventor
 * selling alone). The state mirrors the gateway's account (`account.updated`).
 */
const connectedAccountSchema = new Schema(
  {
    ownerKind: { type: String, enum: ["organization", "user"], required: true },
    owner: { type: Schema.Types.ObjectId, required: true },
    gateway: { type: String, default: "stripe", required: true },
    /** Stripe: acct_… */
    accountRef: { type: String, required: true },
    detailsSubmitted: { type: Boolean, default: false },
    chargesEnabled: { type: Boolean, default: false },
    payoutsEnabled: { type: Boolean, default: false },
    /** What the gateway still asks for (requirements.currently_due). */
    requirementsDue: { type: [String], default: [] },
  },
  { timestamps: true },
);
connectedAccountSchema.index({ ownerKind: 1, owner: 1 }, { unique: true });
connectedAccountSchema.index({ accountRef: 1 }, { unique: true });

export type ConnectedAccountDoc = InferSchemaType<typeof connectedAccountSchema>;
export const ConnectedAccount =
  (mongoose.models.ConnectedAccount as mongoose.Model<ConnectedAccountDoc>) ?? mongoose.model("ConnectedAccount", connectedAccountSchema);
