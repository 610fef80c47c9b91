import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRefund } from "~/models/deal-refund.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { Payout } from "~/models/payout.server.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { accountBalance, dealBooks } from "~/services/ledger/queries.server.ts";
import {
  adminCancelDeal,
  confirmCancellation,
  processGatewayRefunds,
  proposeCancellation,
  recordBankRefund,
  settleGatewayRefund,
  withdrawCancellation,
} from "~/services/settlement/cancel.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import * as adminRefundsPage from "~/routes/admin.refunds.tsx";
import * as cancellationApi from "~/routes/api.v1.deals.$id.cancellation.ts";
import * as bankRefundApi from "~/routes/api.v1.refunds.$id.bank.ts";
import * as cancelPage from "~/routes/deals.$id_.cancel.tsx";
import * as contractPage from "~/routes/deals.$id_.contract.tsx";
import { person, pdfBytes } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";
import "~/services/trading/auctions/deposits.server.ts";
import { capturedAuctionDeposit, openTestDeal, stagePayouts, stageWithReceipts, useLocalStripe } from "../support/settlement-fixture.ts";

/**
 * Issue 14, point 8: cancelling a deal before it is performed — by agreement (one side proposes,
 * the other confirms) or by an admin — refunds the paid stages (a Stripe refund through the SDK, a
 * bank refund an admin records), reverses the broker's commission, returns the listing to
 * trading, and keeps the deal's books balanced at every step.
 */

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, bureau: SessionUser, admin: SessionUser, stranger: SessionUser;
let stripeEnv: Awaited<ReturnType<typeof useLocalStripe>>;

const pages = pageRequests();

beforeAll(async () => {
  await pages.init();
  stripeEnv = await useLocalStripe();
  seller = await person("cancel-seller@wsu.cn", ["seller"], "文山学院", "university");
  buyer = await person("cancel-buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("cancel-broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心", "service-agency");
  bureau = await person("cancel-bureau@kjj.gov.cn", ["bureau"], "文山县科技局", "government");
  admin = await person("cancel-admin@chengguo.cn", ["admin"], null);
  stranger = await person("cancel-stranger@tea.cn", ["buyer"], "茶业公司");
});

afterAll(async () => {
  await stripeEnv.close();
});

const sellerParty = () => seller.organization!.id;
const as = (u: SessionUser) => actorOf(u);

async function refused<T extends Error>(p: Promise<unknown>, type: new (...a: never[]) => T): Promise<T> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(type);
  return e as T;
}

async function expectBalanced(dealId: string) {
  const books = await dealBooks(dealId);
  expect(books.balanced).toBe(true);
  return books;
}
const balanceOf = (books: Awaited<ReturnType<typeof dealBooks>>, account: string) =>
  books.accounts.find((a) => a.account === account)?.balanceFen ?? 0;

describe("cancellation by agreement", () => {
  it("refunds a Stripe-paid stage through the SDK and a bank-paid stage when the admin records it, reverses the commission and returns the listing to trading", async () => {
    const { dealId, listingId } = await openTestDeal(seller, buyer, broker);
    const first = await stageWithReceipts(dealId, buyer, sellerParty(), 1, 100_000_00, [{ via: "stripe", amount: 100_000_00 }]);
    await stageWithReceipts(dealId, buyer, sellerParty(), 2, 200_000_00, [{ via: "bank", amount: 50_000_00 }]);
    await stagePayouts(dealId, first, { party: sellerParty(), name: seller.organization!.name }, broker, 100_000_00, 3_000_00);
    await expectBalanced(dealId);
    expect(await accountBalance("brokerPayable", { deal: dealId, party: broker.id })).toBe(3_000_00);

    // The buyer proposes; the seller is told and confirms.
    await proposeCancellation(as(buyer), dealId, "技术指标无法达到合同约定");
    expect((await Deal.findById(dealId).lean())!.cancellation).toMatchObject({ side: "buyer", reason: "技术指标无法达到合同约定" });
    expect(await Notification.countDocuments({ user: seller.id, type: "deal.cancellationProposed" })).toBe(1);
    // The proposer cannot confirm their own proposal.
    await refused(confirmCancellation(as(buyer), dealId), ConflictError);
    await confirmCancellation(as(seller), dealId);

    const deal = (await Deal.findById(dealId).lean())!;
    expect(deal.status).toBe("cancelled");
    expect(deal.ended).toMatchObject({ byName: seller.name });
    expect(deal.ended!.reason).toContain("技术指标无法达到合同约定");
    expect((await Achievement.findById(listingId).lean())!.status).toBe("trading");
    expect((await DealStage.find({ deal: dealId }).lean()).map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    expect((await Payout.find({ deal: dealId }).lean()).map((p) => p.status)).toEqual(["reversed", "reversed"]);
    expect(await accountBalance("brokerPayable", { deal: dealId, party: broker.id })).toBe(0);
    expect(await AuditEvent.countDocuments({ subject: deal._id, action: "deal.cancelled" })).toBe(1);
    expect(await Notification.countDocuments({ user: buyer.id, type: "deal.cancelled" })).toBe(1);
    expect(await Notification.countDocuments({ user: seller.id, type: "deal.cancelled" })).toBe(1);

    // The Stripe receipt went back through the gateway at once; the bank one waits for the admin.
    const refunds = await DealRefund.find({ deal: dealId }).sort({ stageNumber: 1 }).lean();
    expect(refunds.map((r) => [r.via, r.amount, r.status])).toEqual([
      ["stripe", 100_000_00, "paid"],
      ["bank", 50_000_00, "due"],
    ]);
    const payment = (await Payment.findById(refunds[0]!.payment).lean())!;
    expect(payment).toMatchObject({ status: "refunded", refundedAmount: 100_000_00 });
    const atGateway = await stripeEnv.stripe.refunds.list({ payment_intent: payment.intentRef! });
    expect(atGateway.data.map((r) => r.amount)).toEqual([100_000_00]);
    let books = await expectBalanced(dealId);
    expect(balanceOf(books, "refundsPayable")).toBe(50_000_00);
    // The refund's webhook arriving after (or a retry of the refunds) posts nothing twice.
    await withTransaction((s) => settleGatewayRefund(s, String(payment._id)));
    expect(await processGatewayRefunds(dealId)).toBe(0);
    expect(balanceOf(await expectBalanced(dealId), "cashStripe")).toBe(0);
    expect((await Deal.findById(dealId).lean())!.paymentState).not.toBe("refunded");

    // Only an admin records a bank refund; the reference and the date are required.
    await refused(recordBankRefund(as(seller), String(refunds[1]!._id), { bankRef: "X", paidOn: "2026-12-01" }), ForbiddenError);
    const bad = await refused(
      recordBankRefund(as(admin), String(refunds[1]!._id), { bankRef: " ", paidOn: "not a date" }),
      ValidationError,
    );
    expect(Object.keys(bad.fieldErrors)).toEqual(["bankRef", "paidOn"]);
    await recordBankRefund(as(admin), String(refunds[1]!._id), { bankRef: "ICBC-20261204-0042", paidOn: "2026-12-04" });
    await refused(recordBankRefund(as(admin), String(refunds[1]!._id), { bankRef: "again", paidOn: "2026-12-04" }), ConflictError);

    books = await expectBalanced(dealId);
    for (const a of ["buyerReceivable", "sellerPayable", "brokerPayable", "refundsPayable", "cashStripe", "cashBank"]) {
      expect(balanceOf(books, a), a).toBe(0);
    }
    expect((await Deal.findById(dealId).lean())!.paymentState).toBe("refunded");
    expect(await AuditEvent.countDocuments({ subject: deal._id, action: "refund.paid" })).toBe(2);
    expect(await Notification.countDocuments({ user: buyer.id, type: "deal.refunded" })).toBe(1);
  });

  it("lets the proposer withdraw and the other side decline; a proposal needs a reason", async () => {
    const { dealId } = await openTestDeal(seller, buyer, broker);
    await refused(proposeCancellation(as(seller), dealId, "  "), ValidationError);
    await proposeCancellation(as(seller), dealId, "买方未按约定提供场地");
    await refused(proposeCancellation(as(buyer), dealId, "我也想取消"), ConflictError);
    expect(await withdrawCancellation(as(seller), dealId)).toBe("withdrawn");
    await refused(confirmCancellation(as(buyer), dealId), ConflictError);
    await proposeCancellation(as(seller), dealId, "买方未按约定提供场地");
    expect(await withdrawCancellation(as(buyer), dealId)).toBe("declined");
    const deal = (await Deal.findById(dealId).lean())!;
    expect(deal.status).toBe("open");
    expect(deal.cancellation?.side).toBeUndefined();
    expect(await AuditEvent.countDocuments({ subject: deal._id, action: "deal.cancellationDeclined" })).toBe(1);
  });

  it("refuses once money went out to the seller or the broker", async () => {
    const { dealId, listingId } = await openTestDeal(seller, buyer, broker);
    const stage = await stageWithReceipts(dealId, buyer, sellerParty(), 1, 300_000_00, [{ via: "bank", amount: 300_000_00 }]);
    await stagePayouts(dealId, stage, { party: sellerParty(), name: seller.organization!.name }, broker, 300_000_00, 9_000_00);
    await Payout.updateOne({ stage, to: "seller" }, { $set: { status: "paid", paidAt: new Date() } });
    const e = await refused(proposeCancellation(as(buyer), dealId, "不想要了"), ConflictError);
    expect(e.message).toBe("settlement.cancel.errors.performed");
    await refused(adminCancelDeal(as(admin), dealId, "争议裁决"), ConflictError);
    expect((await Deal.findById(dealId).lean())!.status).toBe("open");
    expect((await Achievement.findById(listingId).lean())!.status).toBe("deal");
    expect(await DealRefund.countDocuments({ deal: dealId })).toBe(0);
    await expectBalanced(dealId);
  });
});

describe("admin cancellation and who may cancel", () => {
  it("an admin cancels directly after a dispute, with a reason; the stage's Stripe money goes back", async () => {
    const { dealId, listingId } = await openTestDeal(seller, buyer, broker);
    await stageWithReceipts(dealId, buyer, sellerParty(), 1, 60_000_00, [{ via: "stripe", amount: 60_000_00 }]);
    await saveContract(seller, dealId, null);
    await refused(adminCancelDeal(as(admin), dealId, ""), ValidationError);
    await adminCancelDeal(as(admin), dealId, "经调解，双方争议无法解决");
    const deal = (await Deal.findById(dealId).lean())!;
    expect(deal).toMatchObject({
      status: "cancelled",
      paymentState: "refunded",
      ended: { byName: admin.name, reason: "经调解，双方争议无法解决" },
    });
    expect((await Achievement.findById(listingId).lean())!.status).toBe("trading");
    const books = await expectBalanced(dealId);
    expect(balanceOf(books, "cashStripe")).toBe(0);
    expect(balanceOf(books, "buyerReceivable")).toBe(0);
    // Its contract is void: nobody signs it any more.
    const e = await refused(signContract(buyer, dealId, { version: 1, ip: "127.0.0.1", distribution: null }), ConflictError);
    expect(e.message).toBe("contracts.errors.dealCancelled");
    // A cancelled deal cannot be cancelled again.
    await refused(adminCancelDeal(as(admin), dealId, "again"), ConflictError);
  });

  it("gives a won auction's captured deposit back when the deal is cancelled before any stage received it", async () => {
    const depositId = await capturedAuctionDeposit(buyer, 20_000_00);
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(20_000_00);
    const { dealId } = await openTestDeal(seller, buyer, broker, {
      source: "auction",
      deposit: { paymentId: depositId, amountFen: 20_000_00 },
    });
    await adminCancelDeal(as(admin), dealId, "拍卖标的权属争议");
    expect(await DealRefund.find({ deal: dealId }).lean()).toMatchObject([
      { via: "deposit", depositOnly: true, amount: 20_000_00, status: "paid" },
    ]);
    expect(await Payment.findById(depositId).lean()).toMatchObject({ status: "refunded", refundedAmount: 20_000_00 });
    expect(await accountBalance("depositsHeld", { party: buyer.id })).toBe(0);
    expect(await accountBalance("depositForfeits", { party: buyer.id })).toBe(0);
    expect((await Deal.findById(dealId).lean())!.paymentState).toBe("refunded");
    await expectBalanced(dealId);
  });

  it("a non-exclusive licence's cancellation gives its count back and leaves the listing trading", async () => {
    const { dealId, listingId } = await openTestDeal(seller, buyer, broker, {
      terms: { transactionMode: "license", licenseExclusivity: "non-exclusive" },
    });
    expect((await Achievement.findById(listingId).lean())!).toMatchObject({ status: "trading", nonExclusiveLicences: 1 });
    await adminCancelDeal(as(admin), dealId, "被许可方主体资格不符");
    expect((await Achievement.findById(listingId).lean())!).toMatchObject({ status: "trading", nonExclusiveLicences: 0 });
    expect((await Deal.findById(dealId).lean())!.status).toBe("cancelled");
  });

  it("a stranger learns nothing (404); the bureau, the broker and a party acting alone cannot cancel", async () => {
    const { dealId } = await openTestDeal(seller, buyer, broker);
    await refused(proposeCancellation(as(stranger), dealId, "x"), NotFoundError);
    await refused(adminCancelDeal(as(stranger), dealId, "x"), NotFoundError);
    await refused(proposeCancellation(as(bureau), dealId, "x"), ForbiddenError);
    await refused(adminCancelDeal(as(bureau), dealId, "x"), ForbiddenError);
    await refused(adminCancelDeal(as(seller), dealId, "x"), ForbiddenError);
    expect((await Deal.findById(dealId).lean())!.status).toBe("open");
  });
});

describe("the cancel page and the admin's refunds page (no JavaScript)", () => {
  it("a party proposes and the other confirms through the forms; the admin records the bank refund with its proof; strangers get 404", async () => {
    const pSeller = await pages.person("cancel-page-seller@ynu.cn", ["seller"], "云南农业研究所");
    const pBuyer = await pages.person("cancel-page-buyer@coop.cn", ["buyer"], "马关县三七合作社");
    const pAdmin = await pages.person("cancel-page-admin@chengguo.cn", ["admin"], null);
    const pStranger = await pages.person("cancel-page-stranger@tea.cn", ["buyer"], "普洱茶业");
    const { dealId, listingId } = await openTestDeal(pSeller, pBuyer, broker);
    await stageWithReceipts(dealId, pBuyer, pSeller.organization!.id, 1, 80_000_00, [{ via: "bank", amount: 80_000_00 }]);
    const path = `/deals/${dealId}/cancel`;
    const params = { id: dealId };

    expect((await pages.call(cancelPage.loader, pages.get(path, pStranger), params)).status).toBe(404);
    // The contract page shows the signing deadline.
    const contract = await (await pages.call(contractPage.loader, pages.get(`/deals/${dealId}/contract`, pBuyer), params)).json();
    expect(contract.page.signBy).toBe((await Deal.findById(dealId).lean())!.signBy!.toISOString());

    const empty = await pages.call(cancelPage.action, pages.post(path, pBuyer, { intent: "propose", reason: "" }), params);
    expect(empty.status).toBe(400);
    expect((await empty.json()).reply.error.reason).toEqual(["settlement.cancel.errors.reasonRequired"]);
    const proposed = await pages.call(cancelPage.action, pages.post(path, pBuyer, { intent: "propose", reason: "资金未获批" }), params);
    expect(proposed.status).toBe(302);
    expect(proposed.headers.get("Location")).toBe(`${path}?done=proposed`);
    // The buyer's page shows the proposal waiting; the seller's page the confirm and decline forms.
    const buyerHtml = (await renderPage(pages.get(path, pBuyer), cancelPage, "/deals/:id/cancel", pages.csrf.token)).html;
    expect(buyerHtml).toContain("已提出取消申请，等待对方确认。");
    expect(buyerHtml).toContain("撤回取消申请");
    const sellerHtml = (await renderPage(pages.get(path, pSeller), cancelPage, "/deals/:id/cancel", pages.csrf.token)).html;
    expect(sellerHtml).toContain("资金未获批");
    expect(sellerHtml).toContain('data-testid="confirm-cancel"');
    expect(sellerHtml).toContain("不同意取消");
    const seen = await (await pages.call(cancelPage.loader, pages.get(path, pSeller), params)).json();
    expect(seen.view).toMatchObject({ side: "seller", proposal: { side: "buyer", reason: "资金未获批" }, status: "open" });
    // A stranger's post learns nothing either.
    expect((await pages.call(cancelPage.action, pages.post(path, pStranger, { intent: "confirm" }), params)).status).toBe(404);
    const confirmed = await pages.call(cancelPage.action, pages.post(path, pSeller, { intent: "confirm" }), params);
    expect(confirmed.headers.get("Location")).toBe(`${path}?done=cancelled`);
    expect((await Achievement.findById(listingId).lean())!.status).toBe("trading");

    const after = await (await pages.call(cancelPage.loader, pages.get(path, pBuyer), params)).json();
    expect(after.view.status).toBe("cancelled");
    expect(after.view.refunds).toMatchObject([{ via: "bank", amount: 80_000_00, status: "due" }]);
    const refundId = after.view.refunds[0].id as string;

    // The admin's page: only for admins; lists the refund; records it with a proof file.
    expect((await pages.call(adminRefundsPage.loader, pages.get("/admin/refunds", pSeller))).status).toBe(403);
    const adminHtml = (await renderPage(pages.get("/admin/refunds", pAdmin), adminRefundsPage, "/admin/refunds", pages.csrf.token)).html;
    expect(adminHtml).toContain("登记银行退款");
    expect(adminHtml.toLowerCase()).toContain('enctype="multipart/form-data"');
    const list = await (await pages.call(adminRefundsPage.loader, pages.get("/admin/refunds", pAdmin))).json();
    expect(list.refunds.map((r: { id: string }) => r.id)).toContain(refundId);
    const upload = (fields: Record<string, string>, proof: Uint8Array, name: string) => {
      const body = new FormData();
      body.set("csrf", pages.csrf.token);
      for (const [k, v] of Object.entries(fields)) body.set(k, v);
      body.set("proof", new File([new Uint8Array(proof)], name));
      const base = pages.get("/admin/refunds", pAdmin);
      return new Request(base.url, { method: "POST", headers: { Cookie: base.headers.get("Cookie")! }, body });
    };
    const fields = { intent: "record", refund: refundId, bankRef: "ABC-20261204-7", paidOn: "2026-12-04" };
    const notPdf = await pages.call(adminRefundsPage.action, upload(fields, new TextEncoder().encode("not a pdf"), "回单.pdf"));
    expect(notPdf.status).toBe(400);
    expect((await notPdf.json()).reply.error.proof).toEqual(["settlement.refunds.errors.proof"]);
    const recorded = await pages.call(adminRefundsPage.action, upload(fields, pdfBytes("回单"), "回单.pdf"));
    expect(recorded.headers.get("Location")).toBe("/admin/refunds?done=recorded");
    const refund = (await DealRefund.findById(refundId).lean())!;
    expect(refund).toMatchObject({ status: "paid", bankRef: "ABC-20261204-7", recordedBy: { name: pAdmin.name } });
    expect(refund.proofFile).toBeTruthy();
    expect((await Deal.findById(dealId).lean())!.paymentState).toBe("refunded");
    await expectBalanced(dealId);
  });
});

describe("API v1", () => {
  it("POST /api/v1/deals/:id/cancellation proposes, confirms and admin-cancels by the same rules; POST /api/v1/refunds/:id/bank records a bank refund", async () => {
    const aSeller = await pages.person("cancel-api-seller@ynu.cn", ["seller"], "云南热作研究所");
    const aBuyer = await pages.person("cancel-api-buyer@coop.cn", ["buyer"], "砚山县辣椒合作社");
    const aAdmin = await pages.person("cancel-api-admin@chengguo.cn", ["admin"], null);
    const aBureau = await pages.person("cancel-api-bureau@kjj.gov.cn", ["bureau"], "砚山县科技局");
    const aStranger = await pages.person("cancel-api-stranger@tea.cn", ["buyer"], "勐海茶厂");
    const { dealId } = await openTestDeal(aSeller, aBuyer, broker);
    await stageWithReceipts(dealId, aBuyer, aSeller.organization!.id, 1, 40_000_00, [{ via: "bank", amount: 40_000_00 }]);
    const path = `/api/v1/deals/${dealId}/cancellation`;
    const params = { id: dealId };
    const call = (u: SessionUser, body: unknown) => pages.call(cancellationApi.action, pages.postJson(path, u, body), params);

    expect((await call(aStranger, { action: "propose", reason: "x" })).status).toBe(404);
    expect((await call(aBureau, { action: "propose", reason: "x" })).status).toBe(403);
    const bad = await call(aBuyer, { action: "propose", reason: "" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields.reason).toBeTruthy();
    expect((await call(aBuyer, { action: "destroy" })).status).toBe(400);
    const proposed = await call(aBuyer, { action: "propose", reason: "场地未落实" });
    expect(proposed.status).toBe(200);
    expect((await proposed.json()).cancellation).toMatchObject({ status: "open", proposal: { side: "buyer", reason: "场地未落实" } });
    expect((await call(aBuyer, { action: "confirm" })).status).toBe(409);
    const confirmed = await call(aSeller, { action: "confirm" });
    const view = (await confirmed.json()).cancellation;
    expect(view).toMatchObject({ status: "cancelled", refunds: [{ via: "bank", amount: 40_000_00, status: "due" }] });
    expect(await AuditEvent.countDocuments({ subject: dealId, action: "deal.cancelled", via: "api" })).toBe(1);

    const refundPath = `/api/v1/refunds/${view.refunds[0].id}/bank`;
    const record = (u: SessionUser, body: unknown) =>
      pages.call(bankRefundApi.action, pages.postJson(refundPath, u, body), { id: view.refunds[0].id });
    expect((await record(aSeller, { bankRef: "R1", paidOn: "2026-12-04" })).status).toBe(403);
    expect((await record(aAdmin, { bankRef: "R1", paidOn: "4/12/2026" })).status).toBe(400);
    const done = await record(aAdmin, {
      bankRef: "CCB-20261204-9",
      paidOn: "2026-12-04",
      proof: { filename: "回单.pdf", base64: Buffer.from(pdfBytes("回单")).toString("base64") },
    });
    expect(done.status).toBe(200);
    expect((await done.json()).refund).toMatchObject({ status: "paid", bankRef: "CCB-20261204-9" });
    expect((await record(aAdmin, { bankRef: "again", paidOn: "2026-12-04" })).status).toBe(409);
    expect((await Deal.findById(dealId).lean())!.paymentState).toBe("refunded");
    await expectBalanced(dealId);

    // An admin cancels another deal through the API.
    const other = await openTestDeal(aSeller, aBuyer, broker);
    const admin = await pages.call(
      cancellationApi.action,
      pages.postJson(`/api/v1/deals/${other.dealId}/cancellation`, aAdmin, { action: "admin-cancel", reason: "争议调解结果" }),
      { id: other.dealId },
    );
    expect((await admin.json()).cancellation).toMatchObject({ status: "cancelled", ended: { reason: "争议调解结果" } });
  });
});
