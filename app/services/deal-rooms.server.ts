import type { ZodError } from "zod";
import { Readable } from "node:stream";
import { GridFSBucket, ObjectId } from "mongodb";
import mongoose, { type ClientSession, type Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import {
  DealRoom,
  OfferCard,
  RoomMessage,
  RoomRead,
  type CardStatus,
  type DealRoomDoc,
  type MessageKind,
  type OfferCardDoc,
  type RoomMessageDoc,
  type RoomOrigin,
  type RoomSide,
} from "~/models/deal-room.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Offer } from "~/models/offer.server.ts";
import { User } from "~/models/user.server.ts";
import {
  CardTermsSchema,
  InviteBrokerSchema,
  MessageSchema,
  ProposeCardSchema,
  RespondCardSchema,
  type CardTerms,
  type CardTermsInput,
  type MessageInput,
  type RespondCardInput,
} from "~/schemas/deal-rooms.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { MAX_ATTACHMENT_BYTES, safeFilename, sniffContentType, type AttachmentContentType } from "~/services/attachments.server.ts";
import { agreeDealTerms, openDeal } from "~/services/trading/deals/open.server.ts";
import { relationsOf } from "~/services/listings.server.ts";
import { publishToRoom } from "~/services/room-events.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { ANSWER_STATUS, mayAnswer, nextVersion, otherParty, type Party } from "~/services/trading/negotiation.ts";
import { type Actor } from "~/services/kernel/actor.ts";
import { recordAudit } from "./kernel/audit.server.ts";
import { newId, oid, parseId } from "./kernel/ids.server.ts";

/**
 * 洽谈室 (DESIGN.md: Deal rooms). One room per listing and buyer; members are the buyer, the seller
 * side (the listing's organisation) and invited brokers — nobody else learns the room exists.
 * Every message is stored with the room's next sequence number in one transaction before anyone
 * is told (publishToRoom after the commit), so a client that reconnects asks for `seq > last seen`
 * and gets exactly what it missed. Offer cards are versioned; an accepted card becomes the agreed
 * terms of the room and of its deal.
 */

export const ROOM_ATTACHMENT_BUCKET = "room-attachments";
const HISTORY_PAGE = 50;
const GAP_FILL_MAX = 500;

function validate<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, v: unknown): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new ValidationError(flattenZodErrors(r.error));
  return r.data;
}

type RoomRow = DealRoomDoc & { _id: Types.ObjectId; createdAt: Date };
type CardRow = OfferCardDoc & { _id: Types.ObjectId; createdAt: Date };
type MessageRow = RoomMessageDoc & { _id: Types.ObjectId };

// ---------------------------------------------------------------------------------------------
// Membership

/** How the actor belongs to the room, or null: the buyer, the seller side, or an invited broker. */
export function sideOf(actor: Actor | null, room: Pick<RoomRow, "buyer" | "seller" | "brokers">): RoomSide | null {
  if (!actor?.id) return null;
  if (room.buyer?.user && String(room.buyer.user) === actor.id) return "buyer";
  if (actor.organization && String(room.seller?.organization) === actor.organization.id) return "seller";
  if (room.seller?.user && String(room.seller.user) === actor.id) return "seller";
  if ((room.brokers ?? []).some((b) => String(b.user) === actor.id)) return "broker";
  return null;
}

/** The room and the actor's side; a non-member gets NotFound (the room's existence is private too). */
export async function requireMember(
  actor: Actor | null,
  roomId: string,
  session: ClientSession | null = null,
): Promise<{ room: RoomRow; side: RoomSide }> {
  const room = (await DealRoom.findById(parseId(roomId)).session(session).lean()) as RoomRow | null;
  if (!room) throw new NotFoundError();
  const side = sideOf(actor, room);
  if (!side) throw new NotFoundError();
  return { room, side };
}

/** Whether the actor may use the room (for the socket layer's per-event check). */
export async function isMember(actor: Actor | null, roomId: string): Promise<RoomSide | null> {
  try {
    return (await requireMember(actor, roomId)).side;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Opening a room

export type OpenRoomInput =
  | { from: "listing"; listingId: string }
  | { from: "match"; listingId: string; demandId: string }
  | { from: "offer"; offerId: string }
  | { from: "deal"; dealId: string };

/**
 * Opens (or finds) the room of a listing and a buyer. From a listing or a match the actor is the
 * buyer; from an offer or a deal either party may open it, and the buyer is the offer's or deal's.
 */
export async function openRoom(actor: Actor, input: OpenRoomInput): Promise<string> {
  if (!actor.id) throw new ForbiddenError();
  let listingId: string;
  let buyer: { user: Types.ObjectId; name: string; organization?: Types.ObjectId | null; organizationName?: string | null };
  const link: { origin: RoomOrigin; demand?: Types.ObjectId; offerThread?: Types.ObjectId; deal?: Types.ObjectId } = { origin: input.from };

  if (input.from === "listing" || input.from === "match") {
    if (!can(actor, "offer:make")) throw new ForbiddenError("rooms.errors.buyerRoleRequired");
    listingId = input.listingId;
    buyer = {
      user: oid(actor.id),
      name: actor.name,
      organization: actor.organization ? oid(actor.organization.id) : null,
      organizationName: actor.organization?.name ?? null,
    };
    if (input.from === "match") {
      const demand = await Demand.findById(parseId(input.demandId), { enterprise: 1, createdBy: 1 }).lean();
      if (!demand || !relationsOf(actor, demand).has("owner")) throw new NotFoundError();
      link.demand = demand._id;
    }
  } else if (input.from === "offer") {
    const offer = await Offer.findById(parseId(input.offerId), { listing: 1, thread: 1, buyer: 1, seller: 1 }).lean();
    if (!offer) throw new NotFoundError();
    const isBuyer = String(offer.buyer?.user) === actor.id;
    const isSeller = !!actor.organization && String(offer.seller?.organization) === actor.organization.id;
    if (!isBuyer && !isSeller) throw new NotFoundError();
    listingId = String(offer.listing);
    buyer = {
      user: offer.buyer!.user!,
      name: offer.buyer!.name!,
      organization: offer.buyer!.organization,
      organizationName: offer.buyer!.organizationName,
    };
    link.offerThread = offer.thread;
  } else {
    const deal = await Deal.findById(parseId(input.dealId)).lean();
    if (!deal) throw new NotFoundError();
    const isBuyer = String(deal.buyer.user) === actor.id;
    const isSeller =
      (!!actor.organization && String(deal.seller.organization) === actor.organization.id) || String(deal.seller.user ?? "") === actor.id;
    if (!isBuyer && !isSeller) throw new NotFoundError();
    listingId = String(deal.listing);
    buyer = {
      user: deal.buyer.user!,
      name: deal.buyer.name,
      organization: deal.buyer.organization,
      organizationName: deal.buyer.organizationName,
    };
    link.deal = deal._id;
  }

  const listing = await Achievement.findById(parseId(listingId), { title: 1, owner: 1, ownerName: 1, createdBy: 1, status: 1 }).lean();
  if (!listing) throw new NotFoundError();
  if (!isPublic(listing.status as ListingStatus)) throw new NotFoundError();
  if (String(buyer.user) === actor.id && relationsOf(actor, listing).has("owner")) throw new ForbiddenError("rooms.errors.ownListing");

  const filter = { listing: listing._id, "buyer.user": buyer.user };
  const links: Record<string, unknown> = {};
  if (link.demand) links.demand = link.demand;
  if (link.offerThread) links.offerThread = link.offerThread;
  if (link.deal) links.deal = link.deal;
  for (let attempt = 0; ; attempt++) {
    const existing = await DealRoom.findOne(filter, { _id: 1 }).lean();
    if (existing) {
      if (Object.keys(links).length) await DealRoom.updateOne({ _id: existing._id }, { $set: links });
      return String(existing._id);
    }
    try {
      const [room] = await DealRoom.create([
        {
          listing: listing._id,
          listingTitle: listing.title,
          origin: link.origin,
          ...links,
          buyer,
          seller: {
            user: listing.createdBy ?? undefined,
            name: listing.ownerName,
            organization: listing.owner,
            organizationName: listing.ownerName,
          },
        },
      ]);
      await appendSystem(String(room!._id), "rooms.system.opened", { by: actor.name });
      return String(room!._id);
    } catch (e) {
      // Two first clicks at once: the unique index lets one create it; the other finds it.
      if ((e as { code?: number }).code !== 11000 || attempt > 2) throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

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

function messageView(m: MessageRow, cards: Map<string, CardView>): MessageView {
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

async function viewsOf(messages: MessageRow[]): Promise<MessageView[]> {
  const cardIds = messages.filter((m) => m.card).map((m) => m.card!);
  const cards = cardIds.length ? ((await OfferCard.find({ _id: { $in: cardIds } }).lean()) as CardRow[]) : [];
  const map = new Map(cards.map((c) => [String(c._id), cardView(c)]));
  return messages.map((m) => messageView(m, map));
}

type NewMessage = Omit<Partial<RoomMessageDoc>, "room" | "seq" | "createdAt">;

/** Takes the room's next sequence number and stores the message, in the caller's transaction. */
async function append(session: ClientSession, roomId: Types.ObjectId, doc: NewMessage, now: Date): Promise<MessageRow> {
  const room = await DealRoom.findOneAndUpdate(
    { _id: roomId },
    { $inc: { lastSeq: 1 }, $set: { lastMessageAt: now } },
    { session, returnDocument: "after", projection: { lastSeq: 1 } },
  ).lean();
  if (!room) throw new NotFoundError();
  const [m] = await RoomMessage.create([{ ...doc, room: roomId, seq: room.lastSeq, createdAt: now }], { session });
  return m!.toObject() as MessageRow;
}

async function appendSystem(roomId: string, event: string, params: Record<string, string>, session?: ClientSession): Promise<MessageRow> {
  const now = new Date();
  const doc = { kind: "system" as const, author: { name: "系统", side: "system" as const }, event, params };
  const m = session ? await append(session, oid(roomId), doc, now) : await withTransaction((s) => append(s, oid(roomId), doc, now));
  if (!session) await announce([m]);
  return m;
}

/** After the commit: tell the room's members (on every instance, through the adapter). */
async function announce(messages: MessageRow[], cards: CardRow[] = []): Promise<MessageView[]> {
  const views = await viewsOf(messages);
  for (const v of views) publishToRoom(v.roomId, "room:message", v);
  for (const c of cards) publishToRoom(String(c.room), "room:card", cardView(c));
  return views;
}

function author(actor: Actor, side: RoomSide) {
  return { user: oid(actor.id!), name: actor.name, side };
}

/** Stores a text message (once per clientId) and then tells the room. */
export async function postMessage(actor: Actor, roomId: string, input: MessageInput, now = new Date()): Promise<MessageView> {
  const data = validate(MessageSchema, input);
  const { room, side } = await requireMember(actor, roomId);
  if (data.clientId) {
    const existing = (await RoomMessage.findOne({
      room: room._id,
      "author.user": oid(actor.id!),
      clientId: data.clientId,
    }).lean()) as MessageRow | null;
    if (existing) return (await viewsOf([existing]))[0]!;
  }
  let m: MessageRow;
  try {
    m = await withTransaction((session) =>
      append(session, room._id, { kind: "text", author: author(actor, side), text: data.text, clientId: data.clientId }, now),
    );
  } catch (e) {
    if ((e as { code?: number }).code === 11000 && data.clientId) {
      const existing = (await RoomMessage.findOne({
        room: room._id,
        "author.user": oid(actor.id!),
        clientId: data.clientId,
      }).lean()) as MessageRow;
      return (await viewsOf([existing]))[0]!;
    }
    throw e;
  }
  // One's own message is read.
  await RoomRead.updateOne(
    { room: room._id, user: oid(actor.id!) },
    { $max: { lastReadSeq: m.seq }, $set: { name: actor.name } },
    { upsert: true },
  );
  return (await announce([m]))[0]!;
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

async function historyOf(
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
  publishToRoom(String(room._id), "room:read", { roomId: String(room._id), userId: actor.id, name: actor.name, seq: r!.lastReadSeq });
  return { seq: r!.lastReadSeq };
}

// ---------------------------------------------------------------------------------------------
// Offer cards

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

function termsView(t: NonNullable<OfferCardDoc["terms"]>): CardTermsView {
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

/** A card's terms as entered (the note aside) in the one terms shape. */
function storedTerms(t: CardTerms): Terms {
  return normalizeTerms(t);
}

/** A stored card's terms in the one terms shape. */
function cardTermsOf(t: NonNullable<OfferCardDoc["terms"]>): Terms {
  return normalizeTerms({
    ...t,
    transactionMode: t.transactionMode as TransactionMode,
    licenseExclusivity: (t.licenseExclusivity as LicenseExclusivity | undefined) ?? null,
  });
}

/** The party a card speaks for: one's own side, or — for a broker — the party named. */
function partyFor(side: RoomSide, onBehalfOf: "buyer" | "seller" | undefined): "buyer" | "seller" {
  if (side === "broker") {
    if (!onBehalfOf) throw new ValidationError({ onBehalfOf: ["rooms.errors.onBehalfRequired"] });
    return onBehalfOf;
  }
  if (onBehalfOf && onBehalfOf !== side) throw new ForbiddenError("rooms.errors.notYourSide");
  return side;
}

/** Puts an offer card on the table (there is at most one open card: answer it, or withdraw yours). */
export async function proposeCard(
  actor: Actor,
  roomId: string,
  input: { terms: CardTermsInput; onBehalfOf?: "buyer" | "seller"; clientId?: string },
  now = new Date(),
): Promise<CardView> {
  const data = validate(ProposeCardSchema, input);
  const { room, side } = await requireMember(actor, roomId);
  const forSide = partyFor(side, data.onBehalfOf);
  if (data.clientId) {
    // A retried proposal: the card it already made, not "another card is open".
    const sent = await RoomMessage.findOne({ room: room._id, "author.user": oid(actor.id!), clientId: data.clientId }, { card: 1 }).lean();
    const card = sent?.card ? ((await OfferCard.findById(sent.card).lean()) as CardRow | null) : null;
    if (card) return cardView(card);
  }
  const cardId = newId();
  let created: { card: CardRow; message: MessageRow };
  try {
    created = await withTransaction(async (session) => {
      const [card] = await OfferCard.create(
        [
          {
            _id: cardId,
            room: room._id,
            thread: cardId,
            version: 1,
            proposedBy: author(actor, side),
            forSide,
            terms: storedTerms(data.terms),
            note: data.terms.note,
          },
        ],
        { session },
      );
      const message = await append(
        session,
        room._id,
        { kind: "offer", author: author(actor, side), card: cardId, clientId: data.clientId },
        now,
      );
      return { card: card!.toObject() as CardRow, message };
    });
  } catch (e) {
    const dup = e as { code?: number; keyPattern?: Record<string, unknown> };
    // The one-open-card-per-room index (keyed on `room` alone), not a message's clientId index.
    if (dup.code === 11000 && dup.keyPattern && Object.keys(dup.keyPattern).join() === "room") {
      throw new ConflictError("rooms.errors.cardOpen");
    }
    throw e;
  }
  await announce([created.message]);
  return cardView(created.card);
}

/**
 * Answers the open card: accept / reject / counter by the other party (a broker may counter for a
 * party, but only the parties themselves accept or reject); withdraw by the side that proposed it.
 * Accepting makes the card's terms the room's agreed terms and the deal's — opening the deal
 * (listing trading → deal) if there is none yet.
 */
export async function respondToCard(
  actor: Actor,
  roomId: string,
  input: RespondCardInput,
  now = new Date(),
): Promise<{ card: CardView; counter: CardView | null; dealId: string | null }> {
  const data = validate(RespondCardSchema, input);
  const { room, side } = await requireMember(actor, roomId);
  const me = author(actor, side);
  const result = await withTransaction(async (session) => {
    const card = (await OfferCard.findOne({ _id: parseId(data.cardId), room: room._id })
      .session(session)
      .lean()) as CardRow | null;
    if (!card) throw new NotFoundError();
    if (card.status !== "open") throw new ConflictError("rooms.errors.cardNotOpen");
    const forSide = card.forSide as Party;
    const other = otherParty(forSide);
    if (data.action === "withdraw") {
      const mine = String(card.proposedBy!.user) === actor.id || mayAnswer(side, forSide, "withdraw");
      if (!mine) throw new ForbiddenError("rooms.errors.notYourCard");
    } else if (data.action === "counter") {
      const party = partyFor(side, data.onBehalfOf ?? (side === "broker" ? undefined : (side as Party)));
      if (!mayAnswer(party, forSide, "counter")) throw new ForbiddenError("rooms.errors.answerOtherSide");
    } else if (!mayAnswer(side, forSide, data.action)) {
      throw new ForbiddenError(side === "broker" ? "rooms.errors.brokerCannotDecide" : "rooms.errors.answerOtherSide");
    }
    const newStatus: CardStatus = ANSWER_STATUS[data.action];
    const moved = await OfferCard.findOneAndUpdate(
      { _id: card._id, status: "open" },
      {
        $set: {
          status: newStatus,
          respondedBy: me,
          respondedAt: now,
          ...(data.action === "reject" && data.reason ? { reason: data.reason } : {}),
        },
      },
      { session, returnDocument: "after" },
    ).lean();
    if (!moved) throw new ConflictError("rooms.errors.cardNotOpen");
    const messages: MessageRow[] = [];
    const cards: CardRow[] = [moved as CardRow];
    let counter: CardRow | null = null;
    let dealId: string | null = room.deal ? String(room.deal) : null;

    if (data.action === "counter") {
      const [c] = await OfferCard.create(
        [
          {
            room: room._id,
            thread: card.thread,
            version: nextVersion(card),
            proposedBy: me,
            forSide: other,
            terms: storedTerms(data.terms),
            note: data.terms.note,
          },
        ],
        { session },
      );
      counter = c!.toObject() as CardRow;
      messages.push(await append(session, room._id, { kind: "offer", author: me, card: counter._id }, now));
    } else {
      const event = `rooms.system.card.${newStatus}`;
      messages.push(
        await append(
          session,
          room._id,
          {
            kind: "system",
            author: { name: "系统", side: "system" as const },
            event,
            params: { by: actor.name, version: String(card.version), reason: data.action === "reject" ? (data.reason ?? "") : "" },
          },
          now,
        ),
      );
    }

    if (data.action === "accept") {
      const terms = card.terms!;
      if (!dealId) {
        const listing = await Achievement.findById(room.listing, { status: 1 }).session(session).lean();
        if (listing?.status !== "trading") throw new ConflictError("rooms.errors.listingNotTrading");
        dealId = await openDeal(session, {
          listingId: String(room.listing),
          buyer: {
            userId: String(room.buyer!.user),
            name: room.buyer!.name ?? "",
            organization: room.buyer!.organization
              ? { id: String(room.buyer!.organization), name: room.buyer!.organizationName ?? undefined }
              : null,
          },
          source: "negotiation",
          terms: cardTermsOf(terms),
          cardId: String(card._id),
          roomId: String(room._id),
          actor,
          via: "ui",
          now,
        });
      } else {
        // A room opened from an existing deal: the card's terms become the deal's.
        await agreeDealTerms(session, dealId, { terms: cardTermsOf(terms), cardId: String(card._id), roomId: String(room._id), now });
      }
      const agreed = { card: card._id, terms, acceptedAt: now };
      await DealRoom.updateOne(
        { _id: room._id },
        { $set: { deal: oid(dealId), agreedTerms: { ...agreed, acceptedBy: { user: me.user, name: me.name } } } },
        { session },
      );
    }
    return { messages, cards: counter ? [...cards, counter] : cards, moved: moved as CardRow, counter, dealId };
  });
  await announce(result.messages, result.cards);
  return {
    card: cardView(result.moved),
    counter: result.counter ? cardView(result.counter) : null,
    dealId: data.action === "accept" ? result.dealId : null,
  };
}

// ---------------------------------------------------------------------------------------------
// NDA, brokers, attachments

export interface NdaView {
  version: string;
  acceptances: { userId: string; name: string; side: string; at: string }[];
  buyerAccepted: boolean;
  sellerAccepted: boolean;
  complete: boolean;
}

function ndaView(room: Pick<RoomRow, "nda">): NdaView {
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

function attachmentBucket(): GridFSBucket {
  const db = mongoose.connection.db;
  if (!db) throw new Error("MongoDB is not connected");
  return new GridFSBucket(db, { bucketName: ROOM_ATTACHMENT_BUCKET });
}

/** Uploads a file into the room (PDF or image by its bytes, at most 10 MB); confidential ones sit behind the NDA. */
export async function postAttachment(
  actor: Actor,
  roomId: string,
  file: { filename: string; bytes: Uint8Array; confidential: boolean; clientId?: string },
  now = new Date(),
): Promise<MessageView> {
  const { room, side } = await requireMember(actor, roomId);
  if (file.bytes.byteLength === 0 || file.bytes.byteLength > MAX_ATTACHMENT_BYTES)
    throw new ValidationError({ file: ["rooms.errors.fileSize"] });
  const type: AttachmentContentType | null = sniffContentType(file.bytes.subarray(0, 16));
  if (!type) throw new ValidationError({ file: ["rooms.errors.fileType"] });
  const filename = safeFilename(file.filename, type);
  const fileId = new ObjectId();
  await new Promise<void>((resolve, reject) => {
    const upload = attachmentBucket().openUploadStreamWithId(fileId, filename, {
      metadata: { room: room._id, contentType: type, uploadedBy: oid(actor.id!) },
    });
    Readable.from([Buffer.from(file.bytes)])
      .pipe(upload)
      .once("finish", () => resolve())
      .once("error", reject);
  });
  try {
    const m = await withTransaction((session) =>
      append(
        session,
        room._id,
        {
          kind: "attachment",
          author: author(actor, side),
          attachment: { fileId, filename, contentType: type, size: file.bytes.byteLength, confidential: file.confidential },
          clientId: file.clientId,
        },
        now,
      ),
    );
    return (await announce([m]))[0]!;
  } catch (e) {
    // Nothing half-written: the file goes if its message could not be stored.
    await attachmentBucket()
      .delete(fileId)
      .catch(() => {});
    throw e;
  }
}

/** Opens a file of the room for a member; confidential files only once both parties accepted the NDA. */
export async function openRoomAttachment(
  actor: Actor,
  roomId: string,
  fileId: string,
): Promise<{ filename: string; contentType: string; size: number; stream: Readable }> {
  const { room } = await requireMember(actor, roomId);
  const m = await RoomMessage.findOne({ room: room._id, "attachment.fileId": parseId(fileId) }, { attachment: 1 }).lean();
  if (!m?.attachment?.fileId) throw new NotFoundError();
  if (m.attachment.confidential && !ndaView(room).complete) throw new ForbiddenError("rooms.errors.ndaRequired");
  return {
    filename: m.attachment.filename ?? "file",
    contentType: m.attachment.contentType ?? "application/octet-stream",
    size: m.attachment.size ?? 0,
    stream: attachmentBucket().openDownloadStream(m.attachment.fileId as unknown as ObjectId),
  };
}

// ---------------------------------------------------------------------------------------------
// Reading rooms

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

/** The rooms the actor is in, most recent first, with unread counts (messages by others after their last read). */
export async function listMyRooms(actor: Actor, opts: { limit?: number } = {}): Promise<RoomSummary[]> {
  if (!actor.id) return [];
  const me = oid(actor.id);
  const or: Record<string, unknown>[] = [{ "buyer.user": me }, { "seller.user": me }, { "brokers.user": me }];
  if (actor.organization) or.push({ "seller.organization": oid(actor.organization.id) });
  const rooms = (await DealRoom.find({ $or: or })
    .sort({ lastMessageAt: -1, _id: -1 })
    .limit(opts.limit ?? 100)
    .lean()) as RoomRow[];
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
  agreedTerms: (CardTermsView & { cardId: string; acceptedAt: string }) | null;
  dealId: string | null;
  reads: { userId: string; name: string; seq: number }[];
  messages: MessageView[];
  hasOlder: boolean;
}

/** The room as its page shows it: who is in it, the NDA, the open card, the agreed terms and a page of messages. */
export async function getRoom(actor: Actor, roomId: string, opts: { beforeSeq?: number } = {}): Promise<RoomView> {
  const { room, side } = await requireMember(actor, roomId);
  const [history, open, reads] = await Promise.all([
    historyOf(room, { beforeSeq: opts.beforeSeq }),
    OfferCard.findOne({ room: room._id, status: "open" }).lean(),
    RoomRead.find({ room: room._id }, { user: 1, name: 1, lastReadSeq: 1 }).lean(),
  ]);
  const agreed = room.agreedTerms?.card && room.agreedTerms.terms ? room.agreedTerms : null;
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
    agreedTerms: agreed ? { ...termsView(agreed.terms!), cardId: String(agreed.card), acceptedAt: agreed.acceptedAt!.toISOString() } : null,
    dealId: room.deal ? String(room.deal) : null,
    reads: reads.map((r) => ({ userId: String(r.user), name: r.name ?? "", seq: r.lastReadSeq ?? 0 })),
    messages: history.messages,
    hasOlder: history.hasOlder,
  };
}

/** Whether someone may broker in rooms at all (for the invite form's hint). */
export function isBroker(actor: Actor | null): boolean {
  return hasRole(actor, "broker");
}

export { CardTermsSchema };
