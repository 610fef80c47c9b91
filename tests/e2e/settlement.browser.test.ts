import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 14, point 5 in Chromium on a phone (390 px) with JavaScript off: after both sides signed,
 * the buyer opens the payment schedule from the deal page, sees the bank-transfer reference, and
 * pays the first stage by card on the local Stripe page; an admin records a bank transfer for the
 * balance with its slip on /admin/receipts, short first (少付), and the stage shows what is left.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();
const phone = (email: string) => loggedIn(email, { phone: true, javaScript: false });
let dealId = "";
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn");
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  const listing = await tradingAchievement(seller, broker, {
    title: `付款计划测试技术 ${Date.now()}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 80_000_00 },
    inventors: [
      { name: "王教授", share: 60 },
      { name: "李博士", share: 40 },
    ],
  });
  dealId = await buyNowDeal(buyer, listing, { expectedAmountFen: 80_000_00, transactionMode: "transfer" });
  await mongoose.connection
    .collection("deals")
    .updateOne(
      { _id: new mongoose.Types.ObjectId(dealId) },
      { $set: { "terms.milestones": [{ title: "首付款", amount: 30_000_00, dueInDays: 10 }] } },
    );
  await saveContract(seller, dealId, null);
  const plan = [
    { name: "王教授", percent: 40 },
    { name: "李博士", percent: 30 },
  ];
  await signContract(seller, dealId, { version: 1, ip: "198.51.100.1", distribution: plan });
  await signContract(buyer, dealId, { version: 1, ip: "198.51.100.2" });
});

describe("the payment schedule on a phone, without JavaScript", () => {
  it("the buyer pays a stage by card; an admin records a short bank transfer for the next", async () => {
    const buyer = await phone("buyer@demo.chengguo.cn");
    await buyer.goto(`/deals/${dealId}`);
    await buyer.getByTestId("stages-link").click();
    await buyer.waitForURL(`**/deals/${dealId}/stages`);
    expect(await buyer.getByTestId("stage").count()).toBe(2);
    expect(await scrollsSideways(buyer)).toBe(false);
    await buyer.getByRole("link", { name: "第 1 期 · 首付款" }).click();
    const reference = (await buyer.getByTestId("bank-reference").innerText()).trim();
    expect(reference).toMatch(/^CG[0-9A-F]{6}-1$/);
    expect(await buyer.getByTestId("bank-amount").innerText()).toBe("¥30,000");
    expect(await scrollsSideways(buyer)).toBe(false);

    // The keyless demo says that no real money moves (issue 14, point 10).
    expect(await buyer.getByTestId("demo-payments").textContent()).toContain("演示支付");
    await buyer.getByTestId("pay-button").click();
    await buyer.waitForURL(/\/pay\/cs_/);
    await buyer.getByTestId("stripe-pay").click();
    await buyer.waitForURL((u) => u.pathname === `/deals/${dealId}/stages/1` && u.searchParams.get("checkout") === "done");
    expect(await buyer.getByTestId("done-notice").innerText()).toContain("支付已完成");
    expect(await buyer.getByTestId("stage-status").innerText()).toContain("已付清");
    expect(await buyer.getByTestId("pay-button").count()).toBe(0);

    // The balance by bank transfer: the admin finds it by its reference and records a short amount.
    await buyer.goto(`/deals/${dealId}/stages/2`);
    const balanceRef = (await buyer.getByTestId("bank-reference").innerText()).trim();
    const admin = await phone("admin@demo.chengguo.cn");
    await admin.goto(`/admin/receipts?reference=${balanceRef}`);
    await admin.getByTestId("found-stage").waitFor();
    await admin.getByLabel("到账金额（元）").fill("20000");
    await admin.getByLabel("到账日期").fill("2026-11-20");
    await admin.getByLabel("银行流水号").fill(`E2E-${dealId}`);
    await admin.getByLabel("回单（PDF 或图片）").setInputFiles({ name: "回单.png", mimeType: "image/png", buffer: PNG });
    await admin.getByTestId("record-button").click();
    await admin.waitForURL((u) => u.searchParams.get("done") === "recorded");
    expect(await admin.getByTestId("stage-short").innerText()).toContain("¥30,000");
    expect(await scrollsSideways(admin)).toBe(false);

    await buyer.reload();
    expect(await buyer.getByTestId("stage-status").innerText()).toContain("部分已付");
    expect(await buyer.getByTestId("stage-short").innerText()).toContain("¥30,000");
    expect(await buyer.getByTestId("receipt").innerText()).toContain(`E2E-${dealId}`);
  });
});
