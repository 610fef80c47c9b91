import { DealRoom } from "~/models/deal-room.server.ts";
import type { ObjectId } from "../kernel/ids.server.ts";
import type { ClientSession } from "../kernel/tx.server.ts";

/** A merge of duplicate organisations: the deal rooms of `from` (either side) now belong to `to`. */
export async function moveRoomsToOrganization(session: ClientSession, from: ObjectId, to: ObjectId) {
  const opts = { session, timestamps: false } as const;
  const s = await DealRoom.updateMany({ "seller.organization": from }, { $set: { "seller.organization": to } }, opts);
  const b = await DealRoom.updateMany({ "buyer.organization": from }, { $set: { "buyer.organization": to } }, opts);
  return { rooms: s.modifiedCount + b.modifiedCount };
}
