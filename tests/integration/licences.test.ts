import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Offer } from "~/models/offer.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { getListing } from "~/services/listings/queries.server.ts";
import type { AchievementView } from "~/services/listings/views.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { getRoom } from "~/services/rooms/queries.server.ts";
import { createAuction } from "~/services/trading/auctions/create.server.ts";
import { buyNowQuote } from "~/services/trading/buy-now.server.ts";
import { acceptOffer, makeOffer } from "~/services/trading/offers/commands.server.ts";
import { ConflictError, ValidationError } from "~/utils/errors.ts";
import { achievementContent, auctionInput, listingAt, person, buyNowDeal } from "../../seeds/trading-fixtures.ts";

/**
 * Issue 13, point 5: a price per transaction mode and licence kind (分项挂牌价), and a
 * non-exclusive licence (普通许可) that leaves the listing trading for other licensees while a
 * transfer or an exclusive or sole licence ends it — through buy-now, offers and deal-room cards.
 */

let seller: SessionUser, broker: SessionUser;
const buyers: SessionUser[] = [];

beforeAll(async () => {
  seller = await person("seller@wsu.cn", ["seller"], "文山学院", "university");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  for (let i = 1; i <= 5; i++) buyers.push(await person(`licensee${i}@coop${i}.cn`, ["buyer"], `三七合作社${i}`));
});

/** 转让 ¥300,000 · 独占许可 ¥200,000 · 普通许可 ¥50,000; 排他许可 offered without a price (面议). */
const priced = (over: Partial<AchievementDataInput> = {}): AchievementDataInput =>
  achievementContent({
    title: `三七根腐病生防菌剂 ${Math.random().toString(36).slice(2, 7)}`,
    transactionModes: ["transfer", "license"],
    licenseExclusivity: ["exclusive", "sole", "non-exclusive"],
    price: { mode: "fixed" },
    prices: [
      { transactionMode: "transfer", amount: 300_000_00 },
      { transactionMode: "license", licenseExclusivity: "exclusive", amount: 200_000_00 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 50_000_00 },
    ],
    ...over,
  });

const trading = (over: Partial<AchievementDataInput> = {}) => listingAt(seller, broker, "trading", priced(over));

const nonExclusive = { expectedAmountFen: 50_000_00, transactionMode: "license" as const, licenseExclusivity: "non-exclusive" as const };
const exclusive = { expectedAmountFen: 200_000_00, transactionMode: "license" as const, licenseExclusivity: "exclusive" as const };
const transfer = { expectedAmountFen: 300_000_00, transactionMode: "transfer" as const };

const statusOf = async (id: string) => (await Achievement.findById(id).lean())!.status;
const conflict = (message: string) => (e: unknown) => e instanceof ConflictError && e.message === message;

describe("a price per mode and licence kind", () => {
  it("is stored in display order, read back with 面议 for the options without one, and the lowest is the listing's price", async () => {
    const id = await createAchievement(seller, priced());
    const item = (await getListing(seller, "achievement", id)).item as AchievementView;
    expect(item.prices).toEqual([
      { transactionMode: "transfer", licenseExclusivity: null, amount: 300_000_00 },
      { transactionMode: "license", licenseExclusivity: "exclusive", amount: 200_000_00 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 50_000_00 },
    ]);
    expect(item.price).toMatchObject({ mode: "fixed", amount: 50_000_00 });
  });

  it("refuses prices for a mode or licence kind not offered, twice the same, or on a listing that is not fixed-price, naming the entry", async () => {
    const err = await createAchievement(
      seller,
      priced({
        transactionModes: ["license"],
        licenseExclusivity: ["non-exclusive"],
        prices: [
          { transactionMode: "transfer", amount: 300_000_00 },
          { transactionMode: "license", licenseExclusivity: "exclusive", amount: 200_000_00 },
          { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 0 },
        ],
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toMatchObject({
      "prices.0.transactionMode": ["prices.errors.modeNotOffered"],
      "prices.1.licenseExclusivity": ["prices.errors.exclusivityNotOffered"],
      "prices.2.amount": ["prices.errors.positive"],
    });
    const negotiable = await createAchievement(seller, priced({ price: { mode: "negotiable" } })).catch((e: unknown) => e);
    expect((negotiable as ValidationError).fieldErrors).toMatchObject({ prices: ["prices.errors.onlyFixed"] });
    expect(await Achievement.countDocuments({ "prices.amount": 0 })).toBe(0);
  });

  it("reads a listing from before per-mode prices (one price) as that price for every option it offers", async () => {
    const id = await trading({ prices: [], price: { mode: "fixed", amount: 80_000_00 } });
    await Achievement.collection.updateOne({ _id: (await Achievement.findById(id))!._id }, { $unset: { prices: "" } });
    const quote = await buyNowQuote(buyers[0]!, id);
    expect(quote.options.map((o) => [o.key, o.amount])).toEqual([
      ["transfer", 80_000_00],
      ["license.exclusive", 80_000_00],
      ["license.sole", 80_000_00],
      ["license.non-exclusive", 80_000_00],
    ]);
    const dealId = await buyNowDeal(buyers[0]!, id, { ...nonExclusive, expectedAmountFen: 80_000_00 });
    expect((await Deal.findById(dealId).lean())!.terms.price).toBe(80_000_00);
  });
});

describe("buy-now by licence kind", () => {
  it("sells a non-exclusive licence to two buyers at its price, two deals, the listing still trading", async () => {
    const id = await trading();
    const first = await buyNowDeal(buyers[0]!, id, nonExclusive);
    expect(await statusOf(id)).toBe("trading");
    const second = await buyNowDeal(buyers[1]!, id, nonExclusive);
    expect(await statusOf(id)).toBe("trading");
    const deals = await Deal.find({ listing: id }).sort({ createdAt: 1 }).lean();
    expect(deals.map((d) => String(d._id))).toEqual([first, second]);
    for (const d of deals) {
      expect(d).toMatchObject({
        status: "open",
        endsTrading: false,
        terms: { price: 50_000_00, transactionMode: "license", licenseExclusivity: "non-exclusive" },
      });
    }
    expect((await Achievement.findById(id).lean())!.nonExclusiveLicences).toBe(2);
    // The same buyer does not take the same licence twice; the quote says so.
    await expect(buyNowDeal(buyers[0]!, id, nonExclusive)).rejects.toSatisfy(conflict("trading.licenceHeld"));
    expect((await buyNowQuote(buyers[0]!, id)).options.find((o) => o.key === "license.non-exclusive")!.unavailable).toBe(
      "trading.licenceHeld",
    );
    // Each option at its own price: the non-exclusive price does not buy an exclusive licence.
    await expect(buyNowDeal(buyers[2]!, id, { ...exclusive, expectedAmountFen: 50_000_00 })).rejects.toSatisfy(
      conflict("trading.priceChanged"),
    );
    // 排他许可 is offered without a price: 面议, not bought outright.
    const sole = await buyNowDeal(buyers[2]!, id, { ...exclusive, licenseExclusivity: "sole" }).catch((e: unknown) => e);
    expect((sole as ValidationError).fieldErrors).toEqual({ licenseExclusivity: ["trading.optionNotPriced"] });
  });

  it("refuses an exclusive licence over the non-exclusive licensees, but a transfer ends trading and no deal follows", async () => {
    const id = await trading();
    await buyNowDeal(buyers[0]!, id, nonExclusive);
    await expect(buyNowDeal(buyers[1]!, id, exclusive)).rejects.toSatisfy(conflict("trading.licenseesExist"));
    const sold = await buyNowDeal(buyers[1]!, id, transfer);
    expect(await statusOf(id)).toBe("deal");
    expect((await Deal.findById(sold).lean())!.endsTrading).toBe(true);
    await expect(buyNowDeal(buyers[2]!, id, nonExclusive)).rejects.toSatisfy(conflict("trading.alreadySold"));
    expect(await Deal.countDocuments({ listing: id })).toBe(2);
  });

  it("ends trading with an exclusive licence: no further licence or transfer", async () => {
    const id = await trading();
    await buyNowDeal(buyers[0]!, id, exclusive);
    expect(await statusOf(id)).toBe("deal");
    await expect(buyNowDeal(buyers[1]!, id, nonExclusive)).rejects.toSatisfy(conflict("trading.alreadySold"));
    await expect(buyNowDeal(buyers[1]!, id, transfer)).rejects.toSatisfy(conflict("trading.alreadySold"));
    expect((await buyNowQuote(buyers[1]!, id)).problem).toBe("trading.alreadySold");
    expect(await Deal.countDocuments({ listing: id })).toBe(1);
  });

  it("grants five non-exclusive licences bought at the same moment, and counts them", async () => {
    const id = await trading();
    const results = await Promise.allSettled(buyers.map((b) => buyNowDeal(b, id, nonExclusive)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    expect(await Deal.countDocuments({ listing: id, status: "open" })).toBe(5);
    expect((await Achievement.findById(id).lean())!).toMatchObject({ status: "trading", nonExclusiveLicences: 5 });
  });

  it("sells the listing once when a transfer and licences are bought at the same moment, never a licence after the transfer", async () => {
    const id = await trading();
    const results = await Promise.allSettled([
      buyNowDeal(buyers[0]!, id, transfer),
      ...buyers.slice(1).map((b) => buyNowDeal(b, id, nonExclusive)),
    ]);
    expect(results[0]!.status).toBe("fulfilled");
    const deals = await Deal.find({ listing: id }).lean();
    const sale = deals.find((d) => d.endsTrading)!;
    expect(deals.filter((d) => d.endsTrading)).toHaveLength(1);
    for (const d of deals.filter((x) => !x.endsTrading)) expect(d.createdAt!.getTime()).toBeLessThanOrEqual(sale.createdAt!.getTime());
    expect((await Achievement.findById(id).lean())!).toMatchObject({
      status: "deal",
      nonExclusiveLicences: deals.length - 1,
    });
  });
});

describe("offers and cards by licence kind", () => {
  it("accepting a non-exclusive licence offer leaves the other buyers' offers open and the listing trading", async () => {
    const id = await trading({ price: { mode: "negotiable" }, prices: [] });
    const terms = (yuan: number, licenseExclusivity: "exclusive" | "non-exclusive") => ({
      amountFen: yuan * 100,
      transactionMode: "license" as const,
      licenseExclusivity,
      message: "",
      expiry: null,
    });
    const mine = await makeOffer(buyers[0]!, id, terms(40_000, "non-exclusive"));
    const theirs = await makeOffer(buyers[1]!, id, terms(150_000, "exclusive"));
    await acceptOffer(seller, mine.id);
    expect(await statusOf(id)).toBe("trading");
    expect((await Offer.findById(theirs.id).lean())!.status).toBe("open");
    // An exclusive licence over a licensee is refused; the offer stays open for the seller to answer.
    await expect(acceptOffer(seller, theirs.id)).rejects.toSatisfy(conflict("trading.licenseesExist"));
    expect((await Offer.findById(theirs.id).lean())!.status).toBe("open");
    // A new offer for one is refused up front, naming the field.
    const late = await makeOffer(buyers[2]!, id, terms(160_000, "exclusive")).catch((e: unknown) => e);
    expect((late as ValidationError).fieldErrors).toEqual({ licenseExclusivity: ["trading.licenseesExist"] });
  });

  it("a non-exclusive licence agreed in one room closes that room only; other rooms take cards and licences until a transfer ends it", async () => {
    const id = await trading({ price: { mode: "negotiable" }, prices: [] });
    const [a, b, c] = buyers;
    const roomA = await openRoom(a!, { from: "listing", listingId: id });
    const roomB = await openRoom(b!, { from: "listing", listingId: id });
    const roomC = await openRoom(c!, { from: "listing", listingId: id });
    const card = (price: string, transactionMode: "license" | "transfer", licenseExclusivity: "" | "non-exclusive") => ({
      terms: { price, transactionMode, licenseExclusivity, milestones: [] },
    });
    // Room C has a card waiting when room A's licence is agreed: it stays open.
    const waiting = await proposeCard(c!, roomC, card("60000", "license", "non-exclusive"));
    const inA = await proposeCard(a!, roomA, card("45000", "license", "non-exclusive"));
    const { dealId } = await respondToCard(seller, roomA, { action: "accept", cardId: inA.id });
    expect(await statusOf(id)).toBe("trading");

    // Room A shows its deal's terms and takes no new card.
    expect(await getRoom(a!, roomA)).toMatchObject({
      dealId,
      agreedTerms: { price: 45_000_00, transactionMode: "license", licenseExclusivity: "non-exclusive" },
      cardsClosed: { reason: "rooms.errors.licenceMade" },
    });
    await expect(proposeCard(seller, roomA, card("300000", "transfer", ""))).rejects.toSatisfy(conflict("rooms.errors.licenceMade"));

    // Room B takes a card and a second licence; room C's waiting card can still be accepted.
    expect((await getRoom(b!, roomB)).cardsClosed).toBeNull();
    const inB = await proposeCard(b!, roomB, card("50000", "license", "non-exclusive"));
    await respondToCard(seller, roomB, { action: "accept", cardId: inB.id });
    expect((await getRoom(c!, roomC)).openCard).toMatchObject({ id: waiting.id });
    await respondToCard(seller, roomC, { action: "reject", cardId: waiting.id });

    // A transfer in room C ends trading: every room, A and B too, is closed to cards for good.
    const sale = await proposeCard(c!, roomC, card("300000", "transfer", ""));
    await respondToCard(seller, roomC, { action: "accept", cardId: sale.id });
    expect(await statusOf(id)).toBe("deal");
    for (const [who, room] of [
      [a!, roomA],
      [b!, roomB],
      [c!, roomC],
    ] as const) {
      expect((await getRoom(who, room)).cardsClosed).toMatchObject({ reason: "rooms.errors.dealMade" });
    }
    expect(await Deal.countDocuments({ listing: id, status: "open" })).toBe(3);
  });
});

describe("auctions", () => {
  it("refuses to auction an exclusive licence once non-exclusive licences are granted", async () => {
    const id = await listingAt(seller, broker, "trading", priced({ price: { mode: "auction", amount: 100_000_00 }, prices: [] }));
    await Achievement.updateOne({ _id: id }, { $set: { nonExclusiveLicences: 1 } });
    const err = await createAuction(broker, id, auctionInput({ transactionMode: "license", licenseExclusivity: "exclusive" })).catch(
      (e: unknown) => e,
    );
    expect((err as ValidationError).fieldErrors).toEqual({ licenseExclusivity: ["trading.licenseesExist"] });
  });
});
