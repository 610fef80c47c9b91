import type { Types } from "mongoose";
import type {
  CardStatus,
  DealRoomDoc,
  MessageKind,
  OfferCardDoc,
  RoomMessageDoc,
  RoomOrigin,
  RoomSide,
} from "~/models/deal-room.server.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";

/** What members see of a room: messages, offer cards, the NDA, the room list and the room page. */

export type RoomRow = DealRoomDoc & { _id: Types.ObjectId; createdAt: Date };
export type CardRow = OfferCardDoc & { _id: Types.ObjectId; createdAt: Date };
export type MessageRow = RoomMessageDoc & { _id: Types.ObjectId };

export interface AttachmentView {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  confidential: boolean;
}

export interface MessageView {
  id: string;
  roomId: string;
  seq: number;
  kind: MessageKind;
  author: { id: string | null; name: string; side: RoomSide | "system" };
  text: string | null;
  card: CardView | null;
  attachment: AttachmentView | null;
  event: string | null;
  params: Record<string, string>;
  clientId: string | null;
  createdAt: string;
}

export function messageView(m: MessageRow, cards: Map<string, CardView>): MessageView {
  return {
    id: String(m._id),
    roomId: String(m.room),
    seq: m.seq,
    kind: m.kind as MessageKind,
    author: { id: m.author?.user ? String(m.author.user) : null, name: m.author!.name, side: m.author!.side as RoomSide | "system" },
    text: m.text ?? null,
    card: m.card ? (cards.get(String(m.card)) ?? null) : null,
    attachment: m.attachment?.fileId
      ? {
          id: String(m.attachment.fileId),
          filename: m.attachment.filename ?? "",
          contentType: m.attachment.contentType ?? "",
          size: m.attachment.size ?? 0,
          confidential: !!m.attachment.confidential,
        }
      : null,
    event: m.event ?? null,
    params: (m.params ?? {}) as Record<string, string>,
    clientId: m.clientId ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

export interface CardTermsView {
  price: number;
  transactionMode: TransactionMode;
  licenseExclusivity: LicenseExclusivity | null;
  territory: string | null;
  termMonths: number | null;
  royaltyPercent: number | null;
  milestones: { title: string; amount: number; dueInDays: number | null }[];
}

export interface CardView {
  id: string;
  roomId: string;
  thread: string;
  version: number;
  status: CardStatus;
  proposedBy: { id: string; name: string; side: RoomSide };
  forSide: "buyer" | "seller";
  /** A broker proposed it for a party. */
  onBehalf: boolean;
  terms: CardTermsView;
  note: string | null;
  respondedBy: { name: string; side: string } | null;
  respondedAt: string | null;
  reason: string | null;
  createdAt: string;
}

export function termsView(t: NonNullable<OfferCardDoc["terms"]>): CardTermsView {
  return {
    price: t.price,
    transactionMode: t.transactionMode as TransactionMode,
    licenseExclusivity: (t.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
    territory: t.territory ?? null,
    termMonths: t.termMonths ?? null,
    royaltyPercent: t.royaltyPercent ?? null,
    milestones: (t.milestones ?? []).map((m) => ({ title: m.title, amount: m.amount, dueInDays: m.dueInDays ?? null })),
  };
}

export function cardView(c: CardRow): CardView {
  return {
    id: String(c._id),
    roomId: String(c.room),
    thread: String(c.thread),
    version: c.version,
    status: c.status as CardStatus,
    proposedBy: { id: String(c.proposedBy!.user), name: c.proposedBy!.name ?? "", side: c.proposedBy!.side as RoomSide },
    forSide: c.forSide as "buyer" | "seller",
    onBehalf: c.proposedBy!.side === "broker",
    terms: termsView(c.terms!),
    note: c.note ?? null,
    respondedBy: c.respondedBy?.name ? { name: c.respondedBy.name, side: c.respondedBy.side ?? "" } : null,
    respondedAt: c.respondedAt?.toISOString() ?? null,
    reason: c.reason ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

export interface NdaView {
  version: string;
  acceptances: { userId: string; name: string; side: string; at: string }[];
  buyerAccepted: boolean;
  sellerAccepted: boolean;
  complete: boolean;
}

/**
 * Whether the room's confidential files open to this reader: the NDA is complete (a buyer-side and
 * a seller-side acceptance) and the reader accepted it themselves — an invited broker or a
 * colleague who never accepted it reads none of them.
 */
export function confidentialOpenTo(nda: NdaView, userId: string | null): boolean {
  return !!userId && nda.complete && nda.acceptances.some((a) => a.userId === userId);
}

export function ndaView(room: Pick<RoomRow, "nda">): NdaView {
  const acceptances = (room.nda?.acceptances ?? []).map((a) => ({
    userId: String(a.user),
    name: a.name ?? "",
    side: a.side ?? "",
    at: a.at!.toISOString(),
  }));
  const buyerAccepted = acceptances.some((a) => a.side === "buyer");
  const sellerAccepted = acceptances.some((a) => a.side === "seller");
  return { version: room.nda?.version ?? "", acceptances, buyerAccepted, sellerAccepted, complete: buyerAccepted && sellerAccepted };
}

/** Records that the actor accepted the room's NDA (once per person, with the time). */

export interface RoomSummary {
  id: string;
  listing: { id: string; title: string };
  counterpart: string;
  mySide: RoomSide;
  lastSeq: number;
  lastMessageAt: string | null;
  unread: number;
  dealId: string | null;
}

export interface RoomView {
  id: string;
  listing: { id: string; title: string };
  origin: RoomOrigin;
  buyer: { id: string; name: string; organizationName: string | null };
  seller: { name: string };
  brokers: { id: string; name: string }[];
  mySide: RoomSide;
  lastSeq: number;
  nda: NdaView;
  openCard: CardView | null;
  /** The terms of the room's deal (read from the deal; `cardId` when a card here agreed them). */
  agreedTerms: (CardTermsView & { cardId: string | null; acceptedAt: string }) | null;
  /** The open deal of the listing held by this room's buyer. */
  dealId: string | null;
  /** Why no offer card can be proposed or accepted now (an i18n key and its params), or null. */
  cardsClosed: { reason: string; params: Record<string, string> } | null;
  reads: { userId: string; name: string; seq: number }[];
  messages: MessageView[];
  hasOlder: boolean;
}
