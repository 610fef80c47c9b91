import type { ClientSession, Types } from "mongoose";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRoom, OfferCard, RoomMessage, type CardStatus, type OfferCardDoc, type RoomSide } from "~/models/deal-room.server.ts";
import { ProposeCardSchema, RespondCardSchema, type CardTerms, type CardTermsInput, type RespondCardInput } from "~/schemas/deal-rooms.ts";
import { normalizeTerms, type Terms } from "~/schemas/terms.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { newId, oid, parseId } from "~/services/kernel/ids.server.ts";
import { isDuplicateKeyOn } from "~/services/kernel/mongo-errors.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { recordEngagement } from "~/services/matching/feedback.server.ts";
import { openDeal } from "~/services/trading/deals/open.server.ts";
import { SOLD_STATUSES } from "~/services/trading/listing.server.ts";
import { ANSWER_STATUS, mayAnswer, nextVersion, otherParty, type Party } from "~/services/trading/negotiation.ts";
import { chinaDate } from "~/utils/china-time.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import type { LicenseExclusivity, TransactionMode } from "~/utils/taxonomy.ts";
import { requireMember, validate } from "./membership.server.ts";
import { announce, append, author } from "./messages.server.ts";
import { cardView, type CardRow, type CardView, type MessageRow } from "./views.ts";

/**
 * Offer cards (报价卡): versioned terms in a room, one open card at a time, answered by the other
 * party (a broker may propose or counter for a party, never accept or reject), withdrawn by the
 * side that proposed it — the rules shared with offers are in trading/negotiation.ts (decision
 * 009). An accepted card opens the deal (listing trading → deal) with its terms. Cards are taken
 * only while the listing is trading and has no open deal (`cardsClosedFor`): during the 公示 they are
 * refused with its end date, and once a deal exists no room of the listing takes, counters or accepts
 * one — so a room's agreed terms are always its deal's (issue 13, points 1 and 4). A non-exclusive
 * licence closes only its licensee's rooms; the listing's other rooms go on (point 5).
 */

/** Why a listing's rooms take no offer card now: an i18n key and its parameters. */
export interface CardsClosed {
  reason: string;
  params: Record<string, string>;
}

/**
 * Whether offer cards can be put on the table (or accepted) in a room right now, and if not, the
 * real reason: a deal exists (a sale of the listing — an open deal that ended its trading, or a
 * sold status — or, in this room, the non-exclusive licence its buyer took), the 公示 has not ended
 * (with its end date, China time), not trading yet, or no longer trading. A non-exclusive licence
 * leaves the listing's other rooms open for further licences (issue 13, point 5).
 */
export async function cardsClosedFor(
  room: { listing: Types.ObjectId; buyer?: { user?: Types.ObjectId | null } | null },
  now = new Date(),
  session: ClientSession | null = null,
): Promise<CardsClosed | null> {
  const listingId = room.listing;
  // One after the other: a transaction's session runs one operation at a time.
  const listing = await Achievement.findById(listingId, { status: 1, noticeEndsAt: 1 }).session(session).lean();
  const sale = await Deal.exists({ listing: listingId, status: "open", endsTrading: { $ne: false } }).session(session);
  const status = listing?.status as ListingStatus | undefined;
  if (sale || (status && SOLD_STATUSES.includes(status))) return { reason: "rooms.errors.dealMade", params: {} };
  const buyer = room.buyer?.user;
  if (buyer && (await Deal.exists({ listing: listingId, "buyer.user": buyer, status: "open" }).session(session))) {
    return { reason: "rooms.errors.licenceMade", params: {} };
  }
  if (status === "trading") return null;
  if (status === "published" && listing?.noticeEndsAt && listing.noticeEndsAt > now) {
    return { reason: "rooms.errors.inNotice", params: { date: chinaDate(listing.noticeEndsAt) } };
  }
  if (status === "published") return { reason: "rooms.errors.notYetTrading", params: {} };
  return { reason: "rooms.errors.listingNotTrading", params: {} };
}

async function assertCardsOpen(room: Parameters<typeof cardsClosedFor>[0], now: Date, session: ClientSession | null = null): Promise<void> {
  const closed = await cardsClosedFor(room, now, session);
  if (closed) throw new ConflictError(closed.reason, { params: closed.params });
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
  // In 公示, or a deal made (in this room or another): no new card, with the real reason.
  await assertCardsOpen(room, now);
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
      // An offer in a room opened from a match: a positive signal for that pair (decision 031).
      if (room.demand && room.buyer?.user) {
        await recordEngagement(session, {
          kind: "offer",
          achievementId: room.listing,
          demandIds: [room.demand],
          buyer: {
            userId: String(room.buyer.user),
            organizationId: room.buyer.organization ? String(room.buyer.organization) : null,
          },
          now,
        });
      }
      return { card: card!.toObject() as CardRow, message };
    });
  } catch (e) {
    // The one-open-card-per-room index (keyed on `room` alone), not a message's clientId index.
    if (isDuplicateKeyOn(e, ["room"])) {
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
 * Accepting opens the deal (listing trading → deal) with the card's terms, which become the room's
 * agreed terms. Countering or accepting needs the listing open for cards (`cardsClosedFor`): never
 * during the 公示, never once the listing has a deal (a deal's terms are not rewritten by a card).
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
    // A counter or an acceptance needs the listing open for cards: not in 公示, no deal made (here or
    // in another room) — read in the transaction, so a deal made meanwhile wins (and openDeal's index).
    if (data.action === "counter" || data.action === "accept") await assertCardsOpen(room, now, session);
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
    let dealId: string | null = null;

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
