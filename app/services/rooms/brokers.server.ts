import { DealRoom } from "~/models/deal-room.server.ts";
import { User } from "~/models/user.server.ts";
import { InviteBrokerSchema } from "~/schemas/deal-rooms.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { ConflictError, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { publishToRoom } from "./events.server.ts";
import { requireMember, validate } from "./membership.server.ts";
import { announce, append } from "./messages.server.ts";

/** Technology brokers in a room: a party invites one by email. */

/** A party invites a technology broker (by email) into the room. */
export async function inviteBroker(actor: Actor, roomId: string, input: { email: string }, now = new Date()): Promise<void> {
  const { email } = validate(InviteBrokerSchema, input);
  const { room, side } = await requireMember(actor, roomId);
  if (side === "broker") throw new ForbiddenError("rooms.errors.partiesInvite");
  const broker = await User.findOne({ email, disabled: { $ne: true } }, { name: 1, roles: 1 }).lean();
  if (!broker || !(broker.roles ?? []).includes("broker")) throw new ValidationError({ email: ["rooms.errors.notABroker"] });
  const message = await withTransaction(async (session) => {
    const res = await DealRoom.updateOne(
      { _id: room._id, "brokers.user": { $ne: broker._id } },
      { $push: { brokers: { user: broker._id, name: broker.name, invitedBy: actor.name, invitedAt: now } } },
      { session },
    );
    if (res.modifiedCount === 0) throw new ConflictError("rooms.errors.alreadyMember");
    return append(
      session,
      room._id,
      {
        kind: "system",
        author: { name: "系统", side: "system" as const },
        event: "rooms.system.brokerInvited",
        params: { by: actor.name, broker: broker.name },
      },
      now,
    );
  });
  await announce([message]);
  publishToRoom(String(room._id), "room:members", { roomId: String(room._id) });
}
