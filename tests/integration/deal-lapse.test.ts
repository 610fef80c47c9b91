import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { postDepositCaptured } from "~/services/ledger/deposits.server.ts";
import { accountBalance, dealBooks } from "~/services/ledger/queries.server.ts";
import { lapseUnsignedDeals, remindSigningDeadlines } from "~/services/settlement/deadlines.server.ts";
import { settlementDeadlinesJob } from "~/services/settlement/jobs.server.ts";
import { JOBS } from "../../server/jobs/index.ts";
import { person } from "../../seeds/trading-fixtures.ts";
import { openTestDeal } from "../support/settlement-fixture.ts";

/**
 * Issue 14, point 8: every deal has a signing deadline (setting signingDeadlineDays, default 10);
 * the declared deadline job reminds both sides a day before and lapses an unsigned deal after it —
 * the listing trades again, and an auction winner forfeits the captured deposit in the ledger. A
 * signed deal is left alone.
 */
let seller: SessionUser, buyer: SessionUser, broker: SessionUser;
const DAY = 86_400_000;

beforeAll(async () => {
  await initLedger();
  seller = await person("lapse-seller@wsu.cn", ["seller"], "文山学院", "university");
  buyer = await person("lapse-buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("lapse-broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
});

/** A won auction's (or a buy-now) captured deposit: the Payment and its capture in the books. */
async function capturedDeposit(amountFen: number, purpose: "auction-deposit" | "buy-now-deposit" = "auction-deposit"): Promise<string> {
  const payment = await Payment.create({
    purpose,
    kind: "hold",
    gateway: "stripe",
    status: "captured",
    amount: amountFen,
    capturedAmount: amountFen,
    payer: buyer.id,
    subject: { kind: purpose === "auction-deposit" ? "auction-registration" : "buy-request", id: new mongoose.Types.ObjectId() },
  });
  await withTransaction((s) =>
    postDepositCaptured(s, { paymentId: String(payment._id), registrationId: String(payment.subject!.id), payerId: buyer.id, amountFen }),
  );
  return String(payment._id);
}

describe("the signing deadline", () => {
  it("is declared as a periodic job", () => {
    expect(JOBS).toContain(settlementDeadlinesJob);
    expect(settlementDeadlinesJob.name).toBe("settlement.deadlines");
  });

  it("lapses an unsigned deal after its deadline, returns the listing to trading and forfeits the auction winner's deposit; leaves a signed one and one still in time alone", async () => {
    const opened = new Date("2026-11-01T02:00:00Z");
    const depositId = await capturedDeposit(30_000_00);
    const won = await openTestDeal(seller, buyer, broker, {
      source: "auction",
      deposit: { paymentId: depositId, amountFen: 30_000_00 },
      now: opened,
    });
    const signed = await openTestDeal(seller, buyer, broker, { now: opened });
    await Deal.updateOne({ _id: signed.dealId }, { $set: { contractState: "signed" } });
    const later = await openTestDeal(seller, buyer, broker, { now: new Date("2026-11-08T02:00:00Z") });
    const signBy = (await Deal.findById(won.dealId).lean())!.signBy!;
    expect(signBy.getTime() - opened.getTime()).toBe(10 * DAY);
    const forfeitsBefore = await accountBalance("depositForfeits");

    // The day before: both sides are reminded once; nothing lapses.
    const dayBefore = new Date(signBy.getTime() - DAY / 2);
    expect(await lapseUnsignedDeals(dayBefore)).toBe(0);
    await remindSigningDeadlines(dayBefore);
    await remindSigningDeadlines(dayBefore);
    expect(await Notification.countDocuments({ user: buyer.id, type: "deal.signReminder", link: `/deals/${won.dealId}/contract` })).toBe(1);
    expect(await Notification.countDocuments({ user: seller.id, type: "deal.signReminder", link: `/deals/${won.dealId}/contract` })).toBe(
      1,
    );

    const after = new Date(signBy.getTime() + 60_000);
    await settlementDeadlinesJob.run(after);
    const lapsed = (await Deal.findById(won.dealId).lean())!;
    expect(lapsed.status).toBe("lapsed");
    expect(lapsed.ended?.reason).toContain("Not signed by the deadline");
    expect((await Achievement.findById(won.listingId).lean())!.status).toBe("trading");
    expect(await AuditEvent.countDocuments({ subject: lapsed._id, action: "deal.lapsed" })).toBe(1);
    expect(await Notification.countDocuments({ user: buyer.id, type: "deal.lapsed" })).toBe(1);
    expect(await Notification.countDocuments({ user: seller.id, type: "deal.lapsed" })).toBe(1);
    // The winner's deposit is the platform's now, once.
    expect((await accountBalance("depositForfeits")) - forfeitsBefore).toBe(30_000_00);
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(0);
    expect((await dealBooks(won.dealId)).balanced).toBe(true);
    expect(await lapseUnsignedDeals(new Date(after.getTime() + DAY))).toBe(0);
    expect((await accountBalance("depositForfeits")) - forfeitsBefore).toBe(30_000_00);

    expect((await Deal.findById(signed.dealId).lean())!.status).toBe("open");
    expect((await Achievement.findById(signed.listingId).lean())!.status).toBe("deal");
    expect((await Deal.findById(later.dealId).lean())!.status).toBe("open");
  });

  it("forfeits a buy-now deposit too when the buyer lets the deal lapse (decision 023)", async () => {
    const opened = new Date("2026-11-01T02:00:00Z");
    const depositId = await capturedDeposit(8_000_00, "buy-now-deposit");
    const bought = await openTestDeal(seller, buyer, broker, {
      source: "buy-now",
      deposit: { paymentId: depositId, amountFen: 8_000_00 },
      now: opened,
    });
    const heldBefore = await accountBalance("depositsHeld", { party: buyer.id });
    const forfeitsBefore = await accountBalance("depositForfeits");
    const signBy = (await Deal.findById(bought.dealId).lean())!.signBy!;
    await settlementDeadlinesJob.run(new Date(signBy.getTime() + 60_000));
    expect((await Deal.findById(bought.dealId).lean())!.status).toBe("lapsed");
    expect((await Achievement.findById(bought.listingId).lean())!.status).toBe("trading");
    expect((await accountBalance("depositForfeits")) - forfeitsBefore).toBe(8_000_00);
    expect(heldBefore - (await accountBalance("depositsHeld", { party: buyer.id }))).toBe(8_000_00);
    expect((await dealBooks(bought.dealId)).balanced).toBe(true);
  });
});
