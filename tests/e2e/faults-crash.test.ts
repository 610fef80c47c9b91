import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Auction, AuctionRegistration } from "~/models/auction.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { User } from "~/models/user.server.ts";
import { dealBooks } from "~/services/ledger/queries.server.ts";
import { createAuction } from "~/services/trading/auctions/create.server.ts";
import { auctionInput, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { demoUser, sleep, until, useFaultApp, type FaultApp } from "../support/fault-app.ts";

/**
 * Issue 17, point 3: the app process killed (SIGKILL: no shutdown handler, nothing flushed) in the
 * middle of money-moving work, then started again on the same DATA_DIR as an operator would. What
 * was under way must finish exactly once by itself: an auction in its final minute closes once; a
 * payment whose webhook was being handled is applied once. The fixtures go in through the services
 * on the app's own database; everything after is the real process over HTTP.
 */
let app: FaultApp;
useFaultApp("faults-crash", (started) => {
  app = started;
});

const post = (url: string, token: string, body: unknown = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
const get = (url: string, token: string) => fetch(url, { headers: { Authorization: `Bearer ${token}` } });

/** The ledger lines that name a payment, counted by movement (each posting writes a debit and a credit line). */
async function postingsOf(paymentId: string): Promise<Record<string, number>> {
  const lines = await mongoose.connection
    .db!.collection("medici_transactions")
    .aggregate<{ _id: string; keys: string[] }>([
      { $match: { "meta.payment": paymentId } },
      { $group: { _id: "$meta.movement", keys: { $addToSet: "$meta.key" } } },
    ])
    .toArray();
  return Object.fromEntries(lines.map((l) => [l._id, l.keys.length]));
}

/** How often a payment's history entered `status`. */
const entered = async (paymentId: unknown, status: string) =>
  ((await Payment.findById(paymentId, { history: 1 }).lean())?.history ?? []).filter((h) => h.status === status).length;

describe("the app killed and started again", () => {
  it("during an auction's final minute: after the restart the auction closes once — one deal, the winner's deposit captured once, the other released once, each bidder told once", async ({
    annotate,
  }) => {
    const seller = await demoUser("seller@demo.chengguo.cn");
    const broker = await demoUser("broker@demo.chengguo.cn");
    const listingId = await tradingAchievement(seller, broker, { title: `三七种苗脱毒快繁技术（故障测试）${Date.now()}` });
    // 90 s leaves room to register, pay and bid on a loaded machine; a 1 s anti-sniping window
    // keeps the end where it was set.
    const auctionId = await createAuction(
      seller,
      listingId,
      auctionInput({
        startPrice: 50_000_00,
        increments: [{ from: 0, increment: 1_000_00 }],
        deposit: 500_00,
        endsAt: new Date(Date.now() + 90_000),
        antiSnipeWindowSec: 1,
        antiSnipeCapSec: 1,
      }),
    );
    const api = (p: string) => `${app.baseURL}/api/v1/auctions/${auctionId}${p}`;
    const bidders: Record<string, string> = {};
    for (const email of ["buyer@demo.chengguo.cn", "eco@demo.chengguo.cn"]) {
      const token = await app.token(["--name", `crash-${email}`, "--user", email]);
      const reg = await post(api("/registration"), token, { acceptAgreement: true });
      expect(reg.status).toBe(201);
      expect((await payCheckout((await reg.json()).depositCheckoutUrl)).status).toBe(303);
      await until("the deposit is held", async () =>
        (await (await get(api("/registration"), token)).json()).deposit?.status === "held" ? true : undefined,
      );
      bidders[email] = token;
    }
    expect((await post(api("/bids"), bidders["buyer@demo.chengguo.cn"]!, { amount: 50000 })).status).toBe(201);
    expect((await post(api("/bids"), bidders["eco@demo.chengguo.cn"]!, { amount: 51000 })).status).toBe(201);
    expect((await post(api("/bids"), bidders["buyer@demo.chengguo.cn"]!, { amount: 52000 })).status).toBe(201);

    const before = (await Auction.findById(auctionId).lean())!;
    expect(before.status).toBe("open");
    // The final minute: the app dies with the auction still running.
    const left = before.currentEndsAt.getTime() - Date.now();
    if (left > 60_000) await sleep(left - 55_000);
    expect(before.currentEndsAt.getTime()).toBeGreaterThan(Date.now());
    await app.crash();
    // Down past the end: nobody could close it on time.
    await sleep(Math.max(0, before.currentEndsAt.getTime() - Date.now()) + 2_000);
    const restartedAt = Date.now();
    await app.spawn();

    const closed = await until(
      "the auction is closed and its deposits settled",
      async () => {
        const a = await Auction.findById(auctionId).lean();
        return a?.status === "closed" && a.settlement === "done" ? a : undefined;
      },
      120_000,
    );
    expect(closed.outcome).toMatchObject({ result: "sold", price: 52_000_00 });
    const deals = await Deal.find({ auction: auctionId }).lean();
    expect(deals).toHaveLength(1);
    expect(String(closed.outcome!.deal)).toBe(String(deals[0]!._id));

    const regs = await AuctionRegistration.find({ auction: auctionId }).lean();
    const byUser = async (email: string) => {
      const u = await User.findOne({ email }, { _id: 1 }).lean();
      return regs.find((r) => String(r.user) === String(u!._id))!;
    };
    const winner = await byUser("buyer@demo.chengguo.cn");
    const loser = await byUser("eco@demo.chengguo.cn");
    expect(await entered(winner.deposit!.payment, "captured")).toBe(1);
    expect(await entered(loser.deposit!.payment, "released")).toBe(1);
    expect((await Payment.findById(winner.deposit!.payment).lean())!.status).toBe("captured");
    expect((await Payment.findById(loser.deposit!.payment).lean())!.status).toBe("released");
    // The money: the winner's deposit captured (and applied to the deal) once, nothing for the other.
    expect(await postingsOf(String(winner.deposit!.payment))).toMatchObject({ "deposit-captured": 1 });
    expect((await postingsOf(String(winner.deposit!.payment)))["deposit-refunded"]).toBeUndefined();
    expect(await postingsOf(String(loser.deposit!.payment))).toEqual({});
    expect((await dealBooks(String(deals[0]!._id))).balanced).toBe(true);
    // At the gateway: one capture and one cancel, whatever the restart retried.
    const requests = (await (await fetch(`${app.stripeBase}/_local/requests`)).json()).data as Array<{
      method: string;
      path: string;
      status: number;
    }>;
    const intents = await Payment.find({ _id: { $in: [winner.deposit!.payment, loser.deposit!.payment] } }, { intentRef: 1 }).lean();
    for (const p of intents) {
      const calls = requests.filter(
        (r) => r.method === "POST" && r.path.startsWith(`/v1/payment_intents/${p.intentRef}/`) && r.status < 300,
      );
      expect(calls.length).toBeLessThanOrEqual(1);
    }
    // Told once each.
    const notes = await Notification.find({
      link: { $in: [`/auctions/${auctionId}`, `/deals/${deals[0]!._id}`] },
      type: /^auction\./,
    }).lean();
    const counts = new Map<string, number>();
    for (const n of notes) counts.set(`${n.user}:${n.type}`, (counts.get(`${n.user}:${n.type}`) ?? 0) + 1);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(notes.filter((n) => n.type === "auction.won")).toHaveLength(1);
    expect(notes.filter((n) => n.type === "auction.lost")).toHaveLength(1);
    expect(await AuditEvent.countDocuments({ subjectType: "auction", subject: auctionId, action: "close" })).toBe(1);
    await annotate(`auction closed ${((Date.now() - restartedAt) / 1000).toFixed(1)}s after the restart began`);
  }, 420_000);

  it("while a payment's webhook is being handled: after the restart the stage is paid once — one receipt, one ledger posting, each party told once", async ({
    annotate,
  }) => {
    // The demo's partly paid deal (seeds/demo-deals.ts): the buyer pays the 尾款 (stage 2) by card.
    const deal = (await Deal.findOne({ listingTitle: "三七种苗漂浮育苗与脱毒快繁技术" }, { _id: 1 }).lean())!;
    const dealId = String(deal._id);
    const buyerToken = await app.token(["--name", "crash-payer", "--user", "buyer@demo.chengguo.cn"]);
    const stageBefore = (await DealStage.findOne({ deal: dealId, number: 2 }).lean())!;
    expect(stageBefore.status).not.toBe("paid");
    const receiptsRecorded = () => AuditEvent.countDocuments({ subjectType: "deal", subject: dealId, action: "receipt.recorded" });
    const recordedBefore = await receiptsRecorded();
    const started = await post(`${app.baseURL}/api/v1/deals/${dealId}/stages/2/checkout`, buyerToken);
    expect(started.status).toBe(201);
    const { paymentId, checkoutUrl } = (await started.json()) as { paymentId: string; checkoutUrl: string };

    // MongoDB stops answering (paused, not killed), so the webhook the payment sends waits in the
    // app's handler; the buyer pays and closes the browser (no return page).
    const mongod = await app.pidOf("mongod");
    process.kill(mongod, "SIGSTOP");
    try {
      expect((await payCheckout(checkoutUrl)).status).toBe(303);
      // Stripe has the money and sends checkout.session.completed; the app's handler waits on MongoDB.
      await until(
        "the payment's webhook is on its way to the app",
        async () => {
          const events = (await (await fetch(`${app.stripeBase}/_local/events?type=checkout.session.completed`)).json()).data as unknown[];
          return events.length ? true : undefined;
        },
        15_000,
      );
      // Long enough for the delivery to reach the handler and for the local server's state file to be written.
      await sleep(1_500);
      await new Promise((r) => {
        app.process.once("exit", r);
        app.process.kill("SIGKILL");
      });
    } finally {
      // The guard sees the app gone and stops mongod; mongod must run to take that SIGTERM.
      process.kill(mongod, "SIGCONT");
    }
    await app.crash();
    const restartedAt = Date.now();
    await app.spawn();

    const stage = await until(
      "the stage is paid after the restart",
      async () => {
        const s = await DealStage.findOne({ deal: dealId, number: 2 }).lean();
        return s?.status === "paid" ? s : undefined;
      },
      150_000,
    );
    expect(stage.receipts.filter((r) => r.via === "stripe" && String(r.payment) === paymentId)).toHaveLength(1);
    expect((await Payment.findById(paymentId).lean())!.status).toBe("succeeded");
    expect(await entered(paymentId, "succeeded")).toBe(1);
    expect(await postingsOf(paymentId)).toMatchObject({ "payment-received": 1 });
    expect((await dealBooks(dealId)).balanced).toBe(true);
    expect(await receiptsRecorded()).toBe(recordedBefore + 1);
    const told = await Notification.find({ type: "stage.paid", link: `/deals/${dealId}/stages/2` }).lean();
    // Each person of either side once (文山学院 has two people; the buyer's cooperative one).
    const users = told.map((t) => String(t.user));
    expect(new Set(users).size).toBe(users.length);
    const people = await User.find({ email: { $in: ["buyer@demo.chengguo.cn", "seller@demo.chengguo.cn"] } }, { _id: 1 }).lean();
    expect(users).toEqual(expect.arrayContaining(people.map((p) => String(p._id))));
    await annotate(`stage paid ${((Date.now() - restartedAt) / 1000).toFixed(1)}s after the restart began`);
  }, 420_000);
});
