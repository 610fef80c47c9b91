import type { Db } from "mongodb";
import type { Migration } from "./runner.ts";

/**
 * A receipt can now be refunded twice over, by kind (decision 021): its excess when it arrived
 * (多付) and the rest when the deal is cancelled. The refunds made before were all cancellation
 * refunds, and their unique index was on the receipt alone; it gives way to one on (receipt, kind),
 * which the model creates.
 */
export const dealRefundKinds: Migration = {
  id: "004-deal-refund-kinds",
  description: "Deal refunds: a kind (cancellation, excess); one refund of each kind per receipt",
  async up(db: Db) {
    const refunds = db.collection("dealrefunds");
    await refunds.updateMany({ kind: { $exists: false } }, { $set: { kind: "cancellation" } });
    const indexes = await refunds.indexes().catch(() => []);
    if (indexes.some((i) => i.name === "receipt_1")) await refunds.dropIndex("receipt_1");
  },
};
