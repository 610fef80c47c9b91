import { beforeAll, describe, expect, it } from "vitest";
import { Deal } from "~/models/deal.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { acceptOffer, makeOffer } from "~/services/trading/offers/commands.server.ts";
import { closeDueAuctions } from "~/services/trading/auctions/closing.server.ts";
import { createAuction } from "~/services/trading/auctions/create.server.ts";
import { confirmDeposit, registerBidder } from "~/services/trading/auctions/registration.server.ts";
import { placeBid } from "~/services/trading/auctions/bidding.server.ts";
import { auctionInput, person, tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";

/**
 * Decision 009: whatever its source — buy-now, an accepted offer, a won auction, an accepted room
 * card — a deal carries the full agreed terms in `terms` (price in fen inside) and where they were
 * agreed in `termsSource`.
 */

let seller: SessionUser, broker: SessionUser, buyer: SessionUser;

beforeAll(async () => {
  seller = await person("seller@terms.cn", ["seller"], "砚山县农科所", "institute");
  broker = await person("broker@terms.cn", ["broker"], "文山州技术转移中心", "service-agency");
  buyer = await person("buyer@terms.cn", ["buyer"], "平远镇合作社");
});

async function dealOf(id: string) {
  return (await Deal.findById(id).lean())!;
}

describe("every source yields a deal with full terms", () => {
  it("buy-now: the listing's price and the chosen mode and exclusivity", async () => {
    const listing = await tradingAchievement(seller, broker, { price: { mode: "fixed", amount: 30_000_000 } });
    const id = await buyNowDeal(buyer, listing, {
      expectedAmountFen: 30_000_000,
      transactionMode: "license",
      licenseExclusivity: "exclusive",
    });
    const deal = await dealOf(id);
    expect(deal.terms).toEqual({
      price: 30_000_000,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      milestones: [],
    });
    expect(deal.termsSource).toMatchObject({ kind: "buy-now", acceptedAt: expect.any(Date) });
    expect(deal).not.toHaveProperty("price");
    expect(deal).not.toHaveProperty("agreedTerms");
  });

  it("offer: the accepted version's amount, mode and exclusivity", async () => {
    const listing = await tradingAchievement(seller, broker, { price: { mode: "negotiable" } });
    const offer = await makeOffer(buyer, listing, { amountFen: 12_345_600, transactionMode: "transfer" });
    const { dealId } = await acceptOffer(seller, offer.id);
    const deal = await dealOf(dealId);
    expect(deal.terms).toEqual({ price: 12_345_600, currency: "CNY", transactionMode: "transfer", milestones: [] });
    expect(deal.termsSource).toMatchObject({ kind: "offer" });
    expect(String(deal.termsSource!.offer)).toBe(offer.id);
  });

  it("auction: the winning price and the auction's mode and exclusivity", async () => {
    const listing = await tradingAchievement(seller, broker);
    const end = new Date(Date.now() + 3600_000);
    const auctionId = await createAuction(
      seller,
      listing,
      auctionInput({ endsAt: end, antiSnipeWindowSec: 0, transactionMode: "license", licenseExclusivity: "exclusive" }),
    );
    const { redirectUrl } = await registerBidder(buyer, auctionId, {
      successUrl: "http://localhost/return?session_id={CHECKOUT_SESSION_ID}",
      cancelUrl: "http://localhost/cancel",
    });
    expect((await payCheckout(redirectUrl!)).status).toBe(303);
    expect(await confirmDeposit(buyer, auctionId)).toBe("held");
    await placeBid(buyer, auctionId, 101_000_00);
    const [closed] = (await closeDueAuctions({ now: new Date(end.getTime() + 1000) })).filter((r) => r.auctionId === auctionId);
    const deal = await dealOf(closed!.dealId!);
    expect(deal.terms).toEqual({
      price: 101_000_00,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      milestones: [],
    });
    expect(deal.termsSource).toMatchObject({ kind: "auction" });
    expect(String(deal.termsSource!.auction)).toBe(auctionId);
  });

  it("room card: every term of the accepted card", async () => {
    const listing = await tradingAchievement(seller, broker, { price: { mode: "negotiable" } });
    const roomId = await openRoom(buyer, { from: "listing", listingId: listing });
    const card = await proposeCard(buyer, roomId, {
      terms: {
        price: "150000",
        transactionMode: "license",
        licenseExclusivity: "exclusive",
        territory: "云南省",
        termMonths: "24",
        royaltyPercent: "2.5",
        milestones: [{ title: "签约首付", amount: "50000", dueInDays: "15" }],
      },
    });
    const { dealId } = await respondToCard(seller, roomId, { action: "accept", cardId: card.id });
    const deal = await dealOf(dealId!);
    expect(deal.terms).toEqual({
      price: 15_000_000,
      currency: "CNY",
      transactionMode: "license",
      licenseExclusivity: "exclusive",
      territory: "云南省",
      termMonths: 24,
      royaltyPercent: 2.5,
      milestones: [{ title: "签约首付", amount: 5_000_000, dueInDays: 15 }],
    });
    expect(deal.termsSource).toMatchObject({ kind: "negotiation" });
    expect(String(deal.termsSource!.card)).toBe(card.id);
    expect(String(deal.termsSource!.room)).toBe(roomId);
  });
});
