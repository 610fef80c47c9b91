import { Deal } from "~/models/deal.server.ts";
import { DealRoom, OfferCard, RoomMessage, RoomRead, type RoomOrigin } from "~/models/deal-room.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid } from "~/services/kernel/ids.server.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { cardsClosedFor } from "./cards.server.ts";
import { requireMember, sideOf } from "./membership.server.ts";
import { historyOf } from "./messages.server.ts";
import { cardView, ndaView, termsView, type CardRow, type RoomRow, type RoomSummary, type RoomView } from "./views.ts";

/** Reading rooms: the actor's rooms with unread counts, and one room as its page shows it. */

/** The rooms the actor is in, most recent first, with unread counts (messages by others after their last read). */
export async function listMyRooms(actor: Actor, opts: { limit?: number } = {}): Promise<RoomSummary[]> {
  if (!actor.id) return [];
  const me = oid(actor.id);
  // The same membership as `sideOf`: the seller side by the seller role, brokers by theirs.
  const or: Record<string, unknown>[] = [{ "buyer.user": me }];
  if (can(actor, "trading:sell")) {
    or.push({ "seller.user": me });
    if (actor.organization) or.push({ "seller.organization": oid(actor.organization.id) });
  }
  if (hasRole(actor, "broker")) or.push({ "brokers.user": me });
  const found = (await DealRoom.find({ $or: or })
    .sort({ lastMessageAt: -1, _id: -1 })
    .limit(opts.limit ?? 100)
    .lean()) as RoomRow[];
  const rooms = found.filter((r) => sideOf(actor, r));
  const reads = await RoomRead.find({ user: me, room: { $in: rooms.map((r) => r._id) } }, { room: 1, lastReadSeq: 1 }).lean();
  const readOf = new Map(reads.map((r) => [String(r.room), r.lastReadSeq ?? 0]));
  const unread = await Promise.all(
    rooms.map((r) => {
      const last = readOf.get(String(r._id)) ?? 0;
      return r.lastSeq > last ? RoomMessage.countDocuments({ room: r._id, seq: { $gt: last }, "author.user": { $ne: me } }) : 0;
    }),
  );
  return rooms.map((r, i) => {
    const mySide = sideOf(actor, r)!;
    return {
      id: String(r._id),
      listing: { id: String(r.listing), title: r.listingTitle },
      counterpart:
        mySide === "buyer" ? (r.seller?.organizationName ?? r.seller?.name ?? "") : (r.buyer?.organizationName ?? r.buyer?.name ?? ""),
      mySide,
      lastSeq: r.lastSeq,
      lastMessageAt: r.lastMessageAt?.toISOString() ?? null,
      unread: unread[i]!,
      dealId: r.deal ? String(r.deal) : null,
    };
  });
}

/** Total unread messages over all the actor's rooms (for the header badge). */
export async function unreadRoomMessages(actor: Actor): Promise<number> {
  return (await listMyRooms(actor, { limit: 200 })).reduce((s, r) => s + r.unread, 0);
}

/** The room as its page shows it: who is in it, the NDA, the open card, the agreed terms and a page of messages. */
export async function getRoom(actor: Actor, roomId: string, opts: { beforeSeq?: number } = {}): Promise<RoomView> {
  const { room, side } = await requireMember(actor, roomId);
  const [history, open, reads, deal, cardsClosed] = await Promise.all([
    historyOf(room, { beforeSeq: opts.beforeSeq }),
    OfferCard.findOne({ room: room._id, status: "open" }).lean(),
    RoomRead.find({ room: room._id }, { user: 1, name: 1, lastReadSeq: 1 }).lean(),
    // The deal this room's buyer holds on the listing (made here, by an offer, buy-now or auction).
    Deal.findOne({ listing: room.listing, "buyer.user": room.buyer!.user, status: "open" }, { terms: 1, termsSource: 1 }).lean(),
    cardsClosedFor(room),
  ]);
  // The agreed terms are the deal's, read from the deal, so the room and the deal never disagree.
  // Without a deal (cancelled since, or none) the room shows no agreement.
  const agreed = deal?.terms
    ? {
        ...termsView(deal.terms),
        cardId: deal.termsSource?.card ? String(deal.termsSource.card) : null,
        acceptedAt: (deal.termsSource?.acceptedAt ?? deal._id.getTimestamp()).toISOString(),
      }
    : null;
  return {
    id: String(room._id),
    listing: { id: String(room.listing), title: room.listingTitle },
    origin: room.origin as RoomOrigin,
    buyer: { id: String(room.buyer!.user), name: room.buyer!.name ?? "", organizationName: room.buyer!.organizationName ?? null },
    seller: { name: room.seller?.organizationName ?? room.seller?.name ?? "" },
    brokers: (room.brokers ?? []).map((b) => ({ id: String(b.user), name: b.name ?? "" })),
    mySide: side,
    lastSeq: room.lastSeq,
    nda: ndaView(room),
    openCard: open ? cardView(open as CardRow) : null,
    agreedTerms: agreed,
    dealId: deal ? String(deal._id) : null,
    cardsClosed,
    reads: reads.map((r) => ({ userId: String(r.user), name: r.name ?? "", seq: r.lastReadSeq ?? 0 })),
    messages: history.messages,
    hasOlder: history.hasOlder,
  };
}
