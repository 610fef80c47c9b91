import type { ClientSession, Types } from "mongoose";
import { DealRoom, type RoomSide } from "~/models/deal-room.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid } from "~/services/kernel/ids.server.ts";
import { append, author } from "./messages.server.ts";
import type { MessageRow } from "./views.ts";

/**
 * The rooms a recommendation (services/recommendations) opens: between the recommended
 * achievement's seller side and the demand's owner as the buyer. Written in the caller's
 * transaction; the caller announces the messages after the commit.
 */

export interface RecommendedRoomInput {
  listing: { id: Types.ObjectId; title: string; owner: Types.ObjectId; ownerName: string; createdBy?: Types.ObjectId | null };
  buyer: { user: Types.ObjectId; name: string; organization?: Types.ObjectId | null; organizationName?: string | null };
  demand: { id: Types.ObjectId; title: string };
  /** Who recommends: the seller side, or a broker who then sits in the room as its mediator. */
  by: { actor: Actor; side: Extract<RoomSide, "seller" | "broker"> };
  note: string | null;
}

/**
 * Opens the room of this listing and buyer, or reuses the one they already have (one room per
 * listing and buyer), links it to the demand, seats a recommending broker, and posts what
 * happened: a system line and the recommender's note as their first message.
 */
export async function openRecommendedRoom(
  session: ClientSession,
  input: RecommendedRoomInput,
  now = new Date(),
): Promise<{ roomId: Types.ObjectId; created: boolean; messages: MessageRow[] }> {
  const { listing, buyer, demand, by } = input;
  const existing = await DealRoom.findOne({ listing: listing.id, "buyer.user": buyer.user }, { _id: 1, brokers: 1 })
    .session(session)
    .lean();
  let roomId: Types.ObjectId;
  if (existing) {
    roomId = existing._id;
    await DealRoom.updateOne({ _id: roomId }, { $set: { demand: demand.id } }, { session });
  } else {
    const [room] = await DealRoom.create(
      [
        {
          listing: listing.id,
          listingTitle: listing.title,
          origin: "recommendation",
          demand: demand.id,
          buyer,
          seller: {
            user: listing.createdBy ?? undefined,
            name: listing.ownerName,
            organization: listing.owner,
            organizationName: listing.ownerName,
          },
        },
      ],
      { session },
    );
    roomId = room!._id;
  }
  const actorId = oid(by.actor.id!);
  if (by.side === "broker" && !(existing?.brokers ?? []).some((b) => String(b.user) === String(actorId))) {
    await DealRoom.updateOne(
      { _id: roomId, "brokers.user": { $ne: actorId } },
      { $push: { brokers: { user: actorId, name: by.actor.name, invitedBy: by.actor.name, invitedAt: now } } },
      { session },
    );
  }
  const messages: MessageRow[] = [
    await append(
      session,
      roomId,
      {
        kind: "system",
        author: { name: "系统", side: "system" as const },
        event: "rooms.system.recommended",
        params: { by: by.actor.name, demand: demand.title },
      },
      now,
    ),
  ];
  if (input.note) messages.push(await append(session, roomId, { kind: "text", author: author(by.actor, by.side), text: input.note }, now));
  return { roomId, created: !existing, messages };
}

/** The rooms a demand's owner has about this demand (to name what solved it), newest first. */
export async function roomsOfDemand(buyerUserId: string, demandId: Types.ObjectId): Promise<{ listing: string; listingTitle: string }[]> {
  const rows = await DealRoom.find({ demand: demandId, "buyer.user": oid(buyerUserId) }, { listing: 1, listingTitle: 1 })
    .sort({ lastMessageAt: -1 })
    .limit(50)
    .lean();
  return rows.map((r) => ({ listing: String(r.listing), listingTitle: r.listingTitle }));
}
