import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Notification } from "~/models/notification.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { buyNowQuote } from "~/services/trading/buy-now.server.ts";
import { tradingSummary } from "~/services/trading/summary.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import type { Role } from "~/utils/permissions.ts";
import { achievementContent, buyNowDeal, listingAt, person as fixturePerson } from "../../seeds/trading-fixtures.ts";

/**
 * 挂牌 buy-now against the real replica set: a listing is sold exactly once however many buyers
 * press the button together; a price changed meanwhile, one's own listing, and a listing not in
 * trading are refused with a clear error and nothing stored.
 */

const person = (email: string, roles: Role[], org: string | null) => fixturePerson(email, roles, org, "institute");

let seller: SessionUser, colleague: SessionUser, broker: SessionUser, sellerOnly: SessionUser;
const buyers: SessionUser[] = [];

beforeAll(async () => {
  seller = await person("seller@sanqi.cn", ["seller"], "文山三七研究院");
  colleague = await person("colleague@sanqi.cn", ["seller", "buyer"], "文山三七研究院");
  broker = await person("broker@agency.cn", ["broker"], "文山州技术转移中心");
  sellerOnly = await person("other-seller@uni.cn", ["seller"], "某大学");
  for (let i = 1; i <= 4; i++) buyers.push(await person(`buyer${i}@coop${i}.cn`, ["buyer"], `兴街镇合作社${i}`));
});

const content = (over: Partial<AchievementDataInput> = {}): AchievementDataInput =>
  achievementContent({
    title: "三七根腐病生物防治菌剂",
    summary: "拮抗菌复配菌剂，田间防效 72%",
    keywords: ["三七", "根腐病"],
    trl: 6,
    transactionModes: ["license", "transfer"],
    price: { mode: "fixed", amount: 38_000_000 },
    ...over,
  });

/** An achievement of the seller's institute at a stage of the workflow (trading by default). */
const tradingListing = (over: Partial<AchievementDataInput> = {}, stage: "trading" | "published" | "draft" = "trading") =>
  listingAt(seller, broker, stage, content(over));

const confirm = { expectedAmountFen: 38_000_000, transactionMode: "license" as const, licenseExclusivity: "exclusive" as const };

describe("buy-now", () => {
  it("sells a listing exactly once when four buyers confirm at the same moment", async () => {
    const id = await tradingListing();
    const results = await Promise.allSettled(buyers.map((b) => buyNowDeal(b, id, confirm)));
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(3);
    for (const r of lost) {
      expect(r.reason).toBeInstanceOf(ConflictError);
      expect((r.reason as ConflictError).message).toBe("trading.alreadySold");
    }
    expect(await Deal.countDocuments({ listing: id })).toBe(1);
    expect((await Achievement.findById(id).lean())!.status).toBe("deal");

    const dealId = (won[0] as PromiseFulfilledResult<string>).value;
    const deal = (await Deal.findById(dealId).lean())!;
    const winner = buyers.find((b) => String(deal.buyer.user) === b.id)!;
    expect(deal).toMatchObject({
      source: "buy-now",
      status: "open",
      terms: { price: 38_000_000, currency: "CNY", transactionMode: "license", licenseExclusivity: "exclusive" },
      seller: { name: "文山三七研究院" },
      buyer: { name: winner.name, organizationName: winner.organization!.name },
    });
    // The listing moved once, by the platform, in the same commit as the deal.
    expect(await AuditEvent.countDocuments({ subjectType: "achievement", subject: id, action: "closeDeal" })).toBe(1);
    expect(await AuditEvent.countDocuments({ subjectType: "deal", subject: dealId, action: "open:buy-now" })).toBe(1);
    // Both sides hear about it (the seller side: the author and the organisation's sellers); the losers do not.
    const told = await Notification.find({ type: "deal.created", "subject.id": id }).lean();
    expect(told.map((n) => String(n.user)).sort()).toEqual([winner.id, seller.id, colleague.id].sort());
    expect(told[0]!.link).toBe(`/deals/${dealId}`);

    // Afterwards the page says it is sold, and nobody can buy it any more.
    const panel = await tradingSummary(id, buyers[0]!);
    expect(panel).toMatchObject({ state: "sold", canBuy: false });
    await expect(buyNowDeal(buyers[0]!, id, confirm)).rejects.toThrow("trading.alreadySold");
    expect((await buyNowQuote(buyers[0]!, id)).problem).toBe("trading.alreadySold");
  });

  it("refuses when the price changed after the buyer saw it, and stores nothing", async () => {
    const id = await tradingListing();
    // The price the buyer saw was ¥380,000; it is ¥400,000 now.
    await Achievement.updateOne({ _id: id }, { $set: { "price.amount": 40_000_000, "prices.$[].amount": 40_000_000 } });
    await expect(buyNowDeal(buyers[0]!, id, confirm)).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "trading.priceChanged",
    );
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
    expect((await Achievement.findById(id).lean())!.status).toBe("trading");
    expect(await AuditEvent.countDocuments({ subject: id, action: "closeDeal" })).toBe(0);
    expect(await Notification.countDocuments({ "subject.id": id, type: "deal.created" })).toBe(0);
    // Confirming the new price works.
    const dealId = await buyNowDeal(buyers[0]!, id, { ...confirm, expectedAmountFen: 40_000_000 });
    expect((await Deal.findById(dealId).lean())!.terms!.price).toBe(40_000_000);
  });

  it("does not let the owner side buy its own listing", async () => {
    const id = await tradingListing();
    // A colleague in the owner organisation who also holds the buyer role.
    await expect(buyNowDeal(colleague, id, confirm)).rejects.toSatisfy(
      (e) => e instanceof ForbiddenError && e.message === "trading.ownListing",
    );
    expect((await buyNowQuote(colleague, id)).problem).toBe("trading.ownListing");
    // The seller has no buyer role at all.
    await expect(buyNowDeal(seller, id, confirm)).rejects.toSatisfy(
      (e) => e instanceof ForbiddenError && e.message === "trading.buyerRoleRequired",
    );
    await expect(buyNowDeal(sellerOnly, id, confirm)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
    const panel = await tradingSummary(id, colleague);
    expect(panel).toMatchObject({ state: "trading", isOwnerSide: true, canBuy: false });
  });

  it("refuses listings that are not trading: published ones with a conflict, drafts as not found", async () => {
    const published = await tradingListing({}, "published");
    await expect(buyNowDeal(buyers[0]!, published, confirm)).rejects.toSatisfy(
      (e) => e instanceof ConflictError && e.message === "trading.notTrading",
    );
    expect((await Achievement.findById(published).lean())!.status).toBe("published");
    expect((await tradingSummary(published, buyers[0]!))!.state).toBe("closed");
    const draft = await tradingListing({}, "draft");
    await expect(buyNowDeal(buyers[0]!, draft, confirm)).rejects.toBeInstanceOf(NotFoundError);
    await expect(buyNowDeal(buyers[0]!, "not-an-id", confirm)).rejects.toBeInstanceOf(NotFoundError);
    expect(await Deal.countDocuments({ listing: { $in: [published, draft] } })).toBe(0);
  });

  it("sells fixed prices only; negotiable listings take offers instead", async () => {
    const id = await tradingListing({ price: { mode: "negotiable" } });
    await expect(buyNowDeal(buyers[0]!, id, confirm)).rejects.toThrow("trading.notFixedPrice");
    const panel = (await tradingSummary(id, buyers[0]!))!;
    expect(panel).toMatchObject({ priceMode: "negotiable", canBuy: false, canOffer: true });
  });

  it("checks the transaction terms against what the listing offers, naming the field", async () => {
    const id = await tradingListing();
    const modeErr = await buyNowDeal(buyers[0]!, id, { ...confirm, transactionMode: "equity" }).catch((e) => e);
    expect(modeErr).toBeInstanceOf(ValidationError);
    expect(modeErr.fieldErrors).toEqual({ transactionMode: ["trading.modeNotOffered"] });
    // Several licence kinds on offer: the buyer must choose one.
    const kindErr = await buyNowDeal(buyers[0]!, id, { ...confirm, licenseExclusivity: null }).catch((e) => e);
    expect(kindErr.fieldErrors).toEqual({ licenseExclusivity: ["trading.exclusivityRequired"] });
    const soleErr = await buyNowDeal(buyers[0]!, id, { ...confirm, licenseExclusivity: "sole" }).catch((e) => e);
    expect(soleErr.fieldErrors).toEqual({ licenseExclusivity: ["trading.exclusivityNotOffered"] });
    expect(await Deal.countDocuments({ listing: id })).toBe(0);
    // A transfer needs no licence kind; one given is not stored on the deal.
    const dealId = await buyNowDeal(buyers[0]!, id, { ...confirm, transactionMode: "transfer" });
    const deal = (await Deal.findById(dealId).lean())!;
    expect(deal.terms).toMatchObject({ transactionMode: "transfer" });
    expect(deal.terms!.licenseExclusivity).toBeUndefined();
  });

  it("takes the only licence kind on offer without asking", async () => {
    const id = await tradingListing({ transactionModes: ["license"], licenseExclusivity: ["non-exclusive"] });
    const dealId = await buyNowDeal(buyers[1]!, id, { expectedAmountFen: 38_000_000, transactionMode: "license" });
    expect((await Deal.findById(dealId).lean())!.terms).toMatchObject({ transactionMode: "license", licenseExclusivity: "non-exclusive" });
  });

  it("shows visitors the buy button (it leads to log in) and the owner side no buy button", async () => {
    const id = await tradingListing();
    expect(await tradingSummary(id, null)).toMatchObject({ state: "trading", loggedIn: false, canBuy: true, priceMode: "fixed" });
    expect(await tradingSummary(id, seller)).toMatchObject({ isOwnerSide: true, canBuy: false });
    expect(await tradingSummary(id, sellerOnly)).toMatchObject({ isBuyer: false, canBuy: false });
    expect(await tradingSummary("000000000000000000000000", null)).toBeNull();
  });
});
