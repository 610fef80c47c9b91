import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Auction, AuctionRegistration, Bid } from "~/models/auction.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { auctionsCloseJob, auctionsSettleJob } from "~/services/trading/auctions/jobs.server.ts";
import { ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { auctionInput, person, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { extendedEnd, incrementAt } from "~/services/trading/auctions/rules.ts";
import { AuctionError } from "~/services/trading/auctions/errors.ts";
import { createAuction, type AuctionInput } from "~/services/trading/auctions/create.server.ts";
import { confirmDeposit, registerBidder } from "~/services/trading/auctions/registration.server.ts";
import { placeBid } from "~/services/trading/auctions/bidding.server.ts";
import { getAuction } from "~/services/trading/auctions/queries.server.ts";
import { verifyBidChain } from "~/services/trading/auctions/chain.server.ts";
import { closeDueAuctions } from "~/services/trading/auctions/closing.server.ts";

/**
 * Auctions against the real MongoDB (transactions, the replica set) and the local Stripe-compatible
 * server through the real Stripe SDK: registration with the deposit held, the bid rules, anti-
 * sniping, the hash chain, the close with its deal and deposit settlement, and 200 bids at once.
 */

let seller: SessionUser;
let broker: SessionUser;
let buyers: SessionUser[];
let outsiderSeller: SessionUser;

const URLS = { successUrl: "http://localhost/return?session_id={CHECKOUT_SESSION_ID}", cancelUrl: "http://localhost/cancel" };

beforeAll(async () => {
  seller = await person("seller@nongke.cn", ["seller"], "西畴县农业科学研究所", "institute");
  broker = await person("broker@jishu.cn", ["broker"], "文山州技术转移中心", "service-agency");
  outsiderSeller = await person("other@qiye.cn", ["seller"], "另一家企业");
  buyers = [];
  for (let i = 0; i < 4; i++) buyers.push(await person(`buyer${i}@coop.cn`, ["buyer"], `兴街镇合作社${i}`));
});

const input = auctionInput;

async function newAuction(over: Partial<AuctionInput> = {}) {
  const listingId = await tradingAchievement(seller, broker);
  const auctionId = await createAuction(seller, listingId, input(over));
  return { listingId, auctionId };
}

/** Registers, pays on the (local) Stripe page and comes back: the deposit is held. */
async function heldBidder(user: SessionUser, auctionId: string) {
  const { redirectUrl } = await registerBidder(user, auctionId, URLS);
  expect(redirectUrl).toBeTruthy();
  const paid = await payCheckout(redirectUrl!);
  expect(paid.status).toBe(303);
  expect(await confirmDeposit(user, auctionId)).toBe("held");
}

async function refusal(p: Promise<unknown>): Promise<AuctionError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AuctionError);
  return e as AuctionError;
}

describe("creating an auction", () => {
  it("refuses bad settings field by field and stores nothing", async () => {
    const listingId = await tradingAchievement(seller, broker);
    const e = await createAuction(
      seller,
      listingId,
      input({ reservePrice: 50_000_00, deposit: 200_000_00, endsAt: new Date(Date.now() - 1000) }),
    ).catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect(Object.keys((e as ValidationError).fieldErrors).sort()).toEqual(["deposit", "endsAt", "reservePrice"]);
    const tiers = await createAuction(seller, listingId, input({ increments: [{ from: 50_000_00, increment: 100 }] })).catch((x) => x);
    expect((tiers as ValidationError).fieldErrors.tiers).toEqual(["auction.errors.firstTierFromZero"]);
    expect(await Auction.countDocuments({ listing: listingId })).toBe(0);
  });

  it("lets the seller side or a broker run it, not a buyer or another seller, and one at a time", async () => {
    const listingId = await tradingAchievement(seller, broker);
    await expect(createAuction(buyers[0]!, listingId, input())).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createAuction(outsiderSeller, listingId, input())).rejects.toBeInstanceOf(ForbiddenError);
    const id = await createAuction(broker, listingId, input());
    expect((await Auction.findById(id).lean())!.broker?.toString()).toBe(broker.id);
    expect((await refusal(createAuction(seller, listingId, input()))).code).toBe("auction_exists");
  });

  it("needs a trading listing priced by auction", async () => {
    const fixed = await tradingAchievement(seller, broker, { price: { mode: "fixed", amount: 100_000_00 } });
    expect((await refusal(createAuction(seller, fixed, input()))).code).toBe("not_auction_priced");
  });
});

describe("registering and bidding", () => {
  it("bids only after registering with the agreement and a held deposit; refusals change nothing", async () => {
    const { auctionId } = await newAuction();
    const [alice, bob] = buyers;
    // Not registered.
    expect((await refusal(placeBid(alice!, auctionId, 100_000_00))).code).toBe("not_registered");
    // Registered, payment page opened but not paid: the deposit is pending.
    const { redirectUrl, registration } = await registerBidder(alice!, auctionId, URLS);
    expect(registration).toMatchObject({ number: 1, deposit: { status: "pending", amount: 10_000_00 } });
    expect(redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\/cs_/);
    expect((await refusal(placeBid(alice!, auctionId, 100_000_00))).code).toBe("deposit_not_held");
    // Paid: held, and Stripe has an uncaptured PaymentIntent for exactly the deposit.
    await payCheckout(redirectUrl!);
    expect(await confirmDeposit(alice!, auctionId)).toBe("held");
    const payment = await Payment.findOne({ payer: alice!.id }).lean();
    expect(payment).toMatchObject({ status: "held", amount: 10_000_00 });
    // The seller cannot register or bid in their own auction.
    expect((await refusal(registerBidder(seller, auctionId, URLS))).code).toBe("own_auction");
    expect((await refusal(placeBid(seller, auctionId, 200_000_00))).code).toBe("own_auction");

    const before = await Auction.findById(auctionId).lean();
    const low = await refusal(placeBid(alice!, auctionId, 99_999_00));
    expect(low).toMatchObject({ code: "bid_too_low", field: "amount" });
    expect(low.params.minimumFen).toBe(100_000_00);
    expect((await refusal(placeBid(bob!, auctionId, 150_000_00))).code).toBe("not_registered");
    const after = await Auction.findById(auctionId).lean();
    expect(after!.lastSeq).toBe(before!.lastSeq);
    expect(await Bid.countDocuments({ auction: auctionId })).toBe(0);

    const first = await placeBid(alice!, auctionId, 100_000_00);
    expect(first).toMatchObject({ seq: 1, amount: 100_000_00, bidderNumber: 1, nextMinimum: 101_000_00 });
    // The same amount again no longer beats the price by the increment.
    expect((await refusal(placeBid(alice!, auctionId, 100_500_00))).params.minimumFen).toBe(101_000_00);
  });

  it("applies tiered increments by the current price", async () => {
    const tiers = [
      { from: 0, increment: 1_000_00 },
      { from: 120_000_00, increment: 5_000_00 },
    ];
    expect(incrementAt(tiers, 119_999_00)).toBe(1_000_00);
    expect(incrementAt(tiers, 120_000_00)).toBe(5_000_00);
    const { auctionId } = await newAuction({ increments: tiers });
    await heldBidder(buyers[0]!, auctionId);
    await placeBid(buyers[0]!, auctionId, 120_000_00);
    expect((await refusal(placeBid(buyers[0]!, auctionId, 124_000_00))).params.minimumFen).toBe(125_000_00);
    await placeBid(buyers[0]!, auctionId, 125_000_00);
  });

  it("refuses bids before the start and after the end", async () => {
    const { auctionId } = await newAuction({ startsAt: new Date(Date.now() + 3600_000), endsAt: new Date(Date.now() + 7200_000) });
    await heldBidder(buyers[0]!, auctionId);
    expect((await refusal(placeBid(buyers[0]!, auctionId, 100_000_00))).code).toBe("auction_not_started");
    const late = () => new Date(Date.now() + 7300_000);
    expect((await refusal(placeBid(buyers[0]!, auctionId, 100_000_00, { now: late }))).code).toBe("auction_not_live");
  });

  it("extends the end for a bid in the final window, up to the cap", async () => {
    const end = new Date(Date.now() + 3600_000);
    const { auctionId } = await newAuction({ endsAt: end, antiSnipeWindowSec: 600, antiSnipeCapSec: 900 });
    await heldBidder(buyers[0]!, auctionId);
    await heldBidder(buyers[1]!, auctionId);
    // Early: no extension.
    const early = await placeBid(buyers[0]!, auctionId, 100_000_00);
    expect(early.extended).toBe(false);
    // 5 minutes before the end: +10 minutes.
    const b2 = await placeBid(buyers[1]!, auctionId, 101_000_00, { now: () => new Date(end.getTime() - 300_000) });
    expect(b2.extended).toBe(true);
    expect(b2.currentEndsAt).toBe(new Date(end.getTime() + 600_000).toISOString());
    // Again in the window: capped at the scheduled end + 15 minutes.
    const b3 = await placeBid(buyers[0]!, auctionId, 102_000_00, { now: () => new Date(end.getTime() + 300_000) });
    expect(b3.currentEndsAt).toBe(new Date(end.getTime() + 900_000).toISOString());
    const a = await getAuction(buyers[0]!, auctionId);
    expect(a.extensions).toBe(2);
    // The pure rule agrees.
    expect(extendedEnd({ endsAt: end, currentEndsAt: end, antiSnipeWindowSec: 0, antiSnipeCapSec: 900 }, end).getTime()).toBe(
      end.getTime(),
    );
  });

  it("keeps the reserve hidden from bidders and shows them as numbers", async () => {
    const { auctionId } = await newAuction({ reservePrice: 150_000_00 });
    await heldBidder(buyers[0]!, auctionId);
    await heldBidder(buyers[1]!, auctionId);
    await placeBid(buyers[0]!, auctionId, 100_000_00);
    await placeBid(buyers[1]!, auctionId, 101_000_00);
    const asBuyer = await getAuction(buyers[0]!, auctionId);
    expect(asBuyer.reservePrice).toBeNull();
    expect(asBuyer).toMatchObject({ hasReserve: true, reserveMet: false });
    expect(asBuyer.bids.map((b) => [b.bidderNumber, b.mine])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(JSON.stringify(asBuyer)).not.toContain(buyers[1]!.name);
    expect((await getAuction(seller, auctionId)).reservePrice).toBe(150_000_00);
  });
});

describe("the bid chain", () => {
  it("verifies, and finds a changed amount, a removed bid and a moved head", async () => {
    const { auctionId } = await newAuction();
    await heldBidder(buyers[0]!, auctionId);
    await heldBidder(buyers[1]!, auctionId);
    for (let i = 0; i < 6; i++) await placeBid(buyers[i % 2]!, auctionId, 100_000_00 + i * 1_000_00);
    expect(await verifyBidChain(auctionId)).toMatchObject({ intact: true, bids: 6, problems: [] });

    await Bid.collection.updateOne({ auction: new mongoose.Types.ObjectId(auctionId), seq: 3 }, { $set: { amount: 102_500_00 } });
    const changed = await verifyBidChain(auctionId);
    expect(changed.intact).toBe(false);
    expect(changed.problems[0]).toMatchObject({ seq: 3, problem: "hash does not match the bid's content" });
    await Bid.collection.updateOne({ auction: new mongoose.Types.ObjectId(auctionId), seq: 3 }, { $set: { amount: 102_000_00 } });
    expect((await verifyBidChain(auctionId)).intact).toBe(true);

    await Bid.collection.deleteOne({ auction: new mongoose.Types.ObjectId(auctionId), seq: 4 });
    const removed = await verifyBidChain(auctionId);
    expect(removed.intact).toBe(false);
    expect(removed.problems.map((p) => p.seq)).toContain(5);
  });
});

describe("closing", () => {
  async function endedAuction(over: Partial<AuctionInput>, bids: [number, number][]) {
    const end = new Date(Date.now() + 3600_000);
    const { listingId, auctionId } = await newAuction({ endsAt: end, antiSnipeWindowSec: 0, ...over });
    const used = new Set(bids.map(([who]) => who));
    for (const who of used) await heldBidder(buyers[who]!, auctionId);
    for (const [who, amount] of bids) await placeBid(buyers[who]!, auctionId, amount);
    return { listingId, auctionId, after: new Date(end.getTime() + 1000) };
  }

  it("sells to the highest bidder once: a deal, the listing in `deal`, the winner's deposit kept, the others released", async () => {
    const { listingId, auctionId, after } = await endedAuction({ reservePrice: 102_000_00 }, [
      [0, 100_000_00],
      [1, 101_000_00],
      [2, 102_000_00],
    ]);
    const first = await closeDueAuctions({ now: after });
    expect(first.filter((r) => r.auctionId === auctionId)).toEqual([{ auctionId, result: "sold", dealId: expect.any(String) }]);
    expect(await closeDueAuctions({ now: after })).toEqual([]);

    const deal = await Deal.findOne({ auction: auctionId }).lean();
    expect(deal).toMatchObject({ source: "auction", terms: { price: 102_000_00 }, status: "open", deposit: { amount: 10_000_00 } });
    expect(String(deal!.buyer.user)).toBe(buyers[2]!.id);
    expect((await Achievement.findById(listingId).lean())!.status).toBe("deal");

    const regs = await AuctionRegistration.find({ auction: auctionId }).sort({ number: 1 }).lean();
    expect(regs.map((r) => r.deposit?.status)).toEqual(["released", "released", "captured"]);
    const payments = await Payment.find({ "subject.id": { $in: regs.map((r) => r._id) } }).lean();
    expect(payments.map((p) => p.status).sort()).toEqual(["captured", "released", "released"]);
    expect((await Auction.findById(auctionId).lean())!.settlement).toBe("done");

    const winnerNote = await Notification.findOne({ user: buyers[2]!.id, type: "auction.won" }).lean();
    expect(winnerNote?.link).toBe(`/deals/${deal!._id}`);
    expect(
      await Notification.countDocuments({ type: "auction.lost", user: { $in: [buyers[0]!.id, buyers[1]!.id] }, "subject.id": listingId }),
    ).toBe(2);
    const view = await getAuction(buyers[2]!, auctionId);
    expect(view.viewer.isWinner).toBe(true);
    expect(view.outcome).toMatchObject({ result: "sold", price: 102_000_00, winnerNumber: 3 });
  });

  it("does not sell below the reserve: no deal, every deposit released, the top bidder invited to negotiate", async () => {
    const { listingId, auctionId, after } = await endedAuction({ reservePrice: 500_000_00 }, [
      [0, 100_000_00],
      [1, 120_000_00],
    ]);
    const [r] = (await closeDueAuctions({ now: after })).filter((x) => x.auctionId === auctionId);
    expect(r).toEqual({ auctionId, result: "reserve-not-met", dealId: null });
    expect(await Deal.countDocuments({ auction: auctionId })).toBe(0);
    expect((await Achievement.findById(listingId).lean())!.status).toBe("trading");
    const regs = await AuctionRegistration.find({ auction: auctionId }).lean();
    expect(regs.map((x) => x.deposit?.status)).toEqual(["released", "released"]);
    const invite = await Notification.findOne({ user: buyers[1]!.id, type: "auction.reserveNotMet", "subject.id": listingId }).lean();
    expect(invite?.link).toContain(`/achievements/${listingId}/offer`);
    // The invitation is real: the top bidder may now make an offer on the auction-priced listing;
    // the other bidder may not.
    const terms = { amountFen: 130_000_00, transactionMode: "transfer" as const, message: "愿意在保留价附近协商" };
    await expect(makeOffer(buyers[0]!, listingId, terms)).rejects.toMatchObject({ message: "trading.notNegotiable" });
    const offer = await makeOffer(buyers[1]!, listingId, terms);
    expect(offer).toMatchObject({ status: "open", amount: 130_000_00 });
  });

  it("closes without bids as unsold", async () => {
    const { auctionId, after } = await endedAuction({}, []);
    const [r] = (await closeDueAuctions({ now: after })).filter((x) => x.auctionId === auctionId);
    expect(r).toEqual({ auctionId, result: "no-bids", dealId: null });
  });

  it("runs as the declared jobs: auctions.close every 2 s closes and settles, auctions.settle every 30 s", async () => {
    expect([auctionsCloseJob.name, auctionsCloseJob.everyMs, auctionsSettleJob.name, auctionsSettleJob.everyMs]).toEqual([
      "auctions.close",
      2_000,
      "auctions.settle",
      30_000,
    ]);
    const { auctionId, after } = await endedAuction({}, [[0, 100_000_00]]);
    const closed = (await auctionsCloseJob.run(after)) as { auctionId: string; result: string }[];
    expect(closed.find((c) => c.auctionId === auctionId)).toMatchObject({ result: "sold" });
    expect((await Auction.findById(auctionId).lean())!.settlement).toBe("done");
    // Nothing left to settle: the sweep has nothing to report.
    await auctionsSettleJob.run(after);
    expect(await Auction.countDocuments({ _id: auctionId, settlement: "pending" })).toBe(0);
  });
});

describe("200 concurrent bids from 50 bidders", () => {
  // Once as one instance takes them (queued per auction in the process), once with every bid racing
  // the others into MongoDB as if each came from a different instance.
  it.each([
    ["queued in one instance", true],
    ["racing as if from 200 instances", false],
  ])(
    "%s: a strictly increasing, gap-free chain, none lost, none twice, the top bid wins, the chain verifies",
    async (_name, queue) => {
      const bidders: SessionUser[] = [];
      for (let i = 0; i < 50; i++) bidders.push(await person(`load${i}-${queue}@bidders.cn`, ["buyer"], `竞买企业${i}`));
      const increment = 1_000_00;
      const { auctionId } = await newAuction({ increments: [{ from: 0, increment }], antiSnipeWindowSec: 0 });
      await Promise.all(bidders.map((b) => heldBidder(b, auctionId)));

      // 200 distinct amounts (start, start + 1 increment, …), shuffled, 4 per bidder, all fired at once.
      const amounts = Array.from({ length: 200 }, (_, i) => 100_000_00 + i * increment);
      for (let i = amounts.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [amounts[i], amounts[j]] = [amounts[j]!, amounts[i]!];
      }
      const outcomes = await Promise.all(
        amounts.map((amount, i) =>
          placeBid(bidders[i % 50]!, auctionId, amount, { queue }).then(
            (bid) => ({ amount, bid, error: null as AuctionError | null }),
            (error: unknown) => ({ amount, bid: null, error: error as AuctionError }),
          ),
        ),
      );
      const accepted = outcomes.filter((o) => o.bid);
      const refused = outcomes.filter((o) => o.error);
      // Every refusal is an honest "outbid" — no write conflict leaked out, nothing "busy".
      expect(refused.every((o) => o.error instanceof AuctionError && o.error.code === "bid_too_low")).toBe(true);
      expect(accepted.length + refused.length).toBe(200);

      const stored = await Bid.find({ auction: auctionId }).sort({ seq: 1 }).lean();
      // None lost: every accepted bid is stored, under the seq it was told; none accepted twice.
      expect(stored.length).toBe(accepted.length);
      expect(new Set(accepted.map((o) => o.bid!.seq)).size).toBe(accepted.length);
      const bySeq = new Map(stored.map((b) => [b.seq, b]));
      for (const o of accepted) expect(bySeq.get(o.bid!.seq)?.amount).toBe(o.amount);
      // Refused amounts were never stored.
      const storedAmounts = new Set(stored.map((b) => b.amount));
      for (const o of refused) expect(storedAmounts.has(o.amount)).toBe(false);
      // Gap-free and strictly increasing by at least the increment.
      stored.forEach((b, i) => {
        expect(b.seq).toBe(i + 1);
        if (i > 0) expect(b.amount - stored[i - 1]!.amount).toBeGreaterThanOrEqual(increment);
      });
      // The highest valid bid is the price, and the chain verifies.
      const top = Math.max(...amounts);
      const a = await Auction.findById(auctionId).lean();
      expect(a!.currentPrice).toBe(top);
      expect(a!.bidCount).toBe(accepted.length);
      expect(stored.at(-1)!.amount).toBe(top);
      expect(await verifyBidChain(auctionId)).toMatchObject({ intact: true, bids: accepted.length });
    },
    120_000,
  );
});
