import type { Db } from "mongodb";
import type { Migration } from "./runner.ts";

/**
 * The mail deliverer claims the oldest due mail sorted by (dueAt, _id). The index on (status,
 * dueAt) could not give that order, so every claim read and sorted the whole queue: harmless with
 * ten mails, a full core of mongod with sixteen thousand (found by `npm run bench:chat`, decision
 * 037). The model now creates (status, dueAt, _id); the old index goes.
 */
export const mailClaimIndex: Migration = {
  id: "005-mail-claim-index",
  description: "Outgoing mail: the claim's index covers its sort (status, dueAt, _id); the old (status, dueAt) index is dropped",
  async up(db: Db) {
    const mails = db.collection("outgoingmails");
    const indexes = await mails.indexes().catch(() => []);
    if (indexes.some((i) => i.name === "status_1_dueAt_1")) await mails.dropIndex("status_1_dueAt_1");
  },
};
