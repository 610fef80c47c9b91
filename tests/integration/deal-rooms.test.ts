import { text } from "node:stream/consumers";
import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRoom, OfferCard, RoomMessage } from "~/models/deal-room.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { acceptNda } from "~/services/rooms/nda.server.ts";
import { getRoom, listMyRooms, unreadRoomMessages } from "~/services/rooms/queries.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { markRead, postMessage, roomHistory } from "~/services/rooms/messages.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { openRoomAttachment, postAttachment } from "~/services/rooms/attachments.server.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { setRoomPublisher, type RoomPublisher } from "~/services/rooms/events.server.ts";
import { chinaDate } from "~/utils/china-time.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import {
  achievementContent,
  inNoticeAchievement,
  listingAt,
  pdfBytes,
  person,
  pngBytes,
  publishedDemand,
  tradingAchievement,
  buyNowDeal,
} from "../../seeds/trading-fixtures.ts";

/**
 * 洽谈室 against the real replica set: who may see a room (nobody else learns it exists), the
 * per-room sequence under concurrency, reconnect gap-fill and paging, offer cards through to the
 * deal, brokers acting for a party, the NDA gate on confidential files, invitations and unread
 * counts. One long file because every case builds on the same parties, listing and rooms, and a
 * room's life (messages → cards → deal) reads best in order.
 */

let seller: SessionUser,
  colleague: SessionUser,
  buyer: SessionUser,
  buyer2: SessionUser,
  outsider: SessionUser,
  broker: SessionUser,
  broker2: SessionUser;

beforeAll(async () => {
  seller = await person("seller@wsu.cn", ["seller"], "文山学院", "university");
  colleague = await person("colleague@wsu.cn", ["seller"], "文山学院", "university");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  buyer2 = await person("buyer2@food.cn", ["buyer"], "食品公司");
  outsider = await person("outsider@tea.cn", ["buyer", "seller"], "茶业公司");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  broker2 = await person("broker2@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
});

const listing = (over = {}) =>
  tradingAchievement(seller, broker, {
    title: `三七种子包衣防腐技术 ${Math.random().toString(36).slice(2, 7)}`,
    price: { mode: "negotiable" },
    ...over,
  });

async function room(): Promise<{ roomId: string; listingId: string }> {
  const listingId = await listing();
  return { roomId: await openRoom(buyer, { from: "listing", listingId }), listingId };
}

const terms = (over: Record<string, unknown> = {}) => ({
  price: "120000",
  transactionMode: "license" as const,
  licenseExclusivity: "exclusive" as const,
  territory: "云南省",
  termMonths: 36,
  royaltyPercent: 3,
  milestones: [
    { title: "签约首付", amount: "40000", dueInDays: 10 },
    { title: "技术交付验收", amount: "80000", dueInDays: 90 },
  ],
  note: "含两次现场技术指导",
  ...over,
});

describe("opening a room", () => {
  it("opens one room per listing and buyer, for either party, and shows it to nobody else", async () => {
    const listingId = await listing();
    const roomId = await openRoom(buyer, { from: "listing", listingId });
    expect(await openRoom(buyer, { from: "listing", listingId })).toBe(roomId);
    // Two first clicks at once still make one room.
    const other = await listing();
    const both = await Promise.all([
      openRoom(buyer2, { from: "listing", listingId: other }),
      openRoom(buyer2, { from: "listing", listingId: other }),
    ]);
    expect(both[0]).toBe(both[1]);

    const view = await getRoom(seller, roomId);
    expect(view).toMatchObject({
      mySide: "seller",
      buyer: { id: buyer.id, organizationName: "兴街镇三七种植专业合作社" },
      seller: { name: "文山学院" },
      origin: "listing",
    });
    expect((await getRoom(colleague, roomId)).mySide).toBe("seller");
    expect(view.messages[0]).toMatchObject({ seq: 1, kind: "system", event: "rooms.system.opened", params: { by: buyer.name } });

    // The seller side cannot open a room on its own listing as a buyer; a seller-only account cannot at all.
    await expect(openRoom(outsider, { from: "listing", listingId: await tradingAchievement(outsider, broker) })).rejects.toThrow(
      ForbiddenError,
    );
    await expect(openRoom(seller, { from: "listing", listingId })).rejects.toMatchObject({ message: "rooms.errors.buyerRoleRequired" });
    // Drafts are nobody's business.
    const draft = await listingAt(seller, broker, "draft", achievementContent({ title: "未发布的成果" }));
    await expect(openRoom(buyer, { from: "listing", listingId: draft })).rejects.toThrow(NotFoundError);
  });

  it("opens from a match only for the demand's owner, linking the demand", async () => {
    const demandId = await publishedDemand(buyer, broker);
    const listingId = await listing();
    const roomId = await openRoom(buyer, { from: "match", listingId, demandId });
    expect(String((await DealRoom.findById(roomId).lean())!.demand)).toBe(demandId);
    await expect(openRoom(buyer2, { from: "match", listingId, demandId })).rejects.toThrow(NotFoundError);
  });
});

describe("membership", () => {
  it("answers an outsider NotFound for everything: history, send, cards, NDA, files, reads", async () => {
    const { roomId } = await room();
    const file = await postAttachment(buyer, roomId, { filename: "报价单.pdf", bytes: pdfBytes(), confidential: false });
    const card = await proposeCard(seller, roomId, { terms: terms() });
    for (const who of [outsider, buyer2, broker]) {
      await expect(getRoom(who, roomId)).rejects.toThrow(NotFoundError);
      await expect(roomHistory(who, roomId, { afterSeq: 0 })).rejects.toThrow(NotFoundError);
      await expect(postMessage(who, roomId, { text: "你好" })).rejects.toThrow(NotFoundError);
      await expect(proposeCard(who, roomId, { terms: terms(), onBehalfOf: "buyer" })).rejects.toThrow(NotFoundError);
      await expect(respondToCard(who, roomId, { action: "accept", cardId: card.id })).rejects.toThrow(NotFoundError);
      await expect(acceptNda(who, roomId)).rejects.toThrow(NotFoundError);
      await expect(markRead(who, roomId, 1)).rejects.toThrow(NotFoundError);
      await expect(postAttachment(who, roomId, { filename: "x.pdf", bytes: pdfBytes(), confidential: false })).rejects.toThrow(
        NotFoundError,
      );
      await expect(openRoomAttachment(who, roomId, file.attachment!.id)).rejects.toThrow(NotFoundError);
      expect((await listMyRooms(who)).map((r) => r.id)).not.toContain(roomId);
    }
    // A room id that does not exist looks the same.
    await expect(getRoom(buyer, "000000000000000000000000")).rejects.toThrow(NotFoundError);
    await expect(getRoom(buyer, "not-an-id")).rejects.toThrow(NotFoundError);
    expect(await RoomMessage.countDocuments({ room: roomId, "author.user": { $in: [outsider.id, buyer2.id, broker.id] } })).toBe(0);
    // Named on the seller side but without the seller role: refused too. None of the refused sends took a seq.
    const before = (await DealRoom.findById(roomId).lean())!.lastSeq;
    await expect(postMessage({ ...seller, roles: ["buyer"] }, roomId, { text: "你好" })).rejects.toThrow(NotFoundError);
    expect((await DealRoom.findById(roomId).lean())!.lastSeq).toBe(before);
    expect((await postMessage(buyer, roomId, { text: "还在吗？" })).seq).toBe(before + 1);
  });
});

describe("messages", () => {
  it("numbers messages 1, 2, 3… without a gap or a repeat under 20 concurrent sends from both sides", async () => {
    const { roomId } = await room();
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postMessage(i % 2 ? seller : buyer, roomId, { text: `第 ${i + 1} 条`, clientId: `c-${i}` })),
    );
    const seqs = sent.map((m) => m.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i + 2)); // seq 1 is "opened"
    const stored = await RoomMessage.find({ room: roomId }, { seq: 1 }).sort({ seq: 1 }).lean();
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect((await DealRoom.findById(roomId).lean())!.lastSeq).toBe(21);
    // Each kept its own text and author.
    const bySeq = new Map(sent.map((m) => [m.clientId, m]));
    expect(bySeq.get("c-3")).toMatchObject({ text: "第 4 条", author: { id: seller.id, side: "seller" } });
    expect(bySeq.get("c-4")).toMatchObject({ text: "第 5 条", author: { id: buyer.id, side: "buyer" } });
  });

  it("stores a message once per clientId, also when the retry races the first try", async () => {
    const { roomId } = await room();
    const first = await postMessage(buyer, roomId, { text: "请问可以分期付款吗？", clientId: "retry-1" });
    const again = await postMessage(buyer, roomId, { text: "请问可以分期付款吗？", clientId: "retry-1" });
    expect(again).toMatchObject({ id: first.id, seq: first.seq });
    const raced = await Promise.all([1, 2, 3].map(() => postMessage(seller, roomId, { text: "可以", clientId: "race-1" })));
    expect(new Set(raced.map((m) => m.id)).size).toBe(1);
    expect(await RoomMessage.countDocuments({ room: roomId, clientId: { $in: ["retry-1", "race-1"] } })).toBe(2);
    // The same clientId from someone else is their own message.
    const theirs = await postMessage(seller, roomId, { text: "好的", clientId: "retry-1" });
    expect(theirs.id).not.toBe(first.id);
    // A refused retry takes no seq: the room's numbers stay without gaps.
    expect([raced[0]!.seq, theirs.seq]).toEqual([first.seq + 1, first.seq + 2]);
  });

  it("refuses empty and too long messages, naming the field, and keeps line breaks", async () => {
    const { roomId } = await room();
    await expect(postMessage(buyer, roomId, { text: "   " })).rejects.toMatchObject({
      fieldErrors: { text: ["rooms.errors.textRequired"] },
    });
    await expect(postMessage(buyer, roomId, { text: "长".repeat(4001) })).rejects.toThrow(ValidationError);
    const m = await postMessage(buyer, roomId, { text: "第一行\r\n第二行\n<script>alert(1)</script>" });
    expect(m.text).toBe("第一行\n第二行\n<script>alert(1)</script>");
  });

  it("gives exactly what came after a seq (gap-fill) and pages back with beforeSeq", async () => {
    const { roomId } = await room();
    for (let i = 0; i < 119; i++) await postMessage(i % 3 ? buyer : seller, roomId, { text: `m${i + 2}` });
    // 120 messages in all (1 is "opened").
    const after = await roomHistory(buyer, roomId, { afterSeq: 97 });
    expect(after.messages.map((m) => m.seq)).toEqual(Array.from({ length: 23 }, (_, i) => 98 + i));
    expect(after.lastSeq).toBe(120);
    expect((await roomHistory(buyer, roomId, { afterSeq: 120 })).messages).toEqual([]);

    const latest = await roomHistory(buyer, roomId);
    expect(latest.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 71 + i));
    expect(latest.hasOlder).toBe(true);
    const page2 = await roomHistory(buyer, roomId, { beforeSeq: 71 });
    expect(page2.messages.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 21 + i));
    expect(page2.hasOlder).toBe(true);
    const page3 = await roomHistory(buyer, roomId, { beforeSeq: 21 });
    expect(page3.messages.map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 1 + i));
    expect(page3.hasOlder).toBe(false);
    // The page's view: the same latest page, and ?before pages back.
    expect((await getRoom(seller, roomId, { beforeSeq: 71 })).messages[0]!.seq).toBe(21);
  });
});

describe("offer cards", () => {
  it("runs propose → counter → accept into a negotiated deal carrying the accepted terms", async () => {
    const { roomId, listingId } = await room();
    const v1 = await proposeCard(buyer, roomId, { terms: terms({ price: "125000" }) });
    expect(v1).toMatchObject({
      version: 1,
      status: "open",
      forSide: "buyer",
      onBehalf: false,
      terms: { price: 12_500_000, milestones: [{ title: "签约首付", amount: 4_000_000, dueInDays: 10 }, { amount: 8_000_000 }] },
    });
    // One open card at a time.
    await expect(proposeCard(seller, roomId, { terms: terms() })).rejects.toMatchObject({ message: "rooms.errors.cardOpen" });
    // Only the other side answers it; the proposer may withdraw.
    await expect(respondToCard(buyer, roomId, { action: "accept", cardId: v1.id })).rejects.toMatchObject({
      message: "rooms.errors.answerOtherSide",
    });

    const countered = await respondToCard(seller, roomId, {
      action: "counter",
      cardId: v1.id,
      terms: terms({ price: "150000", territory: "中国大陆" }),
    });
    expect(countered.card.status).toBe("countered");
    const v2 = countered.counter!;
    expect(v2).toMatchObject({
      version: 2,
      status: "open",
      forSide: "seller",
      thread: v1.thread,
      terms: { price: 15_000_000, territory: "中国大陆" },
    });
    // The seller side (a colleague too) cannot accept its own counter.
    await expect(respondToCard(colleague, roomId, { action: "accept", cardId: v2.id })).rejects.toMatchObject({
      message: "rooms.errors.answerOtherSide",
    });

    const accepted = await respondToCard(buyer, roomId, { action: "accept", cardId: v2.id });
    expect(accepted.card.status).toBe("accepted");
    const deal = (await Deal.findById(accepted.dealId).lean())!;
    expect(deal).toMatchObject({ source: "negotiation", terms: { price: 15_000_000 } });
    expect(String(deal.buyer.user)).toBe(buyer.id);
    expect(deal).toMatchObject({
      terms: {
        price: 15_000_000,
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        territory: "中国大陆",
        termMonths: 36,
        royaltyPercent: 3,
        milestones: [
          { title: "签约首付", amount: 4_000_000, dueInDays: 10 },
          { title: "技术交付验收", amount: 8_000_000, dueInDays: 90 },
        ],
      },
    });
    expect(String(deal.termsSource!.card)).toBe(v2.id);
    expect((await Achievement.findById(listingId, { status: 1 }).lean())!.status).toBe("deal");

    const view = await getRoom(seller, roomId);
    expect(view.dealId).toBe(String(accepted.dealId));
    expect(view.openCard).toBeNull();
    expect(view.agreedTerms).toMatchObject({ cardId: v2.id, price: 15_000_000, territory: "中国大陆" });
    expect(view.messages.map((m) => m.event).filter(Boolean)).toContain("rooms.system.card.accepted");
    // Answered is answered.
    await expect(respondToCard(buyer, roomId, { action: "reject", cardId: v2.id })).rejects.toThrow(ConflictError);
  });

  it("lets a broker propose for the seller (marked as such) and counter, but never accept or reject", async () => {
    const { roomId } = await room();
    await inviteBroker(seller, roomId, { email: "broker@agency.cn" });
    await expect(proposeCard(broker, roomId, { terms: terms() })).rejects.toMatchObject({
      fieldErrors: { onBehalfOf: ["rooms.errors.onBehalfRequired"] },
    });
    const card = await proposeCard(broker, roomId, { terms: terms(), onBehalfOf: "seller" });
    expect(card).toMatchObject({ forSide: "seller", onBehalf: true, proposedBy: { id: broker.id, side: "broker" } });
    const [message] = (await roomHistory(buyer, roomId, { afterSeq: 0 })).messages.filter((m) => m.kind === "offer");
    expect(message!.card).toMatchObject({ id: card.id, onBehalf: true, forSide: "seller" });
    // The broker's card is the seller side's: the seller may not accept it, the buyer may.
    await expect(respondToCard(seller, roomId, { action: "accept", cardId: card.id })).rejects.toMatchObject({
      message: "rooms.errors.answerOtherSide",
    });
    // The buyer counters; the broker may not accept or reject the counter, only counter for a party.
    const { counter } = await respondToCard(buyer, roomId, {
      action: "counter",
      cardId: card.id,
      terms: terms({ price: "90000", milestones: [] }),
    });
    await expect(respondToCard(broker, roomId, { action: "accept", cardId: counter!.id })).rejects.toMatchObject({
      message: "rooms.errors.brokerCannotDecide",
    });
    await expect(respondToCard(broker, roomId, { action: "reject", cardId: counter!.id })).rejects.toMatchObject({
      message: "rooms.errors.brokerCannotDecide",
    });
    const again = await respondToCard(broker, roomId, {
      action: "counter",
      cardId: counter!.id,
      terms: terms({ price: "130000" }),
      onBehalfOf: "seller",
    });
    expect(again.counter).toMatchObject({ version: 3, forSide: "seller", onBehalf: true });
    // The proposing side withdraws.
    expect((await respondToCard(colleague, roomId, { action: "withdraw", cardId: again.counter!.id })).card.status).toBe("withdrawn");
  });

  it("refuses bad terms naming the field, money in yuan", async () => {
    const { roomId } = await room();
    const err = await proposeCard(buyer, roomId, {
      terms: terms({
        price: "12.345",
        transactionMode: "license",
        licenseExclusivity: "",
        termMonths: 0,
        milestones: [{ title: "", amount: "1" }],
      }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toMatchObject({
      "terms.price": ["auction.errors.amountNumber"],
      "terms.termMonths": ["rooms.errors.termMonths"],
      "terms.milestones.0.title": ["rooms.errors.milestoneTitle"],
    });
    await expect(proposeCard(buyer, roomId, { terms: terms({ price: "10000" }) })).rejects.toMatchObject({
      fieldErrors: { "terms.milestones": ["rooms.errors.milestonesExceedPrice"] },
    });
  });
});

describe("a listing sold", () => {
  it("closes the open offer cards of its other rooms in the sale's commit, each with a system message, and takes no new card", async () => {
    const heard: { roomId: string; event: string; payload: unknown }[] = [];
    setRoomPublisher(((roomId: string, event: string, payload: unknown) => heard.push({ roomId, event, payload })) as RoomPublisher);
    try {
      const listingId = await listing();
      const won = await openRoom(buyer, { from: "listing", listingId });
      const lost = await openRoom(buyer2, { from: "listing", listingId });
      const winning = await proposeCard(buyer, won, { terms: terms() });
      const losing = await proposeCard(buyer2, lost, { terms: terms({ note: "另一家的报价" }) });
      heard.length = 0;

      const { dealId } = await respondToCard(seller, won, { action: "accept", cardId: winning.id });
      expect(dealId).toBeTruthy();
      const lostRoom = await getRoom(buyer2, lost);
      expect(lostRoom.openCard).toBeNull();
      const closedMessage = lostRoom.messages.find((m) => m.kind === "offer" && m.card?.id === losing.id);
      expect(closedMessage?.card).toMatchObject({ id: losing.id, status: "closed" });
      expect(lostRoom.messages.at(-1)).toMatchObject({ kind: "system", event: "rooms.system.card.closed", params: { version: "1" } });
      // The accepted card stays accepted.
      expect((await getRoom(buyer, won)).agreedTerms).toMatchObject({ cardId: winning.id });
      // The losing room heard it, after the commit.
      expect(heard.filter((h) => h.roomId === lost).map((h) => h.event)).toEqual(["room:message", "room:card"]);
      expect(heard.find((h) => h.roomId === lost && h.event === "room:card")?.payload).toMatchObject({ id: losing.id, status: "closed" });
      // The card cannot be answered, and no new card can be put on the table.
      await expect(respondToCard(seller, lost, { action: "accept", cardId: losing.id })).rejects.toMatchObject({
        message: "rooms.errors.cardNotOpen",
      });
      await expect(proposeCard(buyer2, lost, { terms: terms() })).rejects.toMatchObject({ message: "rooms.errors.dealMade" });
    } finally {
      setRoomPublisher(null);
    }
  });

  it("closes them too when the listing is bought outright", async () => {
    const listingId = await listing({ price: { mode: "fixed", amount: 100_000_00 } });
    const roomId = await openRoom(buyer2, { from: "listing", listingId });
    const card = await proposeCard(buyer2, roomId, { terms: terms() });
    const doc = (await Achievement.findById(listingId).lean())!;
    const mode = doc.transactionModes![0]!;
    await buyNowDeal(buyer, listingId, {
      expectedAmountFen: doc.price!.amount!,
      transactionMode: mode as "license",
      licenseExclusivity: mode === "license" ? ((doc.licenseExclusivity?.[0] as "exclusive" | undefined) ?? null) : null,
    });
    expect((await OfferCard.findById(card.id).lean())!.status).toBe("closed");
    expect((await getRoom(buyer2, roomId)).openCard).toBeNull();
  });
});

describe("a listing with a deal (issue 13, point 1)", () => {
  it("takes no new card in any of its rooms, the deal's own room too, and never rewrites the deal's terms", async () => {
    const { roomId, listingId } = await room();
    const other = await openRoom(buyer2, { from: "listing", listingId });
    // An exclusive licence sells the listing (a non-exclusive one would not: see point 5 below).
    const card = await proposeCard(buyer, roomId, {
      terms: terms({ price: "140000", transactionMode: "license", licenseExclusivity: "exclusive" }),
    });
    const { dealId } = await respondToCard(seller, roomId, { action: "accept", cardId: card.id });
    const before = (await Deal.findById(dealId).lean())!;

    // The deal's own room and another buyer's room: no new card, with the reason.
    for (const [who, id] of [
      [buyer, roomId],
      [seller, roomId],
      [buyer2, other],
    ] as const) {
      const err = await proposeCard(who, id, {
        terms: terms({ price: "200000", transactionMode: "transfer", licenseExclusivity: "", territory: "全国" }),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ message: "rooms.errors.dealMade" });
    }
    // Nothing changed on the deal; the room shows the deal's terms and says why it takes no card.
    expect((await Deal.findById(dealId).lean())!.terms).toEqual(before.terms);
    const view = await getRoom(buyer, roomId);
    expect(view).toMatchObject({
      dealId,
      openCard: null,
      cardsClosed: { reason: "rooms.errors.dealMade" },
      agreedTerms: { price: 14_000_000, transactionMode: "license", licenseExclusivity: "exclusive", cardId: card.id },
    });
    // The other buyer's room holds no agreement of its own.
    expect(await getRoom(buyer2, other)).toMatchObject({
      dealId: null,
      agreedTerms: null,
      cardsClosed: { reason: "rooms.errors.dealMade" },
    });
  });

  it("shows a deal made outside the room (buy-now) as the room's terms, and a room opened from the deal takes no card", async () => {
    const listingId = await listing({ price: { mode: "fixed", amount: 140_000_00 } });
    const roomId = await openRoom(buyer, { from: "listing", listingId });
    const doc = (await Achievement.findById(listingId).lean())!;
    const mode = doc.transactionModes![0]!;
    const dealId = await buyNowDeal(buyer, listingId, {
      expectedAmountFen: doc.price!.amount!,
      transactionMode: mode as "license",
      licenseExclusivity: mode === "license" ? ((doc.licenseExclusivity?.[0] as "exclusive" | undefined) ?? null) : null,
    });
    expect(await openRoom(seller, { from: "deal", dealId })).toBe(roomId);
    const deal = (await Deal.findById(dealId).lean())!;
    const view = await getRoom(seller, roomId);
    expect(view).toMatchObject({ dealId, cardsClosed: { reason: "rooms.errors.dealMade" } });
    expect(view.agreedTerms).toMatchObject({ price: deal.terms.price, transactionMode: deal.terms.transactionMode, cardId: null });
    await expect(proposeCard(seller, roomId, { terms: terms({ price: "200000" }) })).rejects.toMatchObject({
      message: "rooms.errors.dealMade",
    });
    expect((await Deal.findById(dealId).lean())!.terms).toEqual(deal.terms);
  });
});

describe("a listing in its 公示 (issue 13, point 4)", () => {
  it("refuses a card with the notice's end date, and refuses to accept one left from before with the same reason", async () => {
    const listingId = await inNoticeAchievement(seller, broker, { title: `公示中的成果 ${Math.random().toString(36).slice(2, 7)}` });
    const { noticeEndsAt } = (await Achievement.findById(listingId, { noticeEndsAt: 1 }).lean())!;
    const date = chinaDate(noticeEndsAt!);
    const roomId = await openRoom(buyer, { from: "listing", listingId });
    const err = await proposeCard(buyer, roomId, { terms: terms() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ message: "rooms.errors.inNotice", params: { date } });
    expect(await OfferCard.countDocuments({ room: roomId })).toBe(0);
    expect((await getRoom(buyer, roomId)).cardsClosed).toEqual({ reason: "rooms.errors.inNotice", params: { date } });

    // A card put on the table before this rule (written directly): accepting it says the same, and makes no deal.
    const trading = await listing();
    const tradingRoom = await openRoom(buyer, { from: "listing", listingId: trading });
    const old = await proposeCard(buyer, tradingRoom, { terms: terms() });
    await OfferCard.updateOne({ _id: old.id }, { $set: { room: roomId } });
    await expect(respondToCard(seller, roomId, { action: "accept", cardId: old.id })).rejects.toMatchObject({
      message: "rooms.errors.inNotice",
      params: { date },
    });
    await expect(respondToCard(seller, roomId, { action: "counter", cardId: old.id, terms: terms() })).rejects.toMatchObject({
      message: "rooms.errors.inNotice",
    });
    expect(await Deal.countDocuments({ listing: listingId })).toBe(0);
    expect((await OfferCard.findById(old.id).lean())!.status).toBe("open");
    // It can still be withdrawn.
    expect((await respondToCard(buyer, roomId, { action: "withdraw", cardId: old.id })).card.status).toBe("withdrawn");
  });
});

describe("the NDA and files", () => {
  it("keeps a confidential file closed until a buyer-side and a seller-side member accepted the NDA, and records who and when", async () => {
    const { roomId } = await room();
    const open = await postAttachment(seller, roomId, { filename: "检测报告.pdf", bytes: pdfBytes("public"), confidential: false });
    const secret = await postAttachment(seller, roomId, { filename: "菌株配方.pdf", bytes: pdfBytes("secret"), confidential: true });
    expect(secret).toMatchObject({
      kind: "attachment",
      attachment: { filename: "菌株配方.pdf", contentType: "application/pdf", confidential: true },
    });

    // A plain file opens for members at once.
    const plain = await openRoomAttachment(buyer, roomId, open.attachment!.id);
    expect(await text(plain.stream)).toContain("public");

    await expect(openRoomAttachment(buyer, roomId, secret.attachment!.id)).rejects.toMatchObject({ message: "rooms.errors.ndaRequired" });
    const at = new Date("2026-11-20T02:00:00Z");
    const nda1 = await acceptNda(buyer, roomId, at);
    expect(nda1).toMatchObject({ buyerAccepted: true, sellerAccepted: false, complete: false });
    // The seller side's own files stay closed to it too until the buyer side… and vice versa.
    await expect(openRoomAttachment(buyer, roomId, secret.attachment!.id)).rejects.toThrow(ForbiddenError);
    await expect(openRoomAttachment(seller, roomId, secret.attachment!.id)).rejects.toThrow(ForbiddenError);
    // A broker's acceptance is not a party's.
    await inviteBroker(buyer, roomId, { email: "broker2@agency.cn" });
    expect((await acceptNda(broker2, roomId)).complete).toBe(false);
    // Accepting twice records once.
    await acceptNda(buyer, roomId);

    const nda2 = await acceptNda(colleague, roomId, new Date("2026-11-20T03:00:00Z"));
    expect(nda2).toMatchObject({ buyerAccepted: true, sellerAccepted: true, complete: true });
    expect(nda2.acceptances.map((a) => [a.userId, a.side])).toEqual([
      [buyer.id, "buyer"],
      [broker2.id, "broker"],
      [colleague.id, "seller"],
    ]);
    expect(nda2.acceptances[0]!.at).toBe(at.toISOString());

    const file = await openRoomAttachment(buyer, roomId, secret.attachment!.id);
    expect(file).toMatchObject({ filename: "菌株配方.pdf", contentType: "application/pdf" });
    expect(await text(file.stream)).toContain("secret");

    const audit = await AuditEvent.find({ subjectType: "room", subject: roomId, action: "ndaAccepted" }).sort({ _id: 1 }).lean();
    expect(audit.map((a) => [String(a.actor), a.actorName])).toEqual([
      [buyer.id, buyer.name],
      [broker2.id, broker2.name],
      [colleague.id, colleague.name],
    ]);
    expect(audit[0]!.at.toISOString()).toBe(at.toISOString());
  });

  it("accepts PDFs and images by their bytes and refuses anything else, naming the field", async () => {
    const { roomId } = await room();
    const png = await postAttachment(buyer, roomId, { filename: "现场照片.exe", bytes: pngBytes(), confidential: false });
    expect(png.attachment).toMatchObject({ contentType: "image/png", filename: "现场照片.png" });
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    await expect(postAttachment(buyer, roomId, { filename: "报告.pdf", bytes: html, confidential: false })).rejects.toMatchObject({
      fieldErrors: { file: ["rooms.errors.fileType"] },
    });
    await expect(postAttachment(buyer, roomId, { filename: "空.pdf", bytes: new Uint8Array(), confidential: false })).rejects.toMatchObject(
      { fieldErrors: { file: ["rooms.errors.fileSize"] } },
    );
    const big = new Uint8Array(10 * 1024 * 1024 + 1);
    big.set(pdfBytes().subarray(0, 8));
    await expect(postAttachment(buyer, roomId, { filename: "大.pdf", bytes: big, confidential: false })).rejects.toMatchObject({
      fieldErrors: { file: ["rooms.errors.fileSize"] },
    });
    // A file id from another room is not this room's.
    const other = await room();
    await expect(openRoomAttachment(buyer, other.roomId, png.attachment!.id)).rejects.toThrow(NotFoundError);
  });
});

describe("members act by their role and read confidential files by their own acceptance", () => {
  it("refuses a confidential file to an invited broker and a colleague who never accepted the NDA, even once it is complete", async () => {
    const { roomId } = await room();
    const secret = await postAttachment(seller, roomId, { filename: "工艺参数.pdf", bytes: pdfBytes("secret"), confidential: true });
    await inviteBroker(buyer, roomId, { email: "broker@agency.cn" });
    await acceptNda(buyer, roomId);
    expect((await acceptNda(seller, roomId)).complete).toBe(true);
    expect(await text((await openRoomAttachment(buyer, roomId, secret.attachment!.id)).stream)).toContain("secret");
    for (const who of [broker, colleague]) {
      await expect(openRoomAttachment(who, roomId, secret.attachment!.id)).rejects.toMatchObject({ message: "rooms.errors.ndaRequired" });
    }
    await acceptNda(broker, roomId);
    expect(await text((await openRoomAttachment(broker, roomId, secret.attachment!.id)).stream)).toContain("secret");
  });

  it("drops a broker whose broker role was removed, and a seller-side member without the seller role (a buyer-only token)", async () => {
    const { roomId } = await room();
    await inviteBroker(buyer, roomId, { email: "broker2@agency.cn" });
    const exBroker = { ...broker2, roles: [] };
    const buyerToken = { ...seller, roles: ["buyer" as const] };
    const roleless = { ...colleague, roles: [] };
    const card = await proposeCard(buyer, roomId, { terms: terms() });
    for (const who of [exBroker, buyerToken, roleless]) {
      await expect(getRoom(who, roomId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(postMessage(who, roomId, { text: "还在吗" })).rejects.toBeInstanceOf(NotFoundError);
      await expect(roomHistory(who, roomId, { afterSeq: 0 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        respondToCard(who, roomId, { action: "counter", cardId: card.id, terms: terms({ price: "150000" }) }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(acceptNda(who, roomId)).rejects.toBeInstanceOf(NotFoundError);
      expect((await listMyRooms(who)).map((r) => r.id)).not.toContain(roomId);
    }
    await expect(openRoom(buyerToken, { from: "deal", dealId: "000000000000000000000000" })).rejects.toBeInstanceOf(NotFoundError);
    // With their roles they are members again.
    expect((await getRoom(broker2, roomId)).mySide).toBe("broker");
    expect((await getRoom(colleague, roomId)).mySide).toBe("seller");
    const counter = await respondToCard(seller, roomId, { action: "counter", cardId: card.id, terms: terms({ price: "150000" }) });
    expect(counter.counter).toMatchObject({ status: "open" });
  });
});

describe("brokers and unread counts", () => {
  it("invites only technology brokers, by email, who then see the room among theirs", async () => {
    const { roomId } = await room();
    await expect(inviteBroker(buyer, roomId, { email: "outsider@tea.cn" })).rejects.toMatchObject({
      fieldErrors: { email: ["rooms.errors.notABroker"] },
    });
    await expect(inviteBroker(buyer, roomId, { email: "nobody@nowhere.cn" })).rejects.toMatchObject({
      fieldErrors: { email: ["rooms.errors.notABroker"] },
    });
    await expect(inviteBroker(buyer, roomId, { email: "not an email" })).rejects.toMatchObject({
      fieldErrors: { email: ["rooms.errors.email"] },
    });
    expect((await listMyRooms(broker)).map((r) => r.id)).not.toContain(roomId);

    await inviteBroker(buyer, roomId, { email: " Broker@Agency.cn " });
    await expect(inviteBroker(seller, roomId, { email: "broker@agency.cn" })).rejects.toMatchObject({
      message: "rooms.errors.alreadyMember",
    });
    const mine = await listMyRooms(broker);
    expect(mine.find((r) => r.id === roomId)).toMatchObject({ mySide: "broker" });
    expect((await getRoom(broker, roomId)).brokers).toEqual([{ id: broker.id, name: broker.name }]);
    // Only the parties invite.
    await expect(inviteBroker(broker, roomId, { email: "broker2@agency.cn" })).rejects.toMatchObject({
      message: "rooms.errors.partiesInvite",
    });
  });

  it("counts unread messages by others since one's last read, newest room first", async () => {
    const a = await room();
    const b = await room();
    await markRead(seller, a.roomId, 1);
    await markRead(seller, b.roomId, 1);
    // One's own message counts as read (and reads everything before it).
    await postMessage(seller, a.roomId, { text: "我自己的不算" });
    await postMessage(buyer, a.roomId, { text: "一" });
    await postMessage(buyer, a.roomId, { text: "二" });
    await postMessage(buyer, b.roomId, { text: "三" });
    const rooms = await listMyRooms(seller);
    const ids = rooms.map((r) => r.id);
    expect(ids.indexOf(b.roomId)).toBeLessThan(ids.indexOf(a.roomId));
    expect(rooms.find((r) => r.id === a.roomId)).toMatchObject({ unread: 2, mySide: "seller", counterpart: "兴街镇三七种植专业合作社" });
    expect(rooms.find((r) => r.id === b.roomId)!.unread).toBe(1);
    // Reads are per person: the colleague has read nothing (opened, the seller's, the buyer's two).
    expect((await listMyRooms(colleague)).find((r) => r.id === a.roomId)!.unread).toBe(4);
    const total = await unreadRoomMessages(seller);

    const last = (await getRoom(seller, a.roomId)).lastSeq;
    expect(await markRead(seller, a.roomId, last)).toEqual({ seq: last });
    // Reads never move back, and never past the end.
    expect(await markRead(seller, a.roomId, 1)).toEqual({ seq: last });
    expect(await markRead(seller, a.roomId, 10_000)).toEqual({ seq: last });
    expect((await listMyRooms(seller)).find((r) => r.id === a.roomId)!.unread).toBe(0);
    expect(await unreadRoomMessages(seller)).toBe(total - 2);
    // The buyer wrote last: nothing unread for them.
    expect((await listMyRooms(buyer)).find((r) => r.id === a.roomId)!.unread).toBe(0);
  });
});
