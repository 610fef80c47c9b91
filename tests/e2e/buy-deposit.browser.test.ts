import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useBrowser } from "../support/browser.ts";

/**
 * Buy-now with a deposit, on a phone, against the running app and its local Stripe-compatible
 * server (issue 14, point 8; decision 023): the buy page offers the two ways with the deposit and
 * the confirmation time; the buyer pays the deposit on the payment page, comes back to their
 * requests page, and the deal is made — the listing sold only then.
 */
const dataDir = inject("appDataDir");
const { browser, baseURL } = useBrowser();
let listingId = "";
const title = `定金购买测试成果 ${Date.now()}`; // a topic no e2e search looks for

beforeAll(async () => {
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const byEmail = async (email: string): Promise<SessionUser> =>
    (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  listingId = await tradingAchievement(await byEmail("seller@demo.chengguo.cn"), await byEmail("broker@demo.chengguo.cn"), {
    title,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 120_000_00 },
  });
});

afterAll(async () => {
  await mongoose.disconnect();
});

describe("buy-now with a deposit on a phone", () => {
  it("shows both ways, takes the deposit on the payment page and makes the deal on return", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("电子邮箱").fill("food@demo.chengguo.cn");
    await page.getByLabel("密码").fill("Demo1234");
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((u) => u.pathname === "/");

    await page.goto(`/achievements/${listingId}/buy`);
    const ways = await page.getByTestId("buy-ways").innerText();
    expect(ways).toContain("¥12,000"); // 10% of ¥120,000
    expect(ways).toContain("48 小时");
    expect(await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)).toBe(false);
    await page.getByTestId("way-deposit").check();
    await page.getByLabel("我已阅读并同意", { exact: false }).check();
    await page.getByTestId("confirm-buy").click();
    await page.waitForURL(/\/pay\/cs_/);
    // Asked, not sold: while the buyer is on the payment page the listing is still on offer.
    expect((await Achievement.findById(listingId, { status: 1 }).lean())!.status).toBe("trading");
    await page.getByTestId("stripe-pay").click();
    await page.waitForURL((u) => u.pathname === "/my/buy-requests" && !!u.searchParams.get("request"));
    const mine = page.getByTestId("my-requests").locator("li", { hasText: title });
    expect(await mine.getByTestId("request-state").innerText()).toContain("已成交");
    expect(await mine.getByTestId("deposit-state").innerText()).toContain("已扣款");
    await mine.getByTestId("request-deal").click();
    await page.waitForURL(/\/deals\/[0-9a-f]{24}$/);
    // Sold only now that the deposit was taken.
    await page.goto(`/achievements/${listingId}`);
    await page.getByTestId("sold-badge").waitFor();
    await context.close();
  });
});
