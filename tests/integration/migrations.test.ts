import mongoose, { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { dealTerms } from "../../server/migrations/001-deal-terms.ts";
import { listingPrices } from "../../server/migrations/002-listing-prices.ts";
import { dealRefundKinds } from "../../server/migrations/004-deal-refund-kinds.ts";
import { mailClaimIndex } from "../../server/migrations/005-mail-claim-index.ts";
import { MIGRATIONS, migrate } from "../../server/migrations/index.ts";
import { MIGRATIONS_COLLECTION, pendingMigrations } from "../../server/migrations/runner.ts";

/**
 * Data migrations on the raw collections: the deal-terms migration (decision 009) converts every
 * old-shape deal — one per source, and a negotiated one with `agreedTerms` — and a second run
 * changes nothing; the runner records what it applied and runs it once.
 */
const db = () => mongoose.connection.db!;
const party = (name: string) => ({ user: new Types.ObjectId(), name, organization: new Types.ObjectId(), organizationName: name });
const created = new Date("2026-10-01T08:00:00Z");

function oldDeal(over: Record<string, unknown>) {
  return {
    _id: new Types.ObjectId(),
    listing: new Types.ObjectId(),
    listingTitle: "旧成交",
    seller: party("卖方"),
    buyer: party("买方"),
    status: "open",
    createdAt: created,
    updatedAt: created,
    ...over,
  };
}

describe("001-deal-terms", () => {
  it("converts old deals of every source to full terms + termsSource, and a second run changes nothing", async () => {
    const offer = new Types.ObjectId();
    const auction = new Types.ObjectId();
    const card = new Types.ObjectId();
    const room = new Types.ObjectId();
    const acceptedAt = new Date("2026-10-02T09:00:00Z");
    const deals = [
      oldDeal({
        source: "buy-now",
        price: { amount: 38_000_000, currency: "CNY" },
        terms: { transactionMode: "license", licenseExclusivity: "exclusive" },
      }),
      oldDeal({ source: "offer", offer, price: { amount: 12_000_000, currency: "CNY" }, terms: { transactionMode: "transfer" } }),
      oldDeal({
        source: "auction",
        auction,
        price: { amount: 10_200_000, currency: "CNY" },
        terms: { transactionMode: "license" },
        deposit: { payment: new Types.ObjectId(), amount: 1_000_000 },
      }),
      oldDeal({
        source: "negotiation",
        price: { amount: 15_000_000, currency: "CNY" },
        terms: { transactionMode: "license", licenseExclusivity: "exclusive" },
        agreedTerms: {
          card,
          room,
          acceptedAt,
          terms: {
            price: 15_000_000,
            currency: "CNY",
            transactionMode: "license",
            licenseExclusivity: "exclusive",
            territory: "中国大陆",
            termMonths: 36,
            royaltyPercent: 3,
            milestones: [{ title: "签约首付", amount: 4_000_000, dueInDays: 10 }],
          },
        },
      }),
    ];
    const col = db().collection("deals");
    await col.insertMany(deals);

    await dealTerms.up(db());
    const byId = async (i: number) => (await col.findOne({ _id: deals[i]!._id }))!;

    const buy = await byId(0);
    expect(buy.terms).toEqual({
      price: 38_000_000,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      milestones: [],
    });
    expect(buy.termsSource).toEqual({ kind: "buy-now", acceptedAt: created });
    const fromOffer = await byId(1);
    expect(fromOffer.terms).toEqual({ price: 12_000_000, currency: "CNY", transactionMode: "transfer", milestones: [] });
    expect(fromOffer.termsSource).toEqual({ kind: "offer", offer, acceptedAt: created });
    const fromAuction = await byId(2);
    // A licence stored without an exclusivity was non-exclusive (what openDeal defaulted to).
    expect(fromAuction.terms).toEqual({
      price: 10_200_000,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "non-exclusive",
      milestones: [],
    });
    expect(fromAuction.termsSource).toEqual({ kind: "auction", auction, acceptedAt: created });
    expect(fromAuction.deposit).toMatchObject({ amount: 1_000_000 });
    const negotiated = await byId(3);
    expect(negotiated.terms).toEqual({
      price: 15_000_000,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      territory: "中国大陆",
      termMonths: 36,
      royaltyPercent: 3,
      milestones: [{ title: "签约首付", amount: 4_000_000, dueInDays: 10 }],
    });
    expect(negotiated.termsSource).toEqual({ kind: "negotiation", card, room, acceptedAt });
    for (const d of [buy, fromOffer, fromAuction, negotiated]) {
      expect(d).not.toHaveProperty("price");
      expect(d).not.toHaveProperty("agreedTerms");
      expect(d.source).toBeDefined();
    }

    const before = await col.find({}).sort({ _id: 1 }).toArray();
    await dealTerms.up(db());
    expect(await col.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it("is run once by the runner and recorded in the migrations collection", async () => {
    await db().collection(MIGRATIONS_COLLECTION).deleteMany({});
    expect((await pendingMigrations(db(), MIGRATIONS)).map((m) => m.id)).toContain("001-deal-terms");
    expect(await migrate(db())).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await migrate(db())).toEqual([]);
    const record = await db()
      .collection(MIGRATIONS_COLLECTION)
      .findOne({ _id: "001-deal-terms" as never });
    expect(record).toMatchObject({ description: dealTerms.description, appliedAt: expect.any(Date) });
  });
});

describe("002-listing-prices", () => {
  it("gives old fixed-price achievements their one price per offered option, marks old deals as sales and drops the old one-deal index", async () => {
    const achievements = db().collection("achievements");
    const fixed = new Types.ObjectId();
    const negotiable = new Types.ObjectId();
    const priced = new Types.ObjectId();
    const keep = [{ transactionMode: "transfer", amount: 1_000 }];
    await achievements.insertMany([
      {
        _id: fixed,
        title: "旧挂牌",
        transactionModes: ["license", "transfer"],
        licenseExclusivity: ["non-exclusive", "exclusive"],
        price: { mode: "fixed", amount: 80_000_00, currency: "CNY" },
      },
      { _id: negotiable, title: "旧面议", transactionModes: ["transfer"], price: { mode: "negotiable" } },
      { _id: priced, title: "已分项", transactionModes: ["transfer"], price: { mode: "fixed", amount: 1_000 }, prices: keep },
    ]);
    const deals = db().collection("deals");
    const deal = oldDeal({ source: "buy-now", terms: { price: 1, transactionMode: "license", licenseExclusivity: "non-exclusive" } });
    await deals.insertOne(deal);
    await deals.createIndex({ listing: 1 }, { name: "listing_1", unique: true, partialFilterExpression: { status: "open" } });

    await listingPrices.up(db());
    expect((await achievements.findOne({ _id: fixed }))!.prices).toEqual([
      { transactionMode: "transfer", amount: 80_000_00 },
      { transactionMode: "license", licenseExclusivity: "exclusive", amount: 80_000_00 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 80_000_00 },
    ]);
    expect(await achievements.findOne({ _id: negotiable })).not.toHaveProperty("prices");
    expect((await achievements.findOne({ _id: priced }))!.prices).toEqual(keep);
    // Every old deal ended its listing's trading, a non-exclusive licence too (its listing is in `deal`).
    expect((await deals.findOne({ _id: deal._id }))!.endsTrading).toBe(true);
    expect((await deals.indexes()).map((i) => i.name)).not.toContain("listing_1");

    const before = await achievements.find({}).sort({ _id: 1 }).toArray();
    await listingPrices.up(db());
    expect(await achievements.find({}).sort({ _id: 1 }).toArray()).toEqual(before);
  });
});

describe("004-deal-refund-kinds", () => {
  it("marks the refunds made before as cancellation refunds and lets a receipt have one of each kind", async () => {
    const refunds = db().collection("dealrefunds");
    // The shape before: no kind, a unique index on the receipt alone.
    await refunds.drop().catch(() => undefined);
    await refunds.createIndex({ receipt: 1 }, { unique: true, name: "receipt_1" });
    const receipt = new Types.ObjectId();
    const deal = new Types.ObjectId();
    const refund = (over: Record<string, unknown> = {}) => ({
      deal,
      stageNumber: 1,
      receipt,
      via: "bank",
      amount: 100_00,
      buyer: "b",
      status: "due",
      ...over,
    });
    await refunds.insertOne(refund());
    await dealRefundKinds.up(db());
    await dealRefundKinds.up(db()); // a second run changes nothing
    expect(await refunds.findOne({ receipt })).toMatchObject({ kind: "cancellation" });
    expect((await refunds.indexes()).map((i) => i.name)).not.toContain("receipt_1");
    // The model's index (receipt, kind): an excess refund of the same receipt fits beside it, a second cancellation does not.
    await refunds.createIndex({ receipt: 1, kind: 1 }, { unique: true });
    await refunds.insertOne(refund({ kind: "excess" }));
    await expect(refunds.insertOne(refund({ kind: "cancellation" }))).rejects.toMatchObject({ code: 11000 });
  });
});

describe("005-mail-claim-index", () => {
  it("drops the queue's old (status, dueAt) index, whose order could not serve the claim, and keeps the mails", async () => {
    const mails = db().collection("outgoingmails");
    await mails.createIndex({ status: 1, dueAt: 1 }, { name: "status_1_dueAt_1" });
    await mails.insertOne({ to: "m@005.cn", subject: "s", text: "t", kind: "notification", status: "queued", dueAt: new Date() });
    await mailClaimIndex.up(db());
    await mailClaimIndex.up(db()); // a second run changes nothing
    expect((await mails.indexes()).map((i) => i.name)).not.toContain("status_1_dueAt_1");
    expect(await mails.countDocuments({ to: "m@005.cn" })).toBe(1);
  });
});
