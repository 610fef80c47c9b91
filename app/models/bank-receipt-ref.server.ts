import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A bank's reference of an incoming transfer an administrator recorded (decision 019): `_id` is
 * the reference, written in the same transaction as the receipt on its stage. It makes "each bank
 * reference is recorded once" hold across stages and across concurrent recordings, which a read
 * of the stages inside the transaction alone does not (two transactions writing different stages
 * never conflict); the second insert of one reference collides on `_id`.
 */
const bankReceiptRefSchema = new Schema(
  {
    _id: { type: String, required: true },
    stage: { type: Schema.Types.ObjectId, ref: "DealStage", required: true },
    receipt: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { collection: "bank_receipt_refs", versionKey: false },
);

export type BankReceiptRefDoc = InferSchemaType<typeof bankReceiptRefSchema>;
export const BankReceiptRef =
  (mongoose.models.BankReceiptRef as mongoose.Model<BankReceiptRefDoc>) ?? mongoose.model("BankReceiptRef", bankReceiptRefSchema);
