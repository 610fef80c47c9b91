import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { initLedger } from "~/services/ledger/book.server.ts";
import { brokerCommissions, dealBooks } from "~/services/ledger/queries.server.ts";
import { inviteBroker } from "~/services/rooms/brokers.server.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { chinaToday } from "~/utils/china-time.ts";
import { pdfBytes, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 14's "Done when", end to end in Chromium: from a deal, both parties sign the contract in
 * the UI (the broker drafts it, the university seller signs with the distribution plan, the
 * buyer signs); the buyer pays the first stage by card on the local Stripe page and the second by
 * bank transfer (an admin records it with its slip on /admin/receipts); the seller's organisation
 * admin opens a payout account on the local Stripe onboarding page; an admin pays the seller by a
 * Connect transfer and the rest (the broker's commission, the bank-paid stage's share) by bank
 * payouts with slips. The deal page shows every step on the timeline, balanced books and
 * 已付清并结算 to the buyer (on a phone), the seller and the broker; the broker's commissions
 * page shows it paid; the ledger balances through the service too.
 *
 * Set-up only through services: the listing, and the accepted terms — the buyer opens a deal room,
 * invites the broker (the room's broker becomes the deal's broker of record when the contract is
 * signed) and proposes an offer card with two milestones, which the seller accepts.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();
const title = `三七种苗组培快繁结算技术 ${Date.now()}`;
const PRICE = 100_000_00;
const FIRST = 60_000_00; // 首付款, by card
const SECOND = 40_000_00; // 验收款, by bank transfer
let dealId = "";
let brokerId = "";
const pages = new Map<string, Page>();

beforeAll(async () => {
  await initLedger();
  const seller = await demoUser("seller@demo.chengguo.cn"); // 文山学院: a university
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  brokerId = broker.id;
  const listing = await tradingAchievement(seller, broker, {
    title,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: PRICE },
    inventors: [
      { name: "王教授", share: 60 },
      { name: "李博士", share: 40 },
    ],
  });
  const roomId = await openRoom(buyer, { from: "listing", listingId: listing });
  await inviteBroker(buyer, roomId, { email: broker.email! });
  const card = await proposeCard(buyer, roomId, {
    terms: {
      price: String(PRICE / 100),
      transactionMode: "transfer",
      milestones: [
        { title: "首付款", amount: String(FIRST / 100), dueInDays: "10" },
        { title: "验收款", amount: String(SECOND / 100), dueInDays: "60" },
      ],
    },
  });
  dealId = (await respondToCard(seller, roomId, { action: "accept", cardId: card.id })).dealId!;
});

/** The person's page, logged in through the login form once (the buyer's on a phone, 390 px). */
async function as(email: string): Promise<Page> {
  const open = pages.get(email);
  if (open) return open;
  const page = await loggedIn(email, { phone: email.startsWith("buyer@") });
  pages.set(email, page);
  return page;
}

const proof = (name: string) => ({ name, mimeType: "application/pdf", buffer: Buffer.from(pdfBytes(name)) });

describe("a deal from signing to paid out, in the browser", () => {
  it("the broker drafts the contract; the seller signs with the distribution plan; the buyer signs", async () => {
    const broker = await as("broker@demo.chengguo.cn");
    await broker.goto(`/deals/${dealId}`);
    await broker.getByTestId("deal-contract").getByRole("link", { name: "起草合同" }).click();
    await broker.waitForURL((u) => u.pathname === `/deals/${dealId}/contract/edit`);
    expect(await broker.getByLabel("成交额（合同总金额，元）").inputValue()).toBe("100000");
    await broker.getByTestId("contract-save").click();
    await broker.waitForURL((u) => u.pathname === `/deals/${dealId}/contract`);
    await broker.getByText("合同已保存为新版本。").waitFor();
    expect(await broker.getByTestId("contract-status").innerText()).toContain("草稿 · 第 1 版");

    const seller = await as("seller@demo.chengguo.cn");
    await seller.goto(`/deals/${dealId}`);
    await seller.getByTestId("contract-sign-link").click();
    await seller.waitForURL((u) => u.pathname === `/deals/${dealId}/contract`);
    expect(await seller.getByLabel("完成人 / 团队成员 1").inputValue()).toBe("王教授");
    await seller.getByLabel("分配比例（%） 1").fill("40");
    await seller.getByLabel("分配比例（%） 2").fill("30");
    await seller.getByLabel("我已阅读并同意合同全文").check();
    await seller.getByTestId("sign-button").click();
    await seller.getByText("您已签署合同。").waitFor();

    const buyer = await as("buyer@demo.chengguo.cn");
    await buyer.goto(`/deals/${dealId}`);
    await buyer.getByTestId("contract-sign-link").click();
    await buyer.waitForURL((u) => u.pathname === `/deals/${dealId}/contract`);
    await buyer.getByLabel("我已阅读并同意合同全文").check();
    await buyer.getByTestId("sign-button").click();
    await buyer.getByText("双方已签署，合同生效，成果状态已变为“已签合同”。").waitFor();
    expect(await buyer.getByTestId("contract-status").innerText()).toContain("已签署");

    await seller.reload();
    expect(await seller.getByTestId("contract-status").innerText()).toContain("已签署");
    expect(await seller.getByTestId("contract-distribution").innerText()).toContain("王教授：40%");
  });

  it("the buyer pays the first stage by card on the Stripe page and sees it paid", async () => {
    const buyer = await as("buyer@demo.chengguo.cn");
    await buyer.goto(`/deals/${dealId}`);
    await buyer.getByTestId("stages-link").click();
    await buyer.waitForURL((u) => u.pathname === `/deals/${dealId}/stages`);
    await buyer.getByTestId("stage").nth(1).waitFor(); // a client-side navigation: the list renders after the URL changes
    expect(await buyer.getByTestId("stage").count()).toBe(2);
    await buyer.getByRole("link", { name: "第 1 期 · 首付款" }).click();
    await buyer.waitForURL((u) => u.pathname === `/deals/${dealId}/stages/1`);
    expect(await buyer.getByTestId("bank-amount").innerText()).toBe("¥60,000");
    await buyer.getByTestId("pay-button").click();
    await buyer.waitForURL(/\/pay\/cs_/);
    await buyer.getByTestId("stripe-pay").click();
    await buyer.waitForURL((u) => u.pathname === `/deals/${dealId}/stages/1` && u.searchParams.get("checkout") === "done");
    expect(await buyer.getByTestId("done-notice").innerText()).toContain("支付已完成");
    expect(await buyer.getByTestId("stage-status").innerText()).toContain("已付清");
    expect(await buyer.getByTestId("pay-button").count()).toBe(0);
    expect(await scrollsSideways(buyer)).toBe(false);
  });

  it("an admin records the buyer's bank transfer for the second stage by its reference, with the slip", async () => {
    const buyer = await as("buyer@demo.chengguo.cn");
    await buyer.goto(`/deals/${dealId}/stages/2`);
    expect(await buyer.getByTestId("bank-amount").innerText()).toBe("¥40,000");
    const reference = (await buyer.getByTestId("bank-reference").innerText()).trim();
    expect(reference).toMatch(/^CG[0-9A-F]{6}-2$/);

    const admin = await as("admin@demo.chengguo.cn");
    await admin.goto("/admin/receipts");
    await admin.getByLabel("付款附言").first().fill(reference);
    await admin.getByRole("button", { name: "查找" }).click();
    await admin.getByTestId("found-stage").waitFor();
    expect(await admin.getByTestId("found-stage").innerText()).toContain("第 2 期 · 验收款");
    const form = admin.getByTestId("receipt-form");
    await form.getByLabel("到账金额（元）").fill("40000");
    await form.getByLabel("到账日期").fill(chinaToday());
    await form.getByLabel("银行流水号").fill(`FLOW-${dealId}`);
    await form.getByLabel("回单（PDF 或图片）").setInputFiles(proof("到账回单.pdf"));
    await admin.getByTestId("record-button").click();
    await admin.waitForURL((u) => u.searchParams.get("done") === "recorded");

    await buyer.reload();
    expect(await buyer.getByTestId("stage-status").innerText()).toContain("已付清");
    expect(await buyer.getByTestId("receipt").innerText()).toContain(`FLOW-${dealId}`);
  });

  it("the seller's organisation opens its payout account; an admin pays the seller by Connect and the rest by bank with slips", async () => {
    const seller = await as("seller@demo.chengguo.cn");
    await seller.goto("/account/payouts");
    const org = seller.getByTestId("payee-organization");
    expect(await org.getByTestId("account-state").innerText()).toContain("未开通收款账户");
    await org.getByRole("button", { name: "开通收款账户" }).click();
    await seller.waitForURL(/\/connect\/onboarding\//);
    await seller.getByTestId("stripe-onboarding-submit").click();
    await seller.waitForURL((u) => u.pathname === "/account/payouts" && u.searchParams.has("return"));
    await seller.getByText("已从开户页面返回，状态已更新。").waitFor();
    expect(await org.getByTestId("account-state").innerText()).toContain("收款账户已开通");

    const admin = await as("admin@demo.chengguo.cn");
    await admin.goto("/admin/payouts");
    const ofDeal = admin
      .getByTestId("open-payouts")
      .getByRole("listitem")
      .filter({ has: admin.locator(`a[href="/deals/${dealId}"]`) });
    expect(await ofDeal.count()).toBe(4);
    const card = async (to: "卖方" | "经纪人", stage: string) => {
      const found = ofDeal.filter({ has: admin.getByRole("heading", { name: new RegExp(`^${to} · `) }) }).filter({ hasText: stage });
      expect(await found.count()).toBe(1);
      return found.getAttribute("data-testid").then((id) => id!);
    };
    const seller1 = await card("卖方", "首付款");
    const broker1 = await card("经纪人", "首付款");
    const seller2 = await card("卖方", "验收款");
    const broker2 = await card("经纪人", "验收款");
    // 3% commission, no platform fee (the demo's settings): the seller gets the rest of each stage.
    expect(await admin.getByTestId(seller1).getByRole("heading").innerText()).toContain("¥58,200");
    expect(await admin.getByTestId(broker1).getByRole("heading").innerText()).toContain("¥1,800");
    expect(await admin.getByTestId(seller2).getByRole("heading").innerText()).toContain("¥38,800");
    expect(await admin.getByTestId(broker2).getByRole("heading").innerText()).toContain("¥1,200");
    expect(await admin.getByTestId(seller1).getByTestId("payee-account").innerText()).toContain("收款账户已开通");
    expect(await admin.getByTestId(broker1).getByTestId("payee-account").innerText()).toContain("未开通收款账户");

    // The card-paid stage's seller share by a Connect transfer from the platform's Stripe balance.
    await admin.getByTestId(seller1).getByRole("button", { name: "在线转账" }).click();
    const paid = (id: string) => admin.getByTestId("paid-payouts").getByTestId(id);
    await paid(seller1).waitFor();
    expect(await paid(seller1).getByTestId("payout-status").locator("..").innerText()).toContain("Stripe Connect 转账");

    // The broker's commissions and the bank-paid stage's seller share: bank payouts with slips.
    for (const [id, ref] of [
      [broker1, `PAY-B1-${dealId}`],
      [seller2, `PAY-S2-${dealId}`],
      [broker2, `PAY-B2-${dealId}`],
    ] as const) {
      const c = admin.getByTestId("open-payouts").getByTestId(id);
      await c.getByText("记录银行付款").click();
      await c.getByLabel("银行流水号").fill(ref);
      await c.getByLabel("付款日期").fill(chinaToday());
      await c.getByLabel("付款回单（PDF 或图片）").setInputFiles(proof(`付款回单-${ref}.pdf`));
      await c.getByRole("button", { name: "记录付款" }).click();
      await paid(id).waitFor();
      expect(await paid(id).getByTestId("payout-status").locator("..").innerText()).toContain("银行转账");
    }
    expect(await ofDeal.count()).toBe(0);
  });

  it("the deal page shows every step, balanced books and paid out to the buyer (on a phone), the seller and the broker", async () => {
    for (const email of ["buyer@demo.chengguo.cn", "seller@demo.chengguo.cn", "broker@demo.chengguo.cn"]) {
      const page = await as(email);
      await page.goto(`/deals/${dealId}`);
      expect(await page.getByTestId("deal-contract-state").innerText(), email).toBe("合同已签署");
      expect(await page.getByTestId("deal-payment-state").innerText(), email).toBe("已付清并结算");
      expect(await page.getByTestId("deal-broker").innerText(), email).toContain("技术经纪人 陈刚");
      expect(await page.getByTestId("total-paid").innerText(), email).toBe("¥100,000");
      expect(await page.getByTestId("total-paid-out").innerText(), email).toBe("¥100,000");
      for (const n of [1, 2]) expect(await page.getByTestId(`stage-${n}`).getByTestId("stage-status").innerText(), email).toBe("已付清");
      expect(await page.getByTestId("books-balanced").innerText(), email).toContain("借贷平衡");
      for (const account of ["buyerReceivable", "sellerPayable", "brokerPayable"])
        expect(await page.getByTestId(`book-${account}`).locator("dd").innerText(), `${email} ${account}`).toBe("¥0");

      // The timeline: the deal, the draft, both signatures, the schedule, both payments, the payouts.
      const entries = await page
        .getByTestId("timeline-entry")
        .evaluateAll((els) => els.map((el) => ({ action: el.getAttribute("data-action"), text: (el as HTMLElement).innerText })));
      const of = (action: string) => entries.filter((e) => e.action === action).map((e) => e.text.replace(/\s+/g, " "));
      expect(of("open:negotiation"), email).toEqual([expect.stringContaining("洽谈室达成条款，成交")]);
      expect(of("contract.draft"), email).toEqual([expect.stringContaining("技术经纪人 陈刚 起草合同")]);
      expect(of("contract.sign.seller"), email).toEqual([expect.stringContaining("卖方签署合同")]);
      expect(of("contract.sign.buyer"), email).toEqual([expect.stringContaining("买方签署合同")]);
      expect(of("schedule.created"), email).toEqual([expect.stringContaining("2 期共 ¥100,000")]);
      expect(of("payment.succeeded"), email).toContainEqual(expect.stringContaining("付款成功 · ¥60,000"));
      expect(of("receipt.recorded"), email).toEqual([
        expect.stringContaining("第 1 期「首付款」在线支付收款 ¥60,000"),
        expect.stringContaining(`第 2 期「验收款」对公转账收款 ¥40,000（FLOW-${dealId}）`),
      ]);
      expect(of("stage.paid"), email).toEqual([
        expect.stringContaining("第 1 期「首付款」已付清 ¥60,000"),
        expect.stringContaining("第 2 期「验收款」已付清 ¥40,000"),
      ]);
      expect(of("payout.owed"), email).toHaveLength(4);
      expect(of("payout.sent"), email).toHaveLength(1);
      expect(of("payout.paid"), email).toHaveLength(4);
      if (email.startsWith("seller@")) {
        // Who was paid what, on the seller's side only.
        expect(of("payment.succeeded"), email).toContainEqual(expect.stringContaining("付款成功 · ¥58,200"));
        expect(of("payout.paid"), email).toEqual([
          expect.stringContaining("文山学院 ¥58,200（Stripe Connect 转账）"),
          expect.stringContaining(`技术经纪人 陈刚 ¥1,800（银行转账 PAY-B1-${dealId}）`),
          expect.stringContaining(`文山学院 ¥38,800（银行转账 PAY-S2-${dealId}）`),
          expect.stringContaining(`技术经纪人 陈刚 ¥1,200（银行转账 PAY-B2-${dealId}）`),
        ]);
      } else {
        // The buyer and the broker see that payouts were owed and paid, not the seller's share (the payouts' rule).
        const text = await page.getByTestId("deal-page").innerText();
        expect(text, email).not.toContain("¥58,200");
        expect(text, email).not.toContain("¥38,800");
        expect(text, email).not.toContain(`PAY-S2-${dealId}`);
      }
      if (email.startsWith("buyer@")) expect(await scrollsSideways(page), email).toBe(false);
    }

    // Who is paid what: the seller sees both payees' payouts, the broker only the commission, the buyer none.
    const seller = await as("seller@demo.chengguo.cn");
    expect(await seller.getByTestId("payout-seller").count()).toBe(2);
    expect(await seller.getByTestId("payout-broker").count()).toBe(2);
    const broker = await as("broker@demo.chengguo.cn");
    expect(await broker.getByTestId("payout-seller").count()).toBe(0);
    expect(await broker.getByTestId("payout-broker").allInnerTexts()).toEqual([
      expect.stringContaining("¥1,800（已结算）"),
      expect.stringContaining("¥1,200（已结算）"),
    ]);
    const buyer = await as("buyer@demo.chengguo.cn");
    expect(await buyer.getByTestId("stage-payouts").count()).toBe(0);

    // The broker's commissions page: owed and paid ¥3,000 on this deal, nothing outstanding.
    await broker.goto("/my/commissions");
    const row = broker
      .getByTestId("commission-deals")
      .getByRole("listitem")
      .filter({ has: broker.locator(`a[href="/deals/${dealId}"]`) });
    const facts = await row.locator(".facts__row").allInnerTexts();
    expect(facts.map((f) => f.replace(/\s+/g, " ").trim())).toEqual(["应得佣金 ¥3,000", "已冲回 ¥0", "已支付 ¥3,000", "未支付 ¥0"]);

    // And the ledger itself, through the service: balanced, nothing receivable or payable left.
    const books = await dealBooks(dealId);
    expect(books.balanced).toBe(true);
    const balance = (a: string) => books.accounts.find((x) => x.account === a)?.balanceFen;
    expect(balance("buyerReceivable")).toBe(0);
    expect(balance("sellerPayable")).toBe(0);
    expect(balance("brokerPayable")).toBe(0);
    expect((await brokerCommissions(brokerId)).deals.find((d) => d.deal === dealId)).toMatchObject({
      owedFen: 3_000_00,
      paidFen: 3_000_00,
      outstandingFen: 0,
    });
  });
});
