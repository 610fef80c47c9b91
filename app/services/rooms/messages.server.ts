import { type ClientSession, type Types } from "mongoose";
import { DealRoom, OfferCard, RoomMessage, RoomRead, type RoomMessageDoc, type RoomSide } from "~/models/deal-room.server.ts";
import { MessageSchema, type MessageInput } from "~/schemas/deal-rooms.ts";
import type { DeliveryMembers } from "~/schemas/realtime.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { isDuplicateKey } from "~/services/kernel/mongo-errors.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { publishToRoom } from "./events.server.ts";
import { deliveryMembers, namedMemberFilter, requireMember, sideOf, validate } from "./membership.server.ts";
import { cardView, messageView, type CardRow, type MessageRow, type MessageView, type RoomRow } from "./views.ts";

/**
 * A room's messages. Every message is stored with the room's next sequence number in one
 * transaction before anyone is told (`announce` after the commit), so a client that reconnects
 * asks for `seq > last seen` and gets exactly what it missed.
 */

const HISTORY_PAGE = 50;
const GAP_FILL_MAX = 500;

export async function viewsOf(messages: MessageRow[]): Promise<MessageView[]> {
  const cardIds = messages.filter((m) => m.card).map((m) => m.card!);
  const cards = cardIds.length ? ((await OfferCard.find({ _id: { $in: cardIds } }).lean()) as CardRow[]) : [];
  const map = new Map(cards.map((c) => [String(c._id), cardView(c)]));
  return messages.map((m) => messageView(m, map));
}

type NewMessage = Omit<Partial<RoomMessageDoc>, "room" | "seq" | "createdAt">;

/** Takes the room's next sequence number and stores the message, in the caller's transaction. */
export async function append(session: ClientSession, roomId: Types.ObjectId, doc: NewMessage, now: Date): Promise<MessageRow> {
  return (await appendTo(session, roomId, doc, now)).message;
}

type RoomMembersRow = Pick<RoomRow, "buyer" | "seller" | "brokers">;

/**
 * `append`, also answering who belonged to the room in this transaction (the same read): whom the
 * message is delivered to. With `filter`, a room it does not match is NotFound and nothing is
 * written; `doc` may be made from the room's members (and throw, which aborts the transaction).
 */
async function appendTo(
  session: ClientSession,
  roomId: Types.ObjectId,
  doc: NewMessage | ((room: RoomMembersRow) => NewMessage),
  now: Date,
  filter: Record<string, unknown> = {},
): Promise<{ message: MessageRow; members: DeliveryMembers }> {
  const room = await DealRoom.findOneAndUpdate(
    { _id: roomId, ...filter },
    { $inc: { lastSeq: 1 }, $set: { lastMessageAt: now } },
    { session, returnDocument: "after", projection: { lastSeq: 1, buyer: 1, seller: 1, brokers: 1 } },
  ).lean();
  if (!room) throw new NotFoundError();
  const fields = typeof doc === "function" ? doc(room) : doc;
  const [m] = await RoomMessage.create([{ ...fields, room: roomId, seq: room.lastSeq, createdAt: now }], { session });
  return { message: m!.toObject() as MessageRow, members: deliveryMembers(room) };
}

export async function appendSystem(
  roomId: string,
  event: string,
  params: Record<string, string>,
  session?: ClientSession,
): Promise<MessageRow> {
  const now = new Date();
  const doc = { kind: "system" as const, author: { name: "系统", side: "system" as const }, event, params };
  const m = session ? await append(session, oid(roomId), doc, now) : await withTransaction((s) => append(s, oid(roomId), doc, now));
  if (!session) await announce([m]);
  return m;
}

/**
 * After the commit: tell the room's members (on every instance, through the adapter); `members`,
 * when the transaction read them, saves each instance reading the room again.
 */
export async function announce(messages: MessageRow[], cards: CardRow[] = [], members?: DeliveryMembers): Promise<MessageView[]> {
  const views = await viewsOf(messages);
  for (const v of views) publishToRoom(v.roomId, "room:message", v, members);
  for (const c of cards) publishToRoom(String(c.room), "room:card", cardView(c));
  return views;
}

export function author(actor: Actor, side: RoomSide) {
  return { user: oid(actor.id!), name: actor.name, side };
}

/**
 * Stores a text message (once per clientId) and then tells the room. Membership is checked in the
 * message's own transaction: the room is taken for its next seq only where the actor is named a
 * member (`namedMemberFilter`; a stranger's message writes nothing), and `sideOf` decides on it
 * there (a refusal aborts). A clientId sent again (the client retrying after a lost ack) meets the
 * unique index on (room, author, clientId): the transaction aborts, taking no seq, and the stored
 * message is answered.
 */
export async function postMessage(actor: Actor, roomId: string, input: MessageInput, now = new Date()): Promise<MessageView> {
  const data = validate(MessageSchema, input);
  const id = parseId(roomId);
  if (!actor.id) throw new NotFoundError();
  const text = (room: RoomMembersRow): NewMessage => {
    const side = sideOf(actor, room);
    if (!side) throw new NotFoundError();
    return { kind: "text", author: author(actor, side), text: data.text, clientId: data.clientId };
  };
  let m: MessageRow;
  let members: DeliveryMembers;
  try {
    ({ message: m, members } = await withTransaction((session) => appendTo(session, id, text, now, namedMemberFilter(actor))));
  } catch (e) {
    if (isDuplicateKey(e) && data.clientId) {
      const existing = (await RoomMessage.findOne({
        room: id,
        "author.user": oid(actor.id!),
        clientId: data.clientId,
      }).lean()) as MessageRow;
      return (await viewsOf([existing]))[0]!;
    }
    throw e;
  }
  // One's own message is read.
  await RoomRead.updateOne(
    { room: id, user: oid(actor.id) },
    { $max: { lastReadSeq: m.seq }, $set: { name: actor.name } },
    { upsert: true },
  );
  return (await announce([m], [], members))[0]!;
}

/**
 * Messages of the room, oldest first: `afterSeq` gives exactly what came after it (reconnect),
 * `beforeSeq` the page before it (scrolling back), neither the latest page.
 */
export async function roomHistory(
  actor: Actor,
  roomId: string,
  opts: { afterSeq?: number; beforeSeq?: number; limit?: number } = {},
): Promise<{ messages: MessageView[]; lastSeq: number; hasOlder: boolean }> {
  const { room } = await requireMember(actor, roomId);
  return historyOf(room, opts);
}

export async function historyOf(
  room: Pick<RoomRow, "_id" | "lastSeq">,
  opts: { afterSeq?: number; beforeSeq?: number; limit?: number },
): Promise<{ messages: MessageView[]; lastSeq: number; hasOlder: boolean }> {
  const limit = Math.min(Math.max(1, opts.limit ?? HISTORY_PAGE), opts.afterSeq != null ? GAP_FILL_MAX : 100);
  let rows: MessageRow[];
  if (opts.afterSeq != null) {
    rows = (await RoomMessage.find({ room: room._id, seq: { $gt: opts.afterSeq } })
      .sort({ seq: 1 })
      .limit(limit)
      .lean()) as MessageRow[];
  } else {
    const filter = opts.beforeSeq != null ? { room: room._id, seq: { $lt: opts.beforeSeq } } : { room: room._id };
    rows = ((await RoomMessage.find(filter).sort({ seq: -1 }).limit(limit).lean()) as MessageRow[]).reverse();
  }
  const first = rows[0]?.seq ?? opts.beforeSeq ?? room.lastSeq + 1;
  return { messages: await viewsOf(rows), lastSeq: room.lastSeq, hasOlder: first > 1 };
}

/** Read receipts: the member has read up to `seq` (never moves back). */
export async function markRead(actor: Actor, roomId: string, seq: number): Promise<{ seq: number }> {
  const { room } = await requireMember(actor, roomId);
  const upTo = Math.max(0, Math.min(Math.trunc(seq), room.lastSeq));
  const r = await RoomRead.findOneAndUpdate(
    { room: room._id, user: oid(actor.id!) },
    { $max: { lastReadSeq: upTo }, $set: { name: actor.name } },
    { upsert: true, returnDocument: "after" },
  ).lean();
  publishToRoom(String(room._id), "room:read", { roomId: String(room._id), userId: actor.id!, name: actor.name, seq: r!.lastReadSeq });
  return { seq: r!.lastReadSeq };
}
