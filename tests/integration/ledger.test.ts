import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { AuctionRegistration } from "~/models/auction.server.ts";
import { LedgerKey } from "~/models/ledger-key.server.ts";
import { Payment } from "~/models/payment.server.ts";
import * as adminLedger from "~/routes/admin.ledger.tsx";
import * as myCommissions from "~/routes/my.commissions.tsx";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { initLedger, ledgerLines } from "~/services/ledger/book.server.ts";
import { postPaymentReceived, postPayout, postStageDue, postStageShares } from "~/services/ledger/deals.server.ts";
import { postDepositForfeited } from "~/services/ledger/deposits.server.ts";
import { post, type Posting } from "~/services/ledger/post.server.ts";
import { accountBalance, brokerCommissions, dealBooks, platformBalances, reconciliation } from "~/services/ledger/queries.server.ts";
import { move } from "~/services/payments/records.server.ts";
import "~/services/payment-purposes.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * The ledger (issue 14, point 7; decision 017): balanced medici journals in the caller's
 * transaction, once per key, and the reads an admin and a broker see — on the real replica set.
 */
const pages = pageRequests();
const ADMIN = { roles: ["admin"] as const };
const oid = () => String(new mongoose.Types.ObjectId());
const journals = () => mongoose.connection.collection("medici_journals").countDocuments();
const lines = () => ledgerLines().countDocuments();

beforeAll(async () => {
  await pages.init();
  await initLedger();
});

/** A stage of `fen` falls due on `deal`: the buyer owes it, the seller is owed it. */
const stageDue = (deal: string, buyer: string, seller: string, fen: number, key = `stage:${deal}:1`): Posting => ({
  key,
  memo: "首付款到期 First stage due",
  movement: "stage-due",
  deal,
  lines: [
    { account: "buyerReceivable", debit: fen, party: buyer },
    { account: "sellerPayable", credit: fen, party: seller },
  ],
});

describe("posting", () => {
  it("refuses an unbalanced posting, a fractional amount and a zero line, and writes nothing", async () => {
    const deal = oid();
    const before = { journals: await journals(), lines: await lines(), keys: await LedgerKey.countDocuments() };
    const unbalanced: Posting = {
      ...stageDue(deal, "b", "s", 100_00, "unbalanced"),
      lines: [
        { account: "buyerReceivable", debit: 100_00 },
        { account: "sellerPayable", credit: 99_99 },
      ],
    };
    const fractional: Posting = {
      ...stageDue(deal, "b", "s", 100_00, "fractional"),
      lines: [
        { account: "buyerReceivable", debit: 100.5 },
        { account: "sellerPayable", credit: 100.5 },
      ],
    };
    const zero: Posting = {
      ...stageDue(deal, "b", "s", 0, "zero"),
    };
    for (const [p, field, code] of [
      [unbalanced, "lines", "ledger.unbalanced"],
      [fractional, "lines.0.amountFen", "ledger.amountNotFen"],
      [zero, "lines.0.amountFen", "ledger.amountNotFen"],
    ] as const) {
      const err = await withTransaction((s) => post(s, p)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors?.[field]).toContain(code);
    }
    expect({ journals: await journals(), lines: await lines(), keys: await LedgerKey.countDocuments() }).toEqual(before);
  });

  it("posts once per key: a retry and five concurrent calls write one journal", async () => {
    const deal = oid();
    const p = stageDue(deal, "buyer-1", "seller-1", 300_000_00);
    const first = await withTransaction((s) => post(s, p));
    const retry = await withTransaction((s) => post(s, p));
    expect(first.posted).toBe(true);
    expect(retry).toEqual({ journalId: first.journalId, posted: false });

    const deal2 = oid();
    const q = stageDue(deal2, "buyer-2", "seller-2", 50_000_00);
    // Five at once (a webhook delivered while the return page syncs, twice): one writes, four find it.
    const all = await Promise.all(Array.from({ length: 5 }, () => withTransaction((s) => post(s, q))));
    expect(all.filter((r) => r.posted)).toHaveLength(1);
    expect(new Set(all.map((r) => r.journalId)).size).toBe(1);
    expect(await LedgerKey.countDocuments({ _id: q.key })).toBe(1);
    for (const d of [deal, deal2]) {
      expect(await ledgerLines().countDocuments({ "meta.deal": d })).toBe(2);
    }
    expect(await accountBalance("buyerReceivable", { deal: deal2 })).toBe(50_000_00);
    // The same key with other lines is a programming error, not a silent no-op.
    await expect(withTransaction((s) => post(s, stageDue(deal2, "buyer-2", "seller-2", 1)))).rejects.toThrow(/posted before/);
  });

  it("leaves no journal when the caller's transaction rolls back", async () => {
    const deal = oid();
    const before = { journals: await journals(), keys: await LedgerKey.countDocuments() };
    await expect(
      withTransaction(async (s) => {
        await post(s, stageDue(deal, "b", "s", 10_00));
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect({ journals: await journals(), keys: await LedgerKey.countDocuments() }).toEqual(before);
    expect(await ledgerLines().countDocuments({ "meta.deal": deal })).toBe(0);
    // The key is free: the movement posts when the state change succeeds.
    expect((await withTransaction((s) => post(s, stageDue(deal, "b", "s", 10_00)))).posted).toBe(true);
  });
});

describe("reads", () => {
  it("balances per deal and account, and a broker's owed and paid per deal and in total", async () => {
    const [dealA, dealB, buyer, seller, broker] = [oid(), oid(), oid(), oid(), oid()];
    const platformBefore = await platformBalances();
    const cashBefore = platformBefore.find((a) => a.account === "cashBank")?.balanceFen ?? 0;
    await withTransaction(async (s) => {
      for (const [deal, fen] of [
        [dealA, 200_000_00],
        [dealB, 100_000_00],
      ] as const) {
        await post(s, stageDue(deal, buyer, seller, fen));
        await post(s, {
          key: `received:${deal}`,
          memo: "对公转账到账 Bank transfer received",
          movement: "payment-received",
          deal,
          lines: [
            { account: "cashBank", debit: fen, party: buyer },
            { account: "buyerReceivable", credit: fen, party: buyer },
          ],
        });
        await post(s, {
          key: `commission:${deal}`,
          memo: "经纪佣金 Commission",
          movement: "commission",
          deal,
          lines: [
            { account: "sellerPayable", debit: fen / 20, party: seller },
            { account: "brokerPayable", credit: fen / 20, party: broker },
          ],
        });
      }
      // The broker is paid on deal A only.
      await post(s, {
        key: `payout:${dealA}:broker`,
        memo: "佣金付出 Commission paid",
        movement: "payout",
        deal: dealA,
        lines: [
          { account: "brokerPayable", debit: 10_000_00, party: broker },
          { account: "cashBank", credit: 10_000_00 },
        ],
      });
    });

    const a = await dealBooks(dealA);
    expect(a.balanced).toBe(true);
    expect(a.debitFen).toBe(a.creditFen);
    const bal = Object.fromEntries(a.accounts.map((x) => [x.account, x.balanceFen]));
    expect(bal).toEqual({ buyerReceivable: 0, cashBank: 190_000_00, sellerPayable: 190_000_00, brokerPayable: 0 });
    expect(await accountBalance("sellerPayable", { deal: dealB, party: seller })).toBe(95_000_00);

    const b = await brokerCommissions(broker);
    expect(b.deals).toEqual(
      [
        { deal: dealA, owedFen: 10_000_00, reversedFen: 0, paidFen: 10_000_00, outstandingFen: 0 },
        { deal: dealB, owedFen: 5_000_00, reversedFen: 0, paidFen: 0, outstandingFen: 5_000_00 },
      ].sort((x, y) => x.deal.localeCompare(y.deal)),
    );
    expect(b.total).toEqual({ owedFen: 15_000_00, reversedFen: 0, paidFen: 10_000_00, outstandingFen: 5_000_00 });

    const cashAfter = (await platformBalances()).find((x) => x.account === "cashBank")!.balanceFen;
    expect(cashAfter - cashBefore).toBe(290_000_00);
  });

  it("the reconciliation flags a deal whose books do not balance and a payment whose cash differs from its record", async () => {
    const [deal, payer] = [oid(), oid()];
    await withTransaction((s) => post(s, stageDue(deal, payer, "seller", 80_000_00)));
    let report = await reconciliation(ADMIN);
    expect(report.unbalancedDeals).not.toContain(deal);
    const row = report.deals.find((d) => d.deal === deal)!;
    expect(row).toMatchObject({ receivableFen: 80_000_00, payableFen: 80_000_00, balanced: true });

    // A line written behind the ledger's back (not through `post`): the deal no longer balances.
    await ledgerLines().collection.insertOne({
      book: "chengguo",
      accounts: "Assets:Cash:Bank",
      account_path: ["Assets", "Cash", "Bank"],
      debit: 1,
      credit: 0,
      datetime: new Date(),
      memo: "stray",
      meta: { deal, movement: "adjustment" },
    });
    // A payment that took 500 yuan, posted in the ledger as 400.
    const payment = await Payment.create({
      purpose: "contract-stage",
      kind: "checkout",
      gateway: "stripe",
      status: "succeeded",
      amount: 500_00,
      payer,
      subject: { kind: "deal", id: deal },
    });
    await withTransaction((s) =>
      post(s, {
        key: `received:${payment.id}`,
        memo: "收款 Received",
        movement: "payment-received",
        deal,
        lines: [
          { account: "cashStripe", debit: 400_00, payment: payment.id },
          { account: "buyerReceivable", credit: 400_00, party: payer },
        ],
      }),
    );
    report = await reconciliation(ADMIN);
    expect(report.unbalancedDeals).toContain(deal);
    expect(report.cashDifferences).toContainEqual({ payment: payment.id, ledgerFen: 400_00, recordedFen: 500_00 });
  });
});

describe("a deal's movements", () => {
  it("a stage due, paid by Checkout, shared with the broker and the platform, and paid out leaves the deal's books balanced and reconciled", async () => {
    const [deal, buyer, seller, broker] = [oid(), oid(), oid(), oid()];
    const payment = await Payment.create({
      purpose: "contract-stage",
      kind: "checkout",
      gateway: "stripe",
      status: "succeeded",
      amount: 100_000_00,
      payer: buyer,
      subject: { kind: "deal", id: deal },
    });
    const flow = (s: mongoose.ClientSession) =>
      (async () => {
        await postStageDue(s, { deal, stage: "1", buyer, seller, amountFen: 100_000_00 });
        await postPaymentReceived(s, { deal, receipt: payment.id, payment: payment.id, buyer, amountFen: 100_000_00, via: "stripe" });
        await postStageShares(s, { deal, stage: "1", seller, broker, commissionFen: 5_000_00, feeFen: 1_000_00 });
        await postPayout(s, { deal, payout: "bank-1", to: "seller", party: seller, amountFen: 94_000_00, via: "bank" });
        await postPayout(s, { deal, payout: "bank-2", to: "broker", party: broker, amountFen: 5_000_00, via: "bank" });
      })();
    await withTransaction(flow);
    await withTransaction(flow); // a retried click or webhook: nothing twice
    const books = await dealBooks(deal);
    expect(books.balanced).toBe(true);
    expect(Object.fromEntries(books.accounts.map((a) => [a.account, a.balanceFen]))).toEqual({
      buyerReceivable: 0,
      cashStripe: 100_000_00,
      cashBank: -99_000_00, // paid out from the bank; moving the Stripe balance there is not this deal's posting
      sellerPayable: 0,
      brokerPayable: 0,
      platformFees: 1_000_00,
    });
    const report = await reconciliation(ADMIN);
    expect(report.deals.find((d) => d.deal === deal)).toMatchObject({
      receivableFen: 0,
      receivedFen: 100_000_00,
      payableFen: 0,
      paidOutFen: 99_000_00,
      commissionFen: 5_000_00,
      balanced: true,
    });
    expect(report.cashDifferences.find((c) => c.payment === payment.id)).toBeUndefined();
    expect((await brokerCommissions(broker)).total).toEqual({ owedFen: 5_000_00, reversedFen: 0, paidFen: 5_000_00, outstandingFen: 0 });
  });
});

describe("auction deposits in the books", () => {
  it("a capture posts to deposits held with the payment's change; a refund posts back; a forfeit goes to platform income; a replay posts nothing", async () => {
    const user = new mongoose.Types.ObjectId();
    const payment = await Payment.create({
      purpose: "auction-deposit",
      kind: "hold",
      gateway: "stripe",
      status: "held",
      amount: 5_000_00,
      payer: user,
      subject: { kind: "auction-registration", id: new mongoose.Types.ObjectId() },
    });
    await AuctionRegistration.create({
      _id: payment.subject!.id,
      auction: new mongoose.Types.ObjectId(),
      user,
      userName: "兴街镇合作社",
      number: 1,
      agreementVersion: "2025-01",
      agreementAcceptedAt: new Date(),
      deposit: { status: "held", amount: 5_000_00, payment: payment._id },
    });
    const held = () => accountBalance("depositsHeld", { party: String(user) });

    expect(await move(payment._id, ["held"], "captured", { source: "capture" }, { capturedAmount: 5_000_00 })).toBe(true);
    expect(await held()).toBe(5_000_00);
    expect((await reconciliation(ADMIN)).cashDifferences.find((c) => c.payment === payment.id)).toBeUndefined();
    // A second capture of the same payment (another process) changes nothing and posts nothing.
    expect(await move(payment._id, ["held"], "captured", { source: "capture" }, { capturedAmount: 5_000_00 })).toBe(false);
    expect(await ledgerLines().countDocuments({ "meta.payment": payment.id })).toBe(2);

    await move(payment._id, ["captured"], "refunded", { source: "refund" }, { refundedAmount: 2_000_00 });
    expect(await held()).toBe(3_000_00);
    expect((await reconciliation(ADMIN)).cashDifferences.find((c) => c.payment === payment.id)).toBeUndefined();

    // The winner lets the deal lapse: the rest is forfeited to the platform, once.
    const forfeitsBefore = await accountBalance("depositForfeits");
    const money = { paymentId: payment.id, registrationId: String(payment.subject!.id), payerId: String(user), amountFen: 3_000_00 };
    expect((await withTransaction((s) => postDepositForfeited(s, money))).posted).toBe(true);
    expect((await withTransaction((s) => postDepositForfeited(s, money))).posted).toBe(false);
    expect(await held()).toBe(0);
    expect((await accountBalance("depositForfeits")) - forfeitsBefore).toBe(3_000_00);
  });
});

describe("/admin/ledger", () => {
  it("shows the balances and the reconciliation to admins only", async () => {
    const admin = await pages.person("ledger-admin@chengguo.cn", ["admin"], null);
    const buyer = await pages.person("ledger-buyer@chengguo.cn", ["buyer"], "某公司");
    const anon = await pages.call(adminLedger.loader, pages.get("/admin/ledger", null));
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toMatch(/^\/login/);
    const denied = await pages.call(adminLedger.loader, pages.get("/admin/ledger", buyer));
    expect(denied.status).toBe(403);
    await expect(reconciliation(buyer)).rejects.toThrow();

    const res = await pages.call(adminLedger.loader, pages.get("/admin/ledger", admin));
    expect(res.status).toBe(200);
    const data = (await res.json()) as Awaited<ReturnType<typeof reconciliation>>;
    expect(data.platform.map((a) => a.account)).toContain("cashStripe");
    expect(data.deals.length).toBeGreaterThan(0);
  });
});

describe("/my/commissions", () => {
  it("shows a broker their own commissions owed and paid, per deal and in total; nobody else's", async () => {
    const broker = await pages.person("ledger-broker@chengguo.cn", ["broker"], null);
    const other = await pages.person("ledger-broker2@chengguo.cn", ["broker"], null);
    const seller = await pages.person("ledger-seller@chengguo.cn", ["seller"], "某研究所");
    const deal = oid();
    await withTransaction(async (s) => {
      await post(s, {
        key: `commission:${deal}:page`,
        memo: "经纪佣金 Commission",
        movement: "commission",
        deal,
        lines: [
          { account: "sellerPayable", debit: 3_000_00, party: "seller" },
          { account: "brokerPayable", credit: 3_000_00, party: broker.id },
        ],
      });
      await post(s, {
        key: `payout:${deal}:page`,
        memo: "佣金付出 Commission paid",
        movement: "payout",
        deal,
        lines: [
          { account: "brokerPayable", debit: 1_000_00, party: broker.id },
          { account: "cashBank", credit: 1_000_00 },
        ],
      });
    });
    const res = await pages.call(myCommissions.loader, pages.get("/my/commissions", broker));
    expect(res.status).toBe(200);
    const mine = (await res.json()) as Awaited<ReturnType<typeof brokerCommissions>>;
    expect(mine.deals).toEqual([{ deal, owedFen: 3_000_00, reversedFen: 0, paidFen: 1_000_00, outstandingFen: 2_000_00 }]);
    expect(mine.total.outstandingFen).toBe(2_000_00);

    const theirs = (await (await pages.call(myCommissions.loader, pages.get("/my/commissions", other))).json()) as typeof mine;
    expect(theirs.deals).toEqual([]);
    expect((await pages.call(myCommissions.loader, pages.get("/my/commissions", seller))).status).toBe(403);
  });
});
