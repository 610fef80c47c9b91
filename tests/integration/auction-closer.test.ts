import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Auction, AuctionRegistration } from "~/models/auction.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Payment } from "~/models/payment.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import mongoose from "mongoose";
import { ROOT } from "../setup/tmp.ts";
import { auctionInput, person, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { createAuction } from "~/services/trading/auctions/create.server.ts";
import { confirmDeposit, registerBidder } from "~/services/trading/auctions/registration.server.ts";
import { placeBid } from "~/services/trading/auctions/bidding.server.ts";

/**
 * The closer in two separate processes at the same moment, as two server instances would run it:
 * exactly one closes, one deal, each deposit settled once at the payment gateway — also when a
 * crashed instance left the auction claimed but unfinished.
 */

let seller: SessionUser;
let broker: SessionUser;
let buyers: SessionUser[];

beforeAll(async () => {
  seller = await person("seller@closer.cn", ["seller"], "西畴县三七研究所", "institute");
  broker = await person("broker@closer.cn", ["broker"], "技术转移中心", "service-agency");
  buyers = [await person("b1@closer.cn", ["buyer"], "企业一"), await person("b2@closer.cn", ["buyer"], "企业二")];
});

function runCloser(instance: string, startAt: number): Promise<{ instanceId: string; results: { auctionId: string; result: string }[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "tests/support/run-closer.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        CLOSER_MONGO_URI: inject("mongoUri"),
        CLOSER_DB: mongoose.connection.db!.databaseName,
        CLOSER_INSTANCE: instance,
        CLOSER_START_AT: String(startAt),
        LOG_LEVEL: "warn",
      } as unknown as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!)) : reject(new Error(`closer ${instance} exited ${code}`)),
    );
  });
}

/** The API calls the Stripe-compatible server executed (idempotent replays excluded). */
async function gatewayRequests(): Promise<{ method: string; path: string; status: number }[]> {
  const res = await fetch(`${process.env.STRIPE_API_BASE}/_local/requests`);
  const list = (await res.json()) as { data: { method: string; path: string; status: number; replayed: boolean }[] };
  return list.data.filter((r) => !r.replayed);
}

/** An auction with two held bidders and two bids, which ends in a moment. */
async function endingAuction() {
  const listingId = await tradingAchievement(seller, broker);
  const endsAt = new Date(Date.now() + 4000);
  const auctionId = await createAuction(
    seller,
    listingId,
    auctionInput({ startPrice: 50_000_00, deposit: 5_000_00, endsAt, antiSnipeWindowSec: 0, antiSnipeCapSec: 0 }),
  );
  for (const b of buyers) {
    const { redirectUrl } = await registerBidder(b, auctionId, { successUrl: "http://localhost/ok", cancelUrl: "http://localhost/no" });
    await payCheckout(redirectUrl!);
    expect(await confirmDeposit(b, auctionId)).toBe("held");
  }
  await placeBid(buyers[0]!, auctionId, 50_000_00);
  await placeBid(buyers[1]!, auctionId, 51_000_00);
  await new Promise((r) => setTimeout(r, Math.max(0, endsAt.getTime() - Date.now() + 200)));
  return { listingId, auctionId };
}

async function expectClosedOnce(listingId: string, auctionId: string) {
  const a = await Auction.findById(auctionId).lean();
  expect(a).toMatchObject({ status: "closed", settlement: "done", outcome: { result: "sold", price: 51_000_00 } });
  expect(await AuditEvent.countDocuments({ subjectType: "auction", subject: a!._id, action: "close" })).toBe(1);
  expect(await Deal.countDocuments({ auction: auctionId })).toBe(1);
  expect((await Achievement.findById(listingId).lean())!.status).toBe("deal");
  expect(await AuditEvent.countDocuments({ subjectType: "achievement", subject: listingId, action: "closeDeal" })).toBe(1);
  // Each deposit moved once at the gateway: one capture (winner), one cancel (loser).
  const regs = await AuctionRegistration.find({ auction: auctionId }).sort({ number: 1 }).lean();
  expect(regs.map((r) => r.deposit?.status)).toEqual(["released", "captured"]);
  const payments = await Payment.find({ "subject.id": { $in: regs.map((r) => r._id) } }).lean();
  const calls = await gatewayRequests();
  for (const p of payments) {
    const moves = calls.filter(
      (c) =>
        c.method === "POST" &&
        (c.path === `/v1/payment_intents/${p.intentRef}/capture` || c.path === `/v1/payment_intents/${p.intentRef}/cancel`) &&
        c.status < 300,
    );
    expect(moves).toHaveLength(1);
  }
}

describe("closing with two instances", () => {
  it("closes exactly once when two processes close at the same moment", async () => {
    const { listingId, auctionId } = await endingAuction();
    const startAt = Date.now() + 1500;
    const [x, y] = await Promise.all([runCloser("instance-a", startAt), runCloser("instance-b", startAt)]);
    const closes = [...x.results, ...y.results].filter((r) => r.auctionId === auctionId);
    expect(closes).toHaveLength(1);
    expect(closes[0]!.result).toBe("sold");
    await expectClosedOnce(listingId, auctionId);
  }, 60_000);

  it("takes over a close that a crashed instance claimed and never finished, once", async () => {
    const { listingId, auctionId } = await endingAuction();
    // What a crash right after the claim leaves behind: claimed, lease running, nothing else done.
    await Auction.updateOne({ _id: auctionId }, { $set: { status: "closing", closing: { by: "crashed-instance", at: new Date() } } });
    // While the lease runs, nobody takes it.
    const early = await Promise.all([runCloser("instance-c", Date.now() + 500), runCloser("instance-d", Date.now() + 500)]);
    expect(early.flatMap((r) => r.results).filter((r) => r.auctionId === auctionId)).toHaveLength(0);
    expect((await Auction.findById(auctionId).lean())!.status).toBe("closing");
    // Once the lease has run out (a short one here), exactly one of the two takes over and closes.
    await Auction.updateOne({ _id: auctionId }, { $set: { "closing.at": new Date(Date.now() - 120_000) } });
    const startAt = Date.now() + 1500;
    const [x, y] = await Promise.all([runCloser("instance-e", startAt), runCloser("instance-f", startAt)]);
    const closes = [...x.results, ...y.results].filter((r) => r.auctionId === auctionId);
    expect(closes).toHaveLength(1);
    await expectClosedOnce(listingId, auctionId);
    expect((await Auction.findById(auctionId).lean())!.outcome?.closedBy).toMatch(/^instance-[ef]$/);
  }, 60_000);
});
