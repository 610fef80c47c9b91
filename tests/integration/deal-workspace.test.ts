import { clearSchedule } from "../support/hand-schedule.ts";
import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Contract } from "~/models/contract.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealStage } from "~/models/deal-stage.server.ts";
import { Payment } from "~/models/payment.server.ts";
import { Payout } from "~/models/payout.server.ts";
import * as contractEdit from "~/routes/deals.$id_.contract_.edit.tsx";
import * as dealPage from "~/routes/deals.$id.tsx";
import * as dealsPage from "~/routes/deals._index.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { recordAudit } from "~/services/kernel/audit.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { initLedger } from "~/services/ledger/book.server.ts";
import { postPaymentReceived, postStageDue } from "~/services/ledger/deals.server.ts";
import { dealBooks } from "~/services/ledger/queries.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";
import { achievementContent, listingAt, buyNowDeal } from "../../seeds/trading-fixtures.ts";

/**
 * The deal's workspace page (issue 14, point 1) through its real loader and the rendered HTML, as
 * each allowed role sees it: parties, terms, contract, payment schedule (stages and payouts
 * written directly through the models, as the settlement helpers write them), the books and the
 * timeline. Plus the deals list's states and filters, and the guard on a closed deal's contract
 * (point 3).
 */

const pages = pageRequests({ orgType: "enterprise" });
const { person, get, call, csrf } = pages;

let seller: SessionUser, buyer: SessionUser, reviewer: SessionUser, dealBroker: SessionUser;
let otherBroker: SessionUser, bureau: SessionUser, admin: SessionUser, stranger: SessionUser;

beforeAll(async () => {
  await pages.init();
  await initLedger();
  seller = await person("seller@sanqi.cn", ["seller"], "文山三七科技有限公司");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  reviewer = await person("reviewer@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  dealBroker = await person("dealbroker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  otherBroker = await person("other@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  bureau = await person("bureau@kjj.gov.cn", ["bureau"], "文山县科技局");
  admin = await person("admin@chengguo.cn", ["admin"], null);
  stranger = await person("stranger@tea.cn", ["buyer"], "茶业公司");
});

async function deal(): Promise<string> {
  const listing = await listingAt(
    seller,
    reviewer,
    "trading",
    achievementContent({
      title: `三七连作障碍修复技术 ${Math.random().toString(36).slice(2, 7)}`,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: 100_000_00 },
    }),
  );
  const id = await buyNowDeal(buyer, listing, { expectedAmountFen: 100_000_00, transactionMode: "transfer" });
  // The deal's broker: invited into the deal room of its listing and buyer.
  const room = await openRoom(buyer, { from: "deal", dealId: id });
  await inviteBroker(buyer, room, { email: "dealbroker@agency.cn" });
  return id;
}

async function signedDeal(): Promise<string> {
  const id = await deal();
  await saveContract(seller, id, null);
  await signContract(seller, id, { version: 1, ip: "127.0.0.1" });
  await signContract(buyer, id, { version: 1, ip: "127.0.0.1" });
  return id;
}

const html = async (id: string, user: SessionUser) => renderPage(get(`/deals/${id}`, user), dealPage, `/deals/:id`, csrf.token);
const money = (fen: number) => formatYuan(fen, "zh-CN");

describe("the deal's workspace page", () => {
  it("shows parties, brokers, terms, contract and timeline to the seller, the buyer, the deal's broker, an admin and the bureau", async () => {
    const id = await signedDeal();
    for (const who of [seller, buyer, dealBroker, admin, bureau]) {
      const page = await html(id, who);
      expect(page.status, who.email).toBe(200);
      expect(page.html).toContain("交易各方");
      expect(page.html).toContain("兴街镇三七种植专业合作社");
      expect(page.html).toContain("文山三七科技有限公司");
      // The room's broker is named.
      expect(page.html).toMatch(/洽谈室经纪人<\/dt><dd[^>]*>dealbroker/);
      expect(page.html).toContain("约定条款");
      expect(page.html).toContain(money(100_000_00));
      // The contract and its status; both signatures.
      expect(page.html).toContain("已签署");
      expect(page.html).toContain('data-testid="signature-seller"');
      expect(page.html).toContain('data-testid="signature-buyer"');
      expect(page.html).toContain(`href="/deals/${id}/contract"`);
      // The timeline: the deal, the draft and both signatures, in order.
      const made = page.html.indexOf("立即购买，成交");
      const drafted = page.html.indexOf("起草合同</strong>");
      const sellerSigned = page.html.indexOf("卖方签署合同");
      const buyerSigned = page.html.indexOf("买方签署合同");
      expect(made).toBeGreaterThan(0);
      expect(drafted).toBeGreaterThan(made);
      expect(sellerSigned).toBeGreaterThan(drafted);
      expect(buyerSigned).toBeGreaterThan(sellerSigned);
      // Signed: the schedule comes from the settlement module; the "next step" note is gone.
      expect(page.html).toContain("付款计划");
      expect(page.html).not.toContain('data-testid="contract-next"');
    }
  });

  it("gives the bureau a read-only page without actions, and the parties theirs", async () => {
    const id = await deal();
    await saveContract(seller, id, null);
    const bureauPage = await html(id, bureau);
    expect(bureauPage.html).toContain("科技局只读查看");
    for (const action of ["contract-edit-link", "contract-sign-link", "open-room"])
      expect(bureauPage.html, action).not.toContain(`data-testid="${action}"`);
    const sellerPage = await html(id, seller);
    expect(sellerPage.html).not.toContain("科技局只读查看");
    for (const action of ["contract-edit-link", "contract-sign-link", "open-room"])
      expect(sellerPage.html, action).toContain(`data-testid="${action}"`);
    // Unsigned: the signing deadline shows.
    const signBy = (await Deal.findById(id).lean())!.signBy!;
    expect(sellerPage.html).toContain('data-testid="deal-sign-by"');
    expect(signBy.getTime()).toBeGreaterThan(Date.now());
    expect(sellerPage.html).toContain("双方签署合同后生成付款计划");
  });

  it("is a 404 for a stranger and for a broker who is not the deal's", async () => {
    const id = await deal();
    for (const who of [stranger, otherBroker, reviewer]) {
      expect((await call(dealPage.loader, get(`/deals/${id}`, who), { id })).status, who.email).toBe(404);
    }
  });

  it("lists a deal for its brokers (of its room, or of record) and not for the other brokers", async () => {
    const id = await deal();
    const listed = async (who: SessionUser) =>
      ((await (await call(dealsPage.loader, get("/deals", who))).json()).deals as { id: string }[]).some((d) => d.id === id);
    expect(await listed(dealBroker)).toBe(true);
    expect(await listed(otherBroker)).toBe(false);
    expect(await listed(reviewer)).toBe(false);
    expect(await listed(bureau)).toBe(true);
    // An admin names another broker of record: they see the deal in their list and open its page.
    await Deal.updateOne({ _id: id }, { $set: { broker: { user: otherBroker.id, name: otherBroker.name } } });
    expect(await listed(otherBroker)).toBe(true);
    expect((await call(dealPage.loader, get(`/deals/${id}`, otherBroker), { id })).status).toBe(200);
  });

  it("shows each stage's due, paid, short, excess and late, what was paid out with commission, the books and the payments' history", async () => {
    const id = await signedDeal();
    const contract = (await Contract.findOne({ deal: id }).lean())!;
    await Deal.updateOne(
      { _id: id },
      { $set: { broker: { user: dealBroker.id, name: "dealbroker" }, commissionBps: 300, feeBps: 0, paymentState: "partly-paid" } },
    );
    const day = 86_400_000;
    const now = Date.now();
    const ref = () => `CG${Math.random().toString(36).slice(2, 10).toUpperCase()}`;
    // Signing made the schedule from the terms; this test writes its own stages in its place.
    await clearSchedule(id);
    const [first, second] = await DealStage.create([
      {
        deal: id,
        contract: contract._id,
        number: 1,
        title: "首付款",
        kind: "fixed",
        amount: 40_000_00,
        paid: 40_000_00,
        status: "paid",
        dueAt: new Date(now - 10 * day),
        paidAt: new Date(now - 8 * day),
        reference: ref(),
      },
      {
        deal: id,
        contract: contract._id,
        number: 2,
        title: "验收款",
        kind: "fixed",
        amount: 50_000_00,
        paid: 10_000_00,
        status: "partly-paid",
        dueAt: new Date(now - 2 * day),
        reference: ref(),
      },
      {
        deal: id,
        contract: contract._id,
        number: 3,
        title: "提成",
        kind: "royalty",
        amount: 10_000_00,
        paid: 12_000_00,
        status: "paid",
        dueAt: new Date(now + 30 * day),
        paidAt: new Date(now - day),
        reference: ref(),
      },
    ]);
    await Payout.create([
      {
        deal: id,
        stage: first!._id,
        to: "seller",
        party: seller.organization!.id,
        partyName: "文山三七科技有限公司",
        amount: 38_800_00,
        status: "paid",
        via: "bank",
        paidAt: new Date(now - 7 * day),
      },
      {
        deal: id,
        stage: first!._id,
        to: "broker",
        party: dealBroker.id,
        partyName: "dealbroker",
        amount: 1_200_00,
        status: "failed",
        via: "connect",
        failureReason: "account_closed",
      },
    ]);
    await Payment.create({
      purpose: "deal-stage",
      kind: "checkout",
      gateway: "stripe",
      status: "succeeded",
      amount: 10_000_00,
      payer: buyer.id,
      payerName: "buyer",
      subject: { kind: "deal-stage", id: second!._id },
      history: [
        { at: new Date(now - 3 * day), status: "pending", source: "start" },
        { at: new Date(now - 3 * day + 60_000), status: "succeeded", source: "webhook" },
      ],
    });
    // What other helpers' settlement commands write on the deal's timeline, including an action this page never heard of.
    await recordAudit(null, [
      {
        subjectType: "deal",
        subject: id,
        action: "stage.paid",
        actor: admin,
        via: "ui",
        reason: "第 1 期已付清 ¥40,000.00",
        at: new Date(now - 8 * day),
      },
      { subjectType: "deal", subject: id, action: "frobnicate.done", actor: null, via: "system", at: new Date(now - day) },
    ]);
    await withTransaction(async (session) => {
      await postStageDue(session, {
        deal: id,
        stage: String(first!._id),
        buyer: buyer.id,
        seller: seller.organization!.id,
        amountFen: 40_000_00,
      });
      await postPaymentReceived(session, {
        deal: id,
        receipt: String(new mongoose.Types.ObjectId()),
        buyer: buyer.id,
        amountFen: 40_000_00,
        via: "bank",
      });
    });
    expect((await dealBooks(id)).balanced).toBe(true);

    const data = await (await call(dealPage.loader, get(`/deals/${id}`, seller), { id })).json();
    expect(
      data.workspace.stages.map((s: Record<string, unknown>) => [s.number, s.late, s.paidLate, s.shortFen, s.excessFen, s.paidOutFen]),
    ).toEqual([
      [1, false, true, 0, 0, 38_800_00],
      [2, true, false, 40_000_00, 0, 0],
      [3, false, false, 0, 2_000_00, 0],
    ]);
    expect(data.workspace.stages[0].commissionFen).toBe(1_200_00);
    // No broker payout yet on stage 2: the deal's rate gives the commission (3% of ¥50,000).
    expect(data.workspace.stages[1].commissionFen).toBe(1_500_00);

    const page = await html(id, seller);
    expect(page.status).toBe(200);
    const h = page.html;
    expect(h).toContain(`href="/deals/${id}/stages/1"`);
    expect(h).toContain("第 1 期 · 首付款");
    expect(h).toContain("逾期付清");
    expect(h).toContain("逾期未付");
    expect(h).toContain(`少付 ${money(40_000_00)}`);
    expect(h).toContain(`多付 ${money(2_000_00)}`);
    expect(h).toMatch(new RegExp(`data-testid="stage-paid-out">${escape(money(38_800_00))}`));
    expect(h).toContain("转账失败");
    expect(h).toContain("account_closed");
    expect(h).toContain("dealbroker"); // the broker of record
    expect(h).toContain("费率 3%");
    // The books of the deal, balanced.
    expect(h).toContain("本成交账目");
    expect(h).toContain("应付卖方款");
    expect(h).toContain(`借贷平衡（各 ${money(80_000_00)}）`);
    // The timeline: settlement entries, an unknown action with the generic label, the payment's history; newest last.
    expect(h).toContain("第 1 期已付清 ¥40,000.00");
    expect(h).toContain("其他事件（frobnicate.done）");
    const paid = h.indexOf("本期已付清");
    const started = h.indexOf("付款已发起");
    const succeeded = h.indexOf("付款成功");
    const unknown = h.indexOf("其他事件（frobnicate.done）");
    expect(paid).toBeGreaterThan(0);
    expect(started).toBeGreaterThan(paid);
    expect(succeeded).toBeGreaterThan(started);
    expect(unknown).toBeGreaterThan(succeeded);
  });

  it("keeps who was paid what off the timeline of the buyer and the broker, as it keeps their payouts", async () => {
    const id = await signedDeal();
    const stage = (await DealStage.findOne({ deal: id }).lean())!;
    const paidAt = new Date();
    const [payout] = await Payout.create([
      {
        deal: id,
        stage: stage._id,
        to: "seller",
        party: seller.organization!.id,
        partyName: "文山三七科技有限公司",
        amount: 97_000_00,
        status: "paid",
        via: "connect",
        paidAt,
      },
    ]);
    await Payment.create({
      purpose: "payout",
      kind: "transfer",
      gateway: "stripe",
      status: "succeeded",
      amount: 97_000_00,
      subject: { kind: "payout", id: payout!._id },
      history: [{ at: paidAt, status: "succeeded", source: "start" }],
    });
    await recordAudit(null, [
      {
        subjectType: "deal",
        subject: id,
        action: "payout.paid",
        actor: admin,
        via: "ui",
        reason: "文山三七科技有限公司 ¥97,000（Stripe Connect 转账）",
        at: paidAt,
      },
    ]);
    type Entry = { action: string; reason: string | null; amountFen: number | null };
    const timeline = async (who: SessionUser): Promise<Entry[]> =>
      (await (await call(dealPage.loader, get(`/deals/${id}`, who), { id })).json()).workspace.timeline;
    for (const who of [seller, admin, bureau]) {
      const t = await timeline(who);
      expect(t.find((e) => e.action === "payout.paid")?.reason, who.email).toContain("¥97,000");
      expect(
        t.some((e) => e.action === "payment.succeeded" && e.amountFen === 97_000_00),
        who.email,
      ).toBe(true);
    }
    for (const who of [buyer, dealBroker]) {
      const t = await timeline(who);
      expect(
        t.find((e) => e.action === "payout.paid"),
        who.email,
      ).toMatchObject({ reason: null });
      expect(
        t.some((e) => e.amountFen === 97_000_00),
        who.email,
      ).toBe(false);
      expect((await html(id, who)).html, who.email).not.toContain("文山三七科技有限公司 ¥97,000");
    }
  });
});

describe("a closed deal's contract (point 3)", () => {
  it("refuses drafting, editing and signing once the deal is cancelled or lapsed, and the page says how it ended", async () => {
    const cancelled = await deal();
    await saveContract(seller, cancelled, null);
    await Deal.updateOne(
      { _id: cancelled },
      { $set: { status: "cancelled", ended: { at: new Date(), byName: "admin", reason: "双方协商一致解除" } } },
    );
    await expect(saveContract(buyer, cancelled, null)).rejects.toMatchObject({ message: "contracts.errors.dealCancelled" });
    await expect(signContract(seller, cancelled, { version: 1, ip: "x" })).rejects.toBeInstanceOf(ConflictError);
    await expect(signContract(seller, cancelled, { version: 1, ip: "x" })).rejects.toMatchObject({
      message: "contracts.errors.dealCancelled",
    });
    const edit = await call(contractEdit.loader, get(`/deals/${cancelled}/contract/edit`, seller), { id: cancelled });
    expect(edit.status).toBe(409);
    expect(await edit.text()).toBe("contracts.errors.dealCancelled");
    const page = await html(cancelled, buyer);
    expect(page.html).toContain("已取消");
    expect(page.html).toContain("双方协商一致解除");
    for (const action of ["contract-edit-link", "contract-sign-link", "open-room"])
      expect(page.html, action).not.toContain(`data-testid="${action}"`);

    const lapsed = await deal();
    await Deal.updateOne(
      { _id: lapsed },
      { $set: { status: "lapsed", ended: { at: new Date(), byName: "系统", reason: "未在签约期限内签署" } } },
    );
    await expect(saveContract(seller, lapsed, null)).rejects.toMatchObject({ message: "contracts.errors.dealLapsed" });
    const lapsedPage = await html(lapsed, seller);
    expect(lapsedPage.html).toContain("已逾期失效");
    expect(lapsedPage.html).toContain("未在签约期限内签署");
  });
});

describe("the deals list", () => {
  it("shows each deal's contract and payment state and filters by them; an unknown state is a 400 naming it", async () => {
    const drafted = await deal();
    await saveContract(seller, drafted, null);
    const signed = await signedDeal();
    await Deal.updateOne({ _id: signed }, { $set: { paymentState: "partly-paid" } });

    const all = await (await call(dealsPage.loader, get("/deals", buyer))).json();
    const row = (id: string) => all.deals.find((d: { id: string }) => d.id === id);
    expect(row(drafted)).toMatchObject({ contractState: "draft", paymentState: "none" });
    expect(row(signed)).toMatchObject({ contractState: "signed", paymentState: "partly-paid" });

    const onlySigned = await (await call(dealsPage.loader, get("/deals?contractState=signed", buyer))).json();
    const ids = onlySigned.deals.map((d: { id: string }) => d.id);
    expect(ids).toContain(signed);
    expect(ids).not.toContain(drafted);
    const partly = await (await call(dealsPage.loader, get("/deals?paymentState=partly-paid&contractState=signed", buyer))).json();
    expect(partly.deals.map((d: { id: string }) => d.id)).toContain(signed);
    for (const d of partly.deals) expect(d).toMatchObject({ contractState: "signed", paymentState: "partly-paid" });

    const bad = await call(dealsPage.loader, get("/deals?paymentState=bogus", buyer));
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error)).toEqual(["paymentState"]);

    const list = await renderPage(get("/deals?contractState=draft", buyer), dealsPage, "/deals", csrf.token);
    expect(list.html).toContain("合同草稿中");
    expect(list.html).not.toContain("合同已签署</td>");
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
