import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract } from "~/services/contracts/commands.server.ts";
import { tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { useBrowser } from "../support/browser.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * The deal's workspace (/deals/:id, issue 14, point 1) on a phone, 390 px wide, without
 * JavaScript: every section is a card; nothing scrolls sideways.
 */
const { baseURL, browser } = useBrowser();
const dataDir = inject("appDataDir");
let dealId = "";

beforeAll(async () => {
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const byEmail = async (email: string): Promise<SessionUser> =>
    (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  const seller = await byEmail("seller@demo.chengguo.cn");
  const broker = await byEmail("broker@demo.chengguo.cn");
  const buyer = await byEmail("buyer@demo.chengguo.cn");
  const listing = await tradingAchievement(seller, broker, {
    title: `手机成交工作台成果 ${Date.now()}-${Math.random().toString(36).slice(2, 6)}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 88_000_00 },
  });
  dealId = await buyNowDeal(buyer, listing, { expectedAmountFen: 88_000_00, transactionMode: "transfer" });
  await saveContract(buyer, dealId, null);
});

afterAll(async () => {
  await mongoose.disconnect();
});

describe("the deal's workspace on a phone", () => {
  it("shows parties, terms, contract, schedule, books and timeline at 390 px without sideways scrolling", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("电子邮箱").fill("buyer@demo.chengguo.cn");
    await page.getByLabel("密码").fill("Demo1234");
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((u) => u.pathname === "/");

    await page.goto(`/deals/${dealId}`);
    for (const id of ["deal-state", "deal-parties", "deal-terms", "deal-contract", "deal-schedule", "deal-books", "deal-timeline"])
      expect(await page.getByTestId(id).isVisible(), id).toBe(true);
    expect(await page.getByTestId("deal-timeline").textContent()).toContain("起草合同");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, "the deal page scrolls sideways").toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ROOT}/tests/.tmp/deal-workspace-phone.png`, fullPage: true });
    await context.close();
  });
});
