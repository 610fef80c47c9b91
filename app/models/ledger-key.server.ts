import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A posting key the ledger has applied (decision 017): `_id` is the caller's key, written in the
 * same transaction as the medici journal it names. A retried webhook or a second click finds the
 * key and posts nothing; two concurrent posts of one key collide on `_id`, and the loser's
 * transaction runs again and finds it. The journal and its lines live in medici's own
 * collections (`medici_journals`, `medici_transactions`).
 */
const ledgerKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    journal: { type: Schema.Types.ObjectId, required: true },
    /** The posting's lines in a canonical form: the same key with other lines is a programming error. */
    fingerprint: { type: String, required: true },
    deal: { type: Schema.Types.ObjectId, ref: "Deal" },
    at: { type: Date, required: true },
  },
  { collection: "ledger_keys", versionKey: false },
);

export type LedgerKeyDoc = InferSchemaType<typeof ledgerKeySchema>;
export const LedgerKey = (mongoose.models.LedgerKey as mongoose.Model<LedgerKeyDoc>) ?? mongoose.model("LedgerKey", ledgerKeySchema);
