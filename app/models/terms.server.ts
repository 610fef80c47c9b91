import { Schema } from "mongoose";
import { LICENSE_EXCLUSIVITY, TRANSACTION_MODES } from "~/utils/taxonomy.ts";

/**
 * The stored form of the one terms shape (app/schemas/terms.ts, decision 009): an offer card's
 * terms, a room's agreed terms and every deal's terms. Money in fen.
 */
export const termsSchema = new Schema(
  {
    price: { type: Number, required: true, min: 0 },
    currency: { type: String, default: "CNY" },
    transactionMode: { type: String, enum: TRANSACTION_MODES, required: true },
    licenseExclusivity: { type: String, enum: LICENSE_EXCLUSIVITY },
    /** 许可/转让地域, e.g. "中国大陆" or "云南省". */
    territory: String,
    /** 期限 in months. */
    termMonths: Number,
    /** 提成 as a percentage of sales, on top of the price. */
    royaltyPercent: Number,
    milestones: {
      type: [
        new Schema(
          { title: { type: String, required: true }, amount: { type: Number, required: true }, dueInDays: Number },
          { _id: false },
        ),
      ],
      default: [],
    },
  },
  { _id: false },
);
