import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { BankReceiptRef } from "~/models/bank-receipt-ref.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { Payout } from "~/models/payout.server.ts";
import { Registration, RegistrationCounter } from "~/models/registration.server.ts";
import { User } from "~/models/user.server.ts";
import { dealBooks } from "~/services/ledger/queries.server.ts";
import { person } from "../../seeds/trading-fixtures.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { LOCAL_STRIPE_KEY } from "../../server/embedded/stripe.ts";
import { payCheckout } from "../../server/stripe-local/pay-checkout.ts";
import { demoUser, until, useFaultApp, type FaultApp } from "../support/fault-app.ts";
import { HttpClient } from "../support/http.ts";
import { openTestDeal, stageWithReceipts } from "../support/settlement-fixture.ts";

/**
 * Issue 17, point 3, the consistency half: what must hold when a fault cuts a write in two — the
 * index converges after a Meilisearch outage without a manual step; a multi-document write cut by
 * the mongod kill is all or nothing and its retry counts once; a registration number is given once
 * when two approvals race and the app dies between; webhooks twice and out of order apply each
 * effect once. One app of its own for the file (tests/support/fault-app.ts); the fixtures go in
 * through the services on its database, everything after is the real process over HTTP.
 */
let app: FaultApp;
let admin: string;
useFaultApp("faults-consistency", async (started) => {
  app = started;
  admin = await app.token(["--name", "faults-admin", "--user", "admin@demo.chengguo.cn"]);
});

const api = (p: string, token: string, body?: unknown) =>
  fetch(`${app.baseURL}/api/v1${p}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Transactions MongoDB has aborted so far (a write conflict aborts the attempt; the driver runs it again). */
async function abortedTransactions(): Promise<number> {
  const status = await mongoose.connection.db!.admin().command({ serverStatus: 1 });
  return Number(status.transactions?.totalAborted ?? 0);
}

/**
 * Holds a write lock on one document in a transaction of the test's own that never commits: the
 * app's transaction that writes the same document fails with a write conflict and is run again and
 * again, so it stays in flight — its earlier writes made and uncommitted — for as long as the test
 * needs. Deterministic on any machine: nothing depends on timing.
 */
async function holdDocument(collection: mongoose.Collection, id: mongoose.Types.ObjectId) {
  const session = mongoose.connection.getClient().startSession();
  session.startTransaction();
  await collection.updateOne({ _id: id }, { $set: { faultTestLock: new Date() } }, { session });
  return session;
}

/**
 * Waits until the app's transaction has been aborted at least `n` times since `since` (it is in
 * flight); fails with what the request answered if it answered first.
 */
async function inFlight(since: number, requests: Promise<unknown>[], n = 3): Promise<void> {
  const answeredFirst = Promise.race(requests).then((a) => {
    throw new Error(`the request answered before its transaction was seen in flight: ${JSON.stringify(a).slice(0, 500)}`);
  });
  const seen = until("the app's transaction runs into the held document", async () =>
    (await abortedTransactions()) - since >= n ? true : undefined,
  );
  await Promise.race([seen, answeredFirst]);
  answeredFirst.catch(() => {});
}

/** What a request answered, or that the connection was cut (the app killed under it). */
async function answered(p: Promise<Response>): Promise<{ status: number; body: string } | "cut"> {
  try {
    const res = await p;
    return { status: res.status, body: await res.text() };
  } catch {
    return "cut";
  }
}

describe("consistency under faults", () => {
  it("Meilisearch killed: listings published, edited and withdrawn meanwhile answer success, and afterwards search shows each as it is — no manual step", async ({
    annotate,
  }) => {
    const stamp = `zq${Date.now().toString(36)}`;
    const [oldWord, newWord, addWord] = [`${stamp}old`, `${stamp}new`, `${stamp}add`];
    const source = `faults-${stamp}`;
    const achievement = (externalId: string, word: string, title: string) => ({
      externalId,
      title: `${title} ${word}`,
      summary: `故障测试用成果 ${word}`,
      description: `用于故障测试的成果介绍，检索词 ${word}。`,
      field: "plateau-agriculture",
      keywords: ["故障测试", word],
      ipType: "trade-secret",
      trl: 6,
      transactionModes: ["transfer"],
      price: { mode: "negotiable" },
      owner: { name: "文山故障测试研究所", type: "institute" },
      region: "532623",
    });
    const importing = (body: unknown) => api("/import", admin, { source, ...(body as object) });
    const search = async (kind: "achievements" | "demands", q: string) => {
      const res = await fetch(`${app.baseURL}/search?kind=${kind}&q=${encodeURIComponent(q)}`);
      if (res.status !== 200) throw new Error(`search answered ${res.status}`);
      return res.text();
    };
    const shows = (html: string, kind: string, id: string) => html.includes(`/${kind}/${id}"`);

    // Before: two published listings the search finds — one to edit, one to withdraw.
    const before = await importing({
      achievements: [achievement("E", oldWord, "三七故障测试成果（待修改）"), achievement("W", oldWord, "三七故障测试成果（待撤回）")],
    });
    expect(before.status).toBe(200);
    const [edited, withdrawn] = ((await before.json()).achievements as { id: string }[]).map((a) => a.id);
    await until(
      "both are found before the outage",
      async () => {
        const html = await search("achievements", oldWord);
        return shows(html, "achievements", edited!) && shows(html, "achievements", withdrawn!) ? true : undefined;
      },
      60_000,
    );
    const broker = new HttpClient(app.baseURL);
    expect((await broker.login("broker@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);

    const meili = await app.killHeld("meilisearch");
    let added: string, addedDemand: string;
    try {
      // Search says it is unavailable (503, docs/api.md); writes are not its business.
      expect((await fetch(`${app.baseURL}/search?q=${oldWord}`)).status).toBe(503);
      const writes = await importing({
        achievements: [
          achievement("N", addWord, "三七故障测试成果（停机时发布）"),
          achievement("E", newWord, "三七故障测试成果（已修改）"),
        ],
        demands: [
          {
            externalId: "D",
            title: `三七烘干故障测试需求 ${addWord}`,
            description: `合作社需要节能烘干技术，检索词 ${addWord}。`,
            field: "advanced-manufacturing",
            transactionModes: ["license"],
            enterprise: { name: "西畴县故障测试合作社", type: "enterprise" },
            region: "532623",
          },
        ],
      });
      expect(writes.status).toBe(200);
      const result = await writes.json();
      expect(result.totals).toMatchObject({ created: 2, updated: 1, refused: 0 });
      added = result.achievements[0].id;
      addedDemand = result.demands[0].id;
      // A reviewer takes a listing down through its page, as a person does.
      const { csrf } = await broker.page(`/achievements/${withdrawn}`);
      const withdraw = await broker.post(`/achievements/${withdrawn}`, { csrf, intent: "withdraw" });
      expect(withdraw.status).toBeLessThan(400);
      const item = await (await api(`/achievements/${withdrawn}`, admin)).json();
      expect(item.status).toBe("withdrawn");
      // Waiting for the index, visibly to an operator.
      const health = await (await fetch(`${app.baseURL}/healthz`)).json();
      expect(health.searchBacklog.pending).toBeGreaterThan(0);
    } finally {
      meili.release();
    }
    const releasedAt = Date.now();

    await until(
      "the index converges: the new listing and demand found, the edit shown, the withdrawn one gone",
      async () => {
        const [addedHtml, demandHtml, newHtml, oldHtml] = await Promise.all([
          search("achievements", addWord),
          search("demands", addWord),
          search("achievements", newWord),
          search("achievements", oldWord),
        ]);
        return shows(addedHtml, "achievements", added) &&
          shows(demandHtml, "demands", addedDemand) &&
          shows(newHtml, "achievements", edited!) &&
          !shows(oldHtml, "achievements", edited!) &&
          !shows(oldHtml, "achievements", withdrawn!)
          ? true
          : undefined;
      },
      180_000,
    );
    const convergedSeconds = (Date.now() - releasedAt) / 1000;
    await until("the search backlog is empty", async () =>
      (await (await fetch(`${app.baseURL}/healthz`)).json()).searchBacklog?.pending === 0 ? true : undefined,
    );
    await annotate(`index converged ${convergedSeconds.toFixed(1)}s after Meilisearch could be restarted`);
  }, 360_000);

  it("mongod killed while a bank receipt's transaction is in flight: nothing of it is stored, the books balance, and recording it again records it once", async () => {
    // The demo's partly paid deal: the admin records the bank transfer that pays its 尾款 (stage 2).
    const deal = (await Deal.findOne({ listingTitle: "三七种苗漂浮育苗与脱毒快繁技术" }).lean())!;
    const dealId = String(deal._id);
    const stage = (await DealStage.findOne({ deal: deal._id, number: 2 }).lean())!;
    expect(stage.status).not.toBe("paid");
    const bankRef = `FT-${Date.now()}`;
    const body = {
      reference: stage.reference,
      amount: ((stage.amount - stage.paid) / 100).toFixed(2),
      receivedOn: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
      bankRef,
    };
    const snapshot = async () => ({
      receipts: (await DealStage.findById(stage._id).lean())!.receipts.length,
      refs: await BankReceiptRef.countDocuments({ _id: bankRef }),
      audits: await AuditEvent.countDocuments({
        subjectType: "deal",
        subject: deal._id,
        action: { $in: ["receipt.recorded", "stage.paid"] },
      }),
      payouts: await Payout.countDocuments({ stage: stage._id }),
      ledgerLines: await mongoose.connection.db!.collection("medici_transactions").countDocuments({ "meta.deal": dealId }),
      told: await Notification.countDocuments({ link: `/deals/${dealId}/stages/2` }),
      paymentState: (await Deal.findById(deal._id).lean())!.paymentState,
    });
    const before = await snapshot();

    // The app's transaction writes the deal last (its payment state): held, so the receipt's
    // reference, stage, ledger journal, payouts and audit entries are written and not committed.
    const lock = await holdDocument(Deal.collection, deal._id);
    const aborted = await abortedTransactions();
    const first = answered(api("/stages/receipts", admin, body));
    await inFlight(aborted, [first]);
    const mongod = await app.killHeld("mongod");
    let during: Awaited<typeof first>;
    try {
      during = await first;
    } finally {
      mongod.release();
      await lock.endSession().catch(() => {});
    }
    // The admin is told it did not work (503), not that it did.
    expect(during).not.toBe("cut");
    expect((during as { status: number }).status).toBe(503);
    await until(
      "mongod is back and the app answers",
      async () => {
        const h = await fetch(`${app.baseURL}/healthz`);
        return h.status === 200 && (await h.json()).embedded.mongod.state === "up" ? true : undefined;
      },
      120_000,
    );
    // None of it: not the reference, not the receipt, not a ledger line, payout, audit entry or notification.
    expect(await until("MongoDB answers the test", () => snapshot())).toEqual(before);
    expect((await dealBooks(dealId)).balanced).toBe(true);

    // The admin records it again: once; a third time is refused as recorded.
    const again = await until("the receipt is recorded", async () => {
      const res = await api("/stages/receipts", admin, body);
      return res.status === 503 ? undefined : res;
    });
    expect(again.status).toBe(201);
    const third = await api("/stages/receipts", admin, body);
    expect(third.status).toBe(409);
    expect((await third.json()).error).toMatchObject({ status: 409, code: "conflict" });

    const after = await snapshot();
    expect(after.receipts).toBe(before.receipts + 1);
    expect(after.refs).toBe(1);
    expect(after.audits).toBe(before.audits + 2); // receipt.recorded and stage.paid, once each
    expect(after.payouts).toBeGreaterThan(before.payouts);
    expect(after.paymentState).toBe("paid");
    const paid = (await DealStage.findById(stage._id).lean())!;
    expect(paid).toMatchObject({ status: "paid", paid: stage.amount });
    expect(paid.receipts.filter((r) => r.bankRef === bankRef)).toHaveLength(1);
    expect((await dealBooks(dealId)).balanced).toBe(true);
  }, 300_000);

  it("two bureau approvals of one registration race and the app dies between: after the restart it gets exactly one number, the next in the sequence, and the certificate shows it", async () => {
    const bureau = await app.token(["--name", "faults-bureau-a", "--user", "bureau@demo.chengguo.cn"]);
    const clerk = await person("clerk@faults.test", ["bureau"], "西畴县科学技术局故障测试组", "government");
    const bureau2 = await app.token(["--name", "faults-bureau-b", "--user", clerk.email]);
    const queue = await Registration.find({ status: "submitted" }, { _id: 1, projectName: 1 }).sort({ _id: 1 }).limit(2).lean();
    expect(queue).toHaveLength(2);
    const [r1, r2] = queue.map((r) => ({ id: String(r._id), _id: r._id, projectName: r.projectName }));
    const counters = async () =>
      Object.fromEntries((await RegistrationCounter.find().lean()).map((c) => [String(c._id), (c as { seq: number }).seq]));
    const countersBefore = await counters();

    // Both approvals reach the transaction that takes the next serial; the registration itself is
    // held, so each keeps taking it (uncommitted) and running again — when the app is killed.
    const lock = await holdDocument(Registration.collection, r1!._id);
    const aborted = await abortedTransactions();
    const a = answered(api(`/registrations/${r1!.id}/register`, bureau, {}));
    const b = answered(api(`/registrations/${r1!.id}/register`, bureau2, {}));
    await inFlight(aborted, [a, b], 4);
    await app.crash();
    await lock.endSession().catch(() => {});
    // Whatever the two requests heard, neither was told of a number.
    for (const x of [await a, await b]) {
      if (x !== "cut") expect(x.status).toBeGreaterThanOrEqual(500);
    }
    await app.spawn();

    // Nothing of either survived: still under review, no serial used up.
    expect(await until("MongoDB answers the test", async () => (await Registration.findById(r1!._id).lean())!.status)).toBe("submitted");
    expect(await counters()).toEqual(countersBefore);

    // The second clerk tries again: registered, with the next serial; the first clerk's retry is refused.
    const done = await api(`/registrations/${r1!.id}/register`, bureau2, {});
    expect(done.status).toBe(200);
    const number = (await done.json()).registration.number as string;
    const retried = await api(`/registrations/${r1!.id}/register`, bureau, {});
    expect(retried.status).toBe(409);
    const next = await api(`/registrations/${r2!.id}/register`, bureau, {});
    expect(next.status).toBe(200);
    const number2 = (await next.json()).registration.number as string;

    const key = number.slice(0, 10);
    const year = Number(number.slice(0, 4));
    expect(Number(number.slice(10)) - 1).toBe(countersBefore[`${year}-${number.slice(4, 10)}`] ?? 0);
    expect(number2).toBe(`${key}${String(Number(number.slice(10)) + 1).padStart(6, "0")}`);
    // The year's sequence at this point: every serial once, none missing.
    const numbered = await Registration.find({ number: { $regex: `^${key}` } }, { serial: 1, number: 1 }).lean();
    const serials = numbered.map((r) => r.serial!).sort((x, y) => x - y);
    expect(serials).toEqual(serials.map((_, i) => i + 1));
    expect((await counters())[`${year}-${number.slice(4, 10)}`]).toBe(serials.length);
    const r = (await Registration.findById(r1!._id).lean())!;
    expect(r.history.filter((h) => h.action === "registered")).toHaveLength(1);
    expect(await AuditEvent.countDocuments({ subjectType: "registration", subject: r1!._id, action: "registered" })).toBe(1);

    // The certificate and the public verification say the same number and contract.
    const verify = await fetch(`${app.baseURL}/api/v1/verify/${number}`);
    expect(verify.status).toBe(200);
    expect(JSON.stringify(await verify.json())).toContain(r1!.projectName);
    const desk = new HttpClient(app.baseURL);
    expect((await desk.login("bureau@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    const certificate = await desk.get(`/registrations/${r1!.id}/certificate`);
    expect(certificate.status).toBe(200);
    const html = await certificate.text();
    expect(html).toContain(`${number.slice(0, 4)}-${number.slice(4, 8)}-${number.slice(8, 10)}-${number.slice(10)}`);
  }, 420_000);

  it("webhooks twice and out of order, through the app over HTTP with signed payloads: each effect once, and the end state as in order", async ({
    annotate,
  }) => {
    const seller = await demoUser("seller@demo.chengguo.cn");
    const buyer = await demoUser("buyer@demo.chengguo.cn");
    const broker = await demoUser("broker@demo.chengguo.cn");
    const buyerToken = await app.token(["--name", "faults-webhooks-buyer", "--user", buyer.email]);
    const u = new URL(app.stripeBase);
    const stripe = new Stripe(LOCAL_STRIPE_KEY, { host: u.hostname, port: Number(u.port), protocol: "http", telemetry: false });

    // The gateway's deliveries are ours to make: the app's webhook endpoint is taken off the local
    // server (its secret kept, as the app keeps it), so nothing arrives unless this test sends it.
    const appPort = new URL(app.baseURL).port;
    const state = JSON.parse(await fs.readFile(path.join(app.dataDir, "stripe-local.json"), "utf8")) as {
      endpoints: Record<string, { id: string; url: string; secret: string }>;
    };
    const endpoint = Object.values(state.endpoints).find((e) => e.url.endsWith(`:${appPort}/webhooks/stripe`))!;
    expect(endpoint).toBeTruthy();
    await stripe.webhookEndpoints.del(endpoint.id);

    type StripeEvent = { id: string; type: string; data: { object: Record<string, unknown> } };
    const eventsOf = async (paymentId: string, intentRef: string | null): Promise<StripeEvent[]> => {
      const all = ((await (await fetch(`${app.stripeBase}/_local/events`)).json()) as { data: StripeEvent[] }).data;
      return all.filter((e) => {
        const text = JSON.stringify(e.data.object);
        return text.includes(paymentId) || (intentRef !== null && text.includes(intentRef));
      });
    };
    // A delivery is signed once and sent as it is: sent again, it is the very same bytes and
    // signature (a replay); `fresh` signs it anew, as Stripe's retry does (a new timestamp).
    const signed = new Map<string, { payload: string; signature: string }>();
    const deliver = async (event: StripeEvent, opts: { fresh?: boolean } = {}) => {
      let d = signed.get(event.id);
      if (!d || opts.fresh) {
        const payload = JSON.stringify(event, null, 2);
        d = { payload, signature: Stripe.webhooks.generateTestHeaderString({ payload, secret: endpoint.secret }) };
        signed.set(event.id, d);
      }
      const res = await fetch(`${app.baseURL}/webhooks/stripe`, {
        method: "POST",
        headers: { "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": d.signature },
        body: d.payload,
      });
      return { status: res.status, result: ((await res.json()) as { result?: string }).result };
    };
    const one = (events: StripeEvent[], type: string) => {
      const found = events.filter((e) => e.type === type);
      expect(found, type).toHaveLength(1);
      return found[0]!;
    };

    /** A due stage on a deal of its own; the buyer pays it by Checkout (a declined card first). */
    const paidStage = async (amountFen: number) => {
      const { dealId } = await openTestDeal(seller, buyer, broker, { price: amountFen });
      await stageWithReceipts(dealId, buyer, seller.organization!.id, 1, amountFen, []);
      const started = await api(`/deals/${dealId}/stages/1/checkout`, buyerToken, {});
      expect(started.status).toBe(201);
      const { paymentId, checkoutUrl } = (await started.json()) as { paymentId: string; checkoutUrl: string };
      expect((await payCheckout(checkoutUrl, { card: "decline" })).status).toBe(402);
      expect((await payCheckout(checkoutUrl)).status).toBe(303);
      const intentRef = (await stripe.checkout.sessions.retrieve(new URL(checkoutUrl).pathname.split("/").pop()!)).payment_intent as string;
      return { dealId, paymentId, intentRef };
    };
    const effects = async (dealId: string, paymentId: string) => {
      const stage = (await DealStage.findOne({ deal: dealId, number: 1 }).lean())!;
      const p = (await Payment.findById(paymentId).lean())!;
      return {
        stage: stage.status,
        receipts: stage.receipts.filter((r) => String(r.payment) === paymentId).length,
        payment: p.status,
        refunded: p.refundedAmount ?? 0,
        succeededEntries: p.history.filter((h) => h.status === "succeeded").length,
        recorded: await AuditEvent.countDocuments({ subjectType: "deal", subject: dealId, action: "receipt.recorded" }),
        told: await Notification.countDocuments({ type: "stage.paid", link: `/deals/${dealId}/stages/1` }),
        balanced: (await dealBooks(dealId)).balanced,
      };
    };

    {
      // 1. payment_intent.succeeded before checkout.session.completed, each twice, and the declined
      //    attempt's old payment_intent.payment_failed after the success.
      const x = await paidStage(2_000_00);
      const xs = await eventsOf(x.paymentId, x.intentRef);
      const succeeded = one(xs, "payment_intent.succeeded");
      const completed = one(xs, "checkout.session.completed");
      const failed = one(xs, "payment_intent.payment_failed");
      const order = [succeeded, succeeded, failed, completed, completed, failed];
      const answers = [];
      for (const e of order) answers.push(await deliver(e));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(answers.map((a) => a.result)).toEqual(["applied", "duplicate", "applied", "applied", "duplicate", "duplicate"]);
      const told = (await User.find({ email: { $in: [buyer.email, seller.email] } }, { _id: 1 }).lean()).length;
      expect(await effects(x.dealId, x.paymentId)).toEqual({
        stage: "paid",
        receipts: 1,
        payment: "succeeded",
        refunded: 0,
        succeededEntries: 1,
        recorded: 1,
        told: expect.any(Number),
        balanced: true,
      });
      expect((await effects(x.dealId, x.paymentId)).told).toBeGreaterThanOrEqual(told);
      const toldOnce = await Notification.aggregate([
        { $match: { type: "stage.paid", link: `/deals/${x.dealId}/stages/1` } },
        { $group: { _id: "$user", n: { $sum: 1 } } },
        { $match: { n: { $gt: 1 } } },
      ]);
      expect(toldOnce).toEqual([]);

      // 2. A refund made at the gateway (its dashboard) whose charge.refunded arrives before the
      //    payment's success: the end state is the in-order one — paid once, then refunded.
      const y = await paidStage(3_000_00);
      await stripe.refunds.create({ payment_intent: y.intentRef, amount: 1_000_00 });
      const ys = await eventsOf(y.paymentId, y.intentRef);
      const refunded = one(ys, "charge.refunded");
      const early = await deliver(refunded);
      // Not applicable yet: not taken as done, so the gateway delivers it again later.
      expect(early.status).toBeGreaterThanOrEqual(400);
      expect((await Payment.findById(y.paymentId).lean())!.status).toBe("pending");
      expect(await deliver(one(ys, "checkout.session.completed"))).toMatchObject({ status: 200, result: "applied" });
      expect(await deliver(one(ys, "payment_intent.succeeded"))).toMatchObject({ status: 200, result: "applied" });
      // The gateway's retry of the refund (signed anew), then that delivery replayed.
      expect(await deliver(refunded, { fresh: true })).toMatchObject({ status: 200, result: "applied" });
      expect(await deliver(refunded)).toMatchObject({ status: 200, result: "duplicate" });
      expect(await effects(y.dealId, y.paymentId)).toMatchObject({
        stage: "paid",
        receipts: 1,
        payment: "refunded",
        refunded: 1_000_00,
        succeededEntries: 1,
        recorded: 1,
        balanced: true,
      });
      await annotate(`deliveries answered: ${answers.map((a) => a.result).join(", ")}; early refund ${early.status}`);
    }
    // The app registers its endpoint anew when it starts; nothing after this test needs deliveries.
  }, 300_000);
});
