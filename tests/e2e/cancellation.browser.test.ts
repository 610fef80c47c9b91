import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { openDeal } from "~/services/trading/deals/open.server.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useBrowser } from "../support/browser.ts";

/**
 * 取消成交 on a phone (390 px, no JavaScript; issue 14, point 8): the buyer proposes cancelling
 * with a reason, the seller confirms, the deal is cancelled and the achievement trades again.
 */
const { baseURL, browser } = useBrowser();
const dataDir = inject("appDataDir");
let dealId = "";
let listingId = "";

beforeAll(async () => {
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const byEmail = async (email: string): Promise<SessionUser> =>
    (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  const seller = await byEmail("seller@demo.chengguo.cn");
  const broker = await byEmail("broker@demo.chengguo.cn");
  const buyer = await byEmail("buyer@demo.chengguo.cn");
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  listingId = await tradingAchievement(seller, broker, {
    title: `手机取消成交成果 ${tag}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 50_000_00 },
  });
  dealId = await withTransaction((session) =>
    openDeal(session, {
      listingId,
      buyer: { userId: buyer.id, name: buyer.name, organization: buyer.organization },
      source: "offer",
      terms: { price: 50_000_00, transactionMode: "transfer" },
      actor: actorOf(buyer),
      via: "ui",
    }),
  );
});

afterAll(async () => {
  await mongoose.disconnect();
});

describe("cancelling a deal on a phone", () => {
  it("the buyer proposes, the seller confirms, without JavaScript at 390 px", async () => {
    const as = async (email: string) => {
      const context = await browser.newContext({
        baseURL,
        locale: "zh-CN",
        viewport: { width: 390, height: 844 },
        javaScriptEnabled: false,
      });
      const page = await context.newPage();
      await page.goto("/login");
      await page.getByLabel("电子邮箱").fill(email);
      await page.getByLabel("密码").fill("Demo1234");
      await page.getByRole("button", { name: "登录" }).click();
      await page.waitForURL((u) => u.pathname === "/");
      return { context, page };
    };
    const buyer = await as("buyer@demo.chengguo.cn");
    await buyer.page.goto(`/deals/${dealId}`);
    await buyer.page.getByTestId("cancel-link").click();
    await buyer.page.getByLabel("取消理由").fill("项目预算被取消");
    await buyer.page.getByTestId("propose-button").click();
    await expect(buyer.page.getByTestId("done-notice").textContent()).resolves.toContain("已提出取消申请");
    const overflow = await buyer.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await buyer.context.close();

    const seller = await as("seller@demo.chengguo.cn");
    await seller.page.goto(`/deals/${dealId}/cancel`);
    await expect(seller.page.getByTestId("cancel-proposal").textContent()).resolves.toContain("项目预算被取消");
    expect(await seller.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await seller.page.getByTestId("confirm-cancel").click();
    await expect(seller.page.getByTestId("done-notice").textContent()).resolves.toContain("成交已取消");
    await seller.context.close();

    expect((await Deal.findById(dealId).lean())!.status).toBe("cancelled");
    expect((await Achievement.findById(listingId).lean())!.status).toBe("trading");
  });
});
