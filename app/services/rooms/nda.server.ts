import { DealRoom } from "~/models/deal-room.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import { oid } from "~/services/kernel/ids.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { publishToRoom } from "./events.server.ts";
import { requireMember } from "./membership.server.ts";
import { announce, append } from "./messages.server.ts";
import { ndaView, type NdaView, type RoomRow } from "./views.ts";

/** The room's NDA: confidential attachments open once a buyer-side and a seller-side member accepted it. */

export async function acceptNda(actor: Actor, roomId: string, now = new Date()): Promise<NdaView> {
  const { room, side } = await requireMember(actor, roomId);
  const message = await withTransaction(async (session) => {
    const res = await DealRoom.updateOne(
      { _id: room._id, "nda.acceptances.user": { $ne: oid(actor.id!) } },
      { $push: { "nda.acceptances": { user: oid(actor.id!), name: actor.name, side, at: now } } },
      { session },
    );
    if (res.modifiedCount === 0) return null; // already accepted
    await recordAudit(session, {
      subjectType: "room",
      subject: room._id,
      action: "ndaAccepted",
      actor,
      via: "ui",
      reason: `NDA ${room.nda?.version ?? ""} as ${side}`,
      at: now,
    });
    return append(
      session,
      room._id,
      { kind: "system", author: { name: "系统", side: "system" as const }, event: "rooms.system.ndaAccepted", params: { by: actor.name } },
      now,
    );
  });
  const fresh = (await DealRoom.findById(room._id, { nda: 1 }).lean()) as RoomRow;
  const view = ndaView(fresh);
  if (message) {
    await announce([message]);
    publishToRoom(String(room._id), "room:nda", { roomId: String(room._id), ...view });
  }
  return view;
}
