import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Notification, type NotificationType } from "~/models/notification.server.ts";
import { Offer } from "~/models/offer.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import { MakeOfferApiSchema, offerFieldErrors, OfferFormSchema, type OfferTerms } from "~/schemas/offers.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { tradingSummary } from "~/services/trading/summary.server.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { acceptOffer, counterOffer, makeOffer, rejectOffer, withdrawOffer } from "~/services/trading/offers/commands.server.ts";
import { expireOffers } from "~/services/trading/offers/expiry.server.ts";
import { getOfferThread, listMyOffers } from "~/services/trading/offers/queries.server.ts";
import { getDeal, listDeals } from "~/services/trading/deals/queries.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { achievementContent, listingAt, person } from "../../seeds/trading-fixtures.ts";

/**
 * 报价/议价 against the real replica set: offers, counters and answers as a thread of versions,
 * the deal an accepted offer opens (closing the others), expiry on every read and action as well
 * as by the sweep, who may see a thread, and field-named errors.
 */

let seller: SessionUser, colleague: SessionUser, broker: SessionUser, outsider: SessionUser;
let b1: SessionUser, b2: SessionUser, b3: SessionUser;

beforeAll(async () => {
  seller = await person("seller@yaas.cn", ["seller"], "云南省农业科学院");
  colleague = await person("colleague@yaas.cn", ["seller"], "云南省农业科学院");
  broker = await person("broker@agency.cn", ["broker"], "文山州技术转移中心");
  outsider = await person("outsider@tea.cn", ["buyer"], "茶业公司");
  b1 = await person("b1@coop.cn", ["buyer"], "兴街镇三七合作社");
  b2 = await person("b2@food.cn", ["buyer"], "食品公司");
  b3 = await person("b3@eco.cn", ["buyer"], "生态科技");
});

const content = (over: Partial<AchievementDataInput> = {}): AchievementDataInput =>
  achievementContent({
    title: "高原特色茶叶加工工艺",
    summary: "低温萎凋与揉捻参数优化",
    description: "适用于山区茶园的加工工艺包。",
    field: "food-processing",
    keywords: ["茶叶", "加工"],
    ipType: "trade-secret",
    patentNumbers: [],
    transactionModes: ["license", "transfer"],
    price: { mode: "negotiable" },
    ...over,
  });

const tradingListing = (over: Partial<AchievementDataInput> = {}) => listingAt(seller, broker, "trading", content(over));

const terms = (yuan: number, over: Partial<OfferTerms> = {}): OfferTerms => ({
  amountFen: yuan * 100,
  transactionMode: "license",
  licenseExclusivity: "non-exclusive",
  message: "希望分期付款",
  ...over,
});

interface Notice {
  user: unknown;
  link?: string;
  params?: Record<string, string>;
}
const noticesOf = async (user: SessionUser, type: NotificationType, listing: string): Promise<Notice[]> =>
  (await Notification.find({ user: user.id, type, "subject.id": listing }).lean()) as Notice[];

describe("offer, counter, accept", () => {
  it("ends in a deal at the countered amount and terms, every step audited and told to the other side", async () => {
    const listing = await tradingListing();
    const first = await makeOffer(b1, listing, terms(100_000));
    expect(first).toMatchObject({ version: 1, by: "buyer", status: "open", amount: 10_000_000, thread: first.id });
    expect(await noticesOf(seller, "offer.received", listing)).toHaveLength(1);
    expect(await noticesOf(colleague, "offer.received", listing)).toHaveLength(1);

    // The seller side (a colleague in the owner organisation) counters with an exclusive licence.
    const counter = await counterOffer(colleague, first.id, terms(150_000, { licenseExclusivity: "exclusive", message: "独占许可价格" }));
    expect(counter).toMatchObject({ version: 2, by: "seller", thread: first.id, status: "open", licenseExclusivity: "exclusive" });
    expect((await Offer.findById(first.id).lean())!.status).toBe("countered");
    const toldBuyer = await noticesOf(b1, "offer.countered", listing);
    expect(toldBuyer).toHaveLength(1);
    expect(toldBuyer[0]!.link).toBe(`/offers/${first.id}`);

    // The countered version can no longer be answered; the buyer accepts the counter.
    await expect(acceptOffer(seller, first.id)).rejects.toThrow("offers.errors.status.countered");
    const { offer, dealId } = await acceptOffer(b1, counter.id);
    expect(offer.status).toBe("accepted");
    expect(offer.dealId).toBe(dealId);
    const deal = (await Deal.findById(dealId).lean())!;
    expect(deal).toMatchObject({
      source: "offer",
      terms: { price: 15_000_000, transactionMode: "license", licenseExclusivity: "exclusive" },
      buyer: { name: b1.name },
    });
    expect(String(deal.offer)).toBe(counter.id);
    expect((await Achievement.findById(listing).lean())!.status).toBe("deal");
    expect(await noticesOf(seller, "offer.accepted", listing)).toHaveLength(1);
    expect(await noticesOf(b1, "deal.created", listing)).toHaveLength(1);

    const trail = await AuditEvent.find({ subjectType: "offer", subject: { $in: [first.id, counter.id] } })
      .sort({ at: 1, _id: 1 })
      .lean();
    expect(trail.map((e) => [e.action, e.to, e.actorName])).toEqual([
      ["make", "open", b1.name],
      ["counter", "countered", colleague.name],
      ["make", "open", colleague.name],
      ["accept", "accepted", b1.name],
    ]);

    const thread = await getOfferThread(b1, first.id);
    expect(thread.versions.map((v) => [v.version, v.status])).toEqual([
      [1, "countered"],
      [2, "accepted"],
    ]);
    expect(thread).toMatchObject({ side: "buyer", dealId, actions: { accept: false, reject: false, counter: false, withdraw: false } });
  });

  it("lets only the answering side act, and only on the open version", async () => {
    const listing = await tradingListing();
    const o = await makeOffer(b1, listing, terms(80_000));
    await expect(acceptOffer(b1, o.id)).rejects.toSatisfy((e) => e instanceof ForbiddenError && e.message === "offers.errors.ownVersion");
    await expect(counterOffer(b1, o.id, terms(90_000))).rejects.toThrow("offers.errors.ownVersion");
    await expect(withdrawOffer(seller, o.id)).rejects.toThrow("offers.errors.notYours");
    // Strangers do not even learn it exists.
    await expect(acceptOffer(outsider, o.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(rejectOffer(broker, o.id)).rejects.toBeInstanceOf(NotFoundError);
    // One open negotiation per buyer and listing.
    await expect(makeOffer(b1, listing, terms(85_000))).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "offers.errors.alreadyOpen",
    );
    const seen = await getOfferThread(seller, o.id);
    expect(seen.actions).toEqual({ accept: true, reject: true, counter: true, withdraw: false });
    expect((await getOfferThread(b1, o.id)).actions).toEqual({ accept: false, reject: false, counter: false, withdraw: true });
  });

  it("refuses offers on one's own, fixed-price or not-trading listings", async () => {
    const listing = await tradingListing();
    const sellerBuyer = await person("sb@yaas.cn", ["seller", "buyer"], "云南省农业科学院");
    await expect(makeOffer(sellerBuyer, listing, terms(1))).rejects.toThrow("trading.ownListing");
    await expect(makeOffer(seller, listing, terms(1))).rejects.toThrow("trading.buyerRoleRequired");
    const fixed = await tradingListing({ price: { mode: "fixed", amount: 10_000_000 } });
    await expect(makeOffer(b1, fixed, terms(90_000))).rejects.toThrow("trading.notNegotiable");
    const draft = await createAchievement(seller, content());
    await expect(makeOffer(b1, draft, terms(90_000))).rejects.toBeInstanceOf(NotFoundError);
    expect(await Offer.countDocuments({ listing: { $in: [fixed, draft] } })).toBe(0);
  });
});

describe("accepting one offer", () => {
  it("closes every other open offer on the listing and tells their buyers", async () => {
    const listing = await tradingListing();
    const o1 = await makeOffer(b1, listing, terms(100_000));
    const o2 = await makeOffer(b2, listing, terms(120_000, { transactionMode: "transfer", licenseExclusivity: null }));
    const o3 = await makeOffer(b3, listing, terms(90_000));
    // The buyer b3 got a counter meanwhile: the open version is the seller's.
    const c3 = await counterOffer(seller, o3.id, terms(110_000));

    const before = await getOfferThread(seller, o2.id);
    expect(before.otherOpenOffers).toBe(2);
    expect((await tradingSummary(listing, seller))!.incomingOffers).toBe(3);

    const { dealId } = await acceptOffer(seller, o2.id);
    expect((await Deal.findById(dealId).lean())!).toMatchObject({
      source: "offer",
      terms: { price: 12_000_000, transactionMode: "transfer" },
    });
    expect((await Offer.findById(o1.id).lean())!).toMatchObject({ status: "closed", reason: "offers.reasons.soldToOther" });
    expect((await Offer.findById(c3.id).lean())!.status).toBe("closed");
    expect((await Offer.findById(o2.id).lean())!.status).toBe("accepted");
    for (const b of [b1, b3]) {
      const n = await noticesOf(b, "offer.closed", listing);
      expect(n).toHaveLength(1);
      expect(n[0]!.params).not.toHaveProperty("context");
    }
    expect(await noticesOf(b2, "offer.closed", listing)).toHaveLength(0);
    expect(await noticesOf(b2, "offer.accepted", listing)).toHaveLength(1);
    expect(await AuditEvent.countDocuments({ subjectType: "offer", subject: { $in: [o1.id, c3.id] }, action: "close" })).toBe(2);

    // Nothing more can happen on the listing.
    await expect(acceptOffer(b3, c3.id)).rejects.toThrow("offers.errors.status.closed");
    await expect(makeOffer(outsider, listing, terms(200_000))).rejects.toThrow("trading.alreadySold");
    const mine = await listMyOffers(b1);
    expect(mine.outgoing.find((t) => t.thread === o1.id)!.latest.status).toBe("closed");
  });

  it("opens one deal when the seller accepts two offers at the same moment", async () => {
    const listing = await tradingListing();
    // Exclusive licences: the first sells the listing (a non-exclusive licence would leave it trading).
    const o1 = await makeOffer(b1, listing, terms(100_000, { licenseExclusivity: "exclusive" }));
    const o2 = await makeOffer(b2, listing, terms(101_000, { licenseExclusivity: "exclusive" }));
    const results = await Promise.allSettled([acceptOffer(seller, o1.id), acceptOffer(colleague, o2.id)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    expect(failed.reason).toBeInstanceOf(ConflictError);
    expect(await Deal.countDocuments({ listing })).toBe(1);
    const statuses = (await Offer.find({ listing }).lean()).map((o) => o.status).sort();
    expect(statuses).toEqual(["accepted", "closed"]);
  });
});

describe("expiry", () => {
  it("refuses to accept an expired offer even before the sweep, and marks it expired", async () => {
    const listing = await tradingListing();
    const t0 = new Date();
    const o = await makeOffer(b1, listing, terms(100_000, { expiry: { days: 1 } }), { now: t0 });
    expect(new Date(o.expiresAt).getTime()).toBe(t0.getTime() + 86_400_000);
    const later = new Date(t0.getTime() + 2 * 86_400_000);
    await expect(acceptOffer(seller, o.id, { now: later })).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "offers.errors.status.expired",
    );
    expect((await Offer.findById(o.id).lean())!.status).toBe("expired");
    expect(await Deal.countDocuments({ listing })).toBe(0);
    expect((await Achievement.findById(listing).lean())!.status).toBe("trading");
    expect(await noticesOf(b1, "offer.expired", listing)).toHaveLength(1);
    expect(await noticesOf(seller, "offer.expired", listing)).toHaveLength(1);
    // An expired offer no longer blocks a new one from the same buyer.
    const again = await makeOffer(b1, listing, terms(105_000), { now: later });
    expect(again.version).toBe(1);
  });

  it("reads an offer past its expiry as expired, and the sweep closes it for good", async () => {
    const listing = await tradingListing();
    const t0 = new Date();
    const o = await makeOffer(b2, listing, terms(100_000, { expiry: { at: new Date(t0.getTime() + 3 * 3_600_000) } }), { now: t0 });
    const stillOpen = await makeOffer(b3, listing, terms(100_000, { expiry: { days: 30 } }), { now: t0 });
    const later = new Date(t0.getTime() + 4 * 3_600_000);
    const mine = await listMyOffers(seller, { now: later });
    expect(mine.incoming.find((t) => t.thread === o.id)!.latest.status).toBe("expired");

    const o4 = await makeOffer(b1, listing, terms(100_000, { expiry: { days: 1 } }), { now: t0 });
    const swept = await expireOffers(new Date(t0.getTime() + 2 * 86_400_000));
    expect(swept).toBeGreaterThanOrEqual(1);
    expect((await Offer.findById(o4.id).lean())!.status).toBe("expired");
    expect((await Offer.findById(stillOpen.id).lean())!.status).toBe("open");
    expect(await AuditEvent.countDocuments({ subjectType: "offer", subject: o4.id, action: "expire" })).toBe(1);
    // Running it again changes nothing.
    expect(await expireOffers(new Date(t0.getTime() + 2 * 86_400_000))).toBe(0);
    expect(await AuditEvent.countDocuments({ subjectType: "offer", subject: o4.id, action: "expire" })).toBe(1);
  });

  it("keeps expiries between an hour and 30 days", async () => {
    const listing = await tradingListing();
    const now = new Date();
    const tooSoon = await makeOffer(b1, listing, terms(1, { expiry: { at: new Date(now.getTime() + 10 * 60_000) } }), { now }).catch(
      (e) => e,
    );
    expect(tooSoon).toBeInstanceOf(ValidationError);
    expect(tooSoon.fieldErrors).toEqual({ expiresAt: ["offers.errors.expiryTooSoon"] });
    const tooFar = await makeOffer(b1, listing, terms(1, { expiry: { days: 31 } }), { now }).catch((e) => e);
    expect(tooFar.fieldErrors).toEqual({ expiresInDays: ["offers.errors.expiresInDays"] });
    const byDefault = await makeOffer(b1, listing, terms(1), { now });
    expect(new Date(byDefault.expiresAt).getTime()).toBe(now.getTime() + 7 * 86_400_000);
  });
});

describe("who sees an offer", () => {
  it("shows a thread to the buyer and the seller side only; anyone else gets a 404", async () => {
    const listing = await tradingListing();
    const o = await makeOffer(b1, listing, terms(70_000));
    expect((await getOfferThread(b1, o.id)).side).toBe("buyer");
    expect((await getOfferThread(seller, o.id)).side).toBe("seller");
    expect((await getOfferThread(colleague, o.id)).side).toBe("seller");
    for (const who of [outsider, broker, b2]) {
      await expect(getOfferThread(who, o.id)).rejects.toBeInstanceOf(NotFoundError);
    }
    await expect(getOfferThread(b1, "nonsense")).rejects.toBeInstanceOf(NotFoundError);
    expect((await listMyOffers(outsider)).outgoing.some((t) => t.thread === o.id)).toBe(false);
    expect((await listMyOffers(outsider)).incoming.some((t) => t.thread === o.id)).toBe(false);
    expect((await listMyOffers(seller)).incoming.some((t) => t.thread === o.id && t.awaitingMe)).toBe(true);
    expect((await listMyOffers(b1)).outgoing.some((t) => t.thread === o.id && !t.awaitingMe)).toBe(true);
    expect((await listMyOffers(b1)).incoming.some((t) => t.thread === o.id)).toBe(false);
  });
});

describe("the seller side acts by the seller role", () => {
  it("refuses a buyer-only token and a role-less colleague the organisation's offers and sales; the seller still answers", async () => {
    const listing = await tradingListing();
    const o = await makeOffer(b1, listing, terms(75_000));
    // A personal token limited to `buyer` acts as its user with that role only; a colleague whose
    // roles were all removed has none.
    const buyerToken = { ...seller, roles: ["buyer" as const] };
    const roleless = { ...colleague, roles: [] };
    for (const who of [buyerToken, roleless]) {
      expect((await listMyOffers(who)).incoming.some((t) => t.thread === o.id)).toBe(false);
      await expect(getOfferThread(who, o.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(counterOffer(who, o.id, terms(90_000))).rejects.toBeInstanceOf(NotFoundError);
      await expect(acceptOffer(who, o.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(rejectOffer(who, o.id)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await Offer.findById(o.id).lean())!.status).toBe("open");
    // Nor how many offers wait on the listing's panel.
    for (const who of [buyerToken, roleless]) expect((await tradingSummary(listing, who))!.incomingOffers).toBeNull();
    expect((await tradingSummary(listing, seller))!.incomingOffers).toBe(1);

    // The seller (with the role) still sees and answers it; the sale is theirs, not the others'.
    expect((await listMyOffers(seller)).incoming.some((t) => t.thread === o.id)).toBe(true);
    const countered = await counterOffer(seller, o.id, terms(90_000));
    const { dealId } = await acceptOffer(b1, countered.id);
    expect((await listDeals(seller)).map((d) => d.id)).toContain(dealId);
    expect((await listDeals(colleague)).map((d) => d.id)).toContain(dealId);
    for (const who of [buyerToken, roleless]) {
      expect((await listDeals(who)).map((d) => d.id)).not.toContain(dealId);
      await expect(getDeal(who, dealId)).rejects.toBeInstanceOf(NotFoundError);
    }
    // The buyer keeps their purchase whatever roles they hold now.
    expect((await listDeals({ ...b1, roles: [] })).map((d) => d.id)).toContain(dealId);
  });
});

describe("input", () => {
  it("names each bad field of an API offer", () => {
    const r = MakeOfferApiSchema.safeParse({
      listingId: "abc",
      amount: 12.345,
      transactionMode: "rent",
      message: "x".repeat(1001),
      expiresInDays: 31,
      price: 1,
    });
    expect(r.success).toBe(false);
    expect(offerFieldErrors(r.error!)).toEqual({
      listingId: ["offers.errors.listingId"],
      amount: ["offers.errors.amount"],
      transactionMode: ["offers.errors.transactionMode"],
      message: ["offers.errors.messageTooLong"],
      expiresInDays: ["offers.errors.expiresInDays"],
      price: ["offers.errors.unknownField"],
    });
    const both = MakeOfferApiSchema.safeParse({
      listingId: "a".repeat(24),
      amount: 1000,
      transactionMode: "license",
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      expiresInDays: 3,
    });
    expect(offerFieldErrors(both.error!)).toEqual({ expiresAt: ["offers.errors.expiryBoth"] });
    const ok = MakeOfferApiSchema.parse({ listingId: "a".repeat(24), amount: "1,234.5", transactionMode: "transfer" });
    expect(ok.terms).toMatchObject({ amountFen: 123_450, transactionMode: "transfer", expiry: null, message: "" });
    expect(MakeOfferApiSchema.safeParse({ listingId: "a".repeat(24), amount: 0.1 + 0.2, transactionMode: "transfer" }).success).toBe(false);
    expect(
      offerFieldErrors(MakeOfferApiSchema.safeParse({ listingId: "a".repeat(24), amount: -5, transactionMode: "transfer" }).error!),
    ).toEqual({
      amount: ["offers.errors.amountPositive"],
    });
    expect(
      offerFieldErrors(MakeOfferApiSchema.safeParse({ listingId: "a".repeat(24), amount: 1e11, transactionMode: "transfer" }).error!),
    ).toEqual({
      amount: ["offers.errors.amountTooLarge"],
    });
  });

  it("reads the form's chosen expiry only, China time for a date-time", () => {
    const days = OfferFormSchema.parse({
      amount: "5000",
      transactionMode: "transfer",
      expiryKind: "days",
      expiresInDays: "3",
      expiresAt: "garbage",
    });
    expect(days.expiry).toEqual({ days: 3 });
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 16);
    const date = OfferFormSchema.parse({
      amount: "5000",
      transactionMode: "transfer",
      expiryKind: "date",
      expiresInDays: "99",
      expiresAt: inTwoDays,
    });
    expect((date.expiry as { at: Date }).at.toISOString().slice(0, 16)).toBe(new Date(`${inTwoDays}+08:00`).toISOString().slice(0, 16));
    const missing = OfferFormSchema.safeParse({ amount: "5000", transactionMode: "transfer", expiryKind: "date" });
    expect(offerFieldErrors(missing.error!)).toEqual({ expiresAt: ["offers.errors.expiresAtRequired"] });
  });

  it("checks the terms against the listing and names the field", async () => {
    const listing = await tradingListing();
    const e = await makeOffer(b2, listing, terms(100, { transactionMode: "equity", message: "x".repeat(1001) })).catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.fieldErrors).toEqual({ transactionMode: ["trading.modeNotOffered"], message: ["offers.errors.messageTooLong"] });
    const kind = await makeOffer(b2, listing, terms(100, { licenseExclusivity: null })).catch((x) => x);
    expect(kind.fieldErrors).toEqual({ licenseExclusivity: ["trading.exclusivityRequired"] });
    expect(await Offer.countDocuments({ listing })).toBe(0);
  });
});

describe("withdrawing and rejecting", () => {
  it("lets the buyer withdraw their open offer, after which it cannot be accepted", async () => {
    const listing = await tradingListing();
    const o = await makeOffer(b1, listing, terms(60_000));
    const w = await withdrawOffer(b1, o.id);
    expect(w.status).toBe("withdrawn");
    await expect(acceptOffer(seller, o.id)).rejects.toThrow("offers.errors.status.withdrawn");
    await expect(withdrawOffer(b1, o.id)).rejects.toThrow("offers.errors.status.withdrawn");
    const told = await noticesOf(seller, "offer.closed", listing);
    expect(told).toHaveLength(1);
    expect(told[0]!.params).toMatchObject({ context: "withdrawn" });
    expect(await AuditEvent.countDocuments({ subjectType: "offer", subject: o.id, action: "withdraw", to: "withdrawn" })).toBe(1);
    expect((await tradingSummary(listing, b1))!).toMatchObject({ myOpenOffer: null, canOffer: true });
  });

  it("lets the seller side reject with a reason the buyer reads", async () => {
    const listing = await tradingListing();
    const o = await makeOffer(b2, listing, terms(30_000));
    const long = await rejectOffer(seller, o.id, { reason: "太".repeat(1001) }).catch((e) => e);
    expect(long).toBeInstanceOf(ValidationError);
    expect(long.fieldErrors).toEqual({ reason: ["offers.errors.reasonTooLong"] });
    const r = await rejectOffer(seller, o.id, { reason: "  价格低于评估值  " });
    expect(r).toMatchObject({ status: "rejected", reason: "价格低于评估值", respondedByName: seller.name });
    const told = await noticesOf(b2, "offer.rejected", listing);
    expect(told).toHaveLength(1);
    expect(told[0]!.params).toMatchObject({ reason: "价格低于评估值", amount: "¥30,000" });
    await expect(counterOffer(seller, o.id, terms(40_000))).rejects.toThrow("offers.errors.status.rejected");
    // The buyer may start again.
    expect((await makeOffer(b2, listing, terms(45_000))).status).toBe("open");
  });

  it("lets the buyer reject a counter without a reason", async () => {
    const listing = await tradingListing();
    const o = await makeOffer(b3, listing, terms(30_000));
    const c = await counterOffer(seller, o.id, terms(50_000));
    const r = await rejectOffer(b3, c.id);
    expect(r).toMatchObject({ status: "rejected", reason: null, by: "seller" });
    expect(await noticesOf(seller, "offer.rejected", listing)).toHaveLength(1);
  });
});
