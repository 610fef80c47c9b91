import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { tradingAchievement, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { useBrowser } from "../support/browser.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * 我的交易 and 我的报价 on a phone (390 px wide, no JavaScript): every row is a card whose fields
 * each get the full width, so nothing scrolls sideways and no title wraps one character per line.
 * A demo buyer gets one offer and one deal first (the demo data has neither).
 */
const { baseURL, browser } = useBrowser();
const dataDir = inject("appDataDir");

beforeAll(async () => {
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const byEmail = async (email: string): Promise<SessionUser> =>
    (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  const seller = await byEmail("seller@demo.chengguo.cn");
  const broker = await byEmail("broker@demo.chengguo.cn");
  const buyer = await byEmail("buyer@demo.chengguo.cn");
  const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const negotiable = await tradingAchievement(seller, broker, {
    title: `手机列表报价成果 ${tag}`,
    transactionModes: ["transfer"],
    price: { mode: "negotiable", amount: 150_000_00 },
  });
  await makeOffer(buyer, negotiable, { amountFen: 120_000_00, transactionMode: "transfer", message: "手机上看报价" });
  const fixed = await tradingAchievement(seller, broker, {
    title: `手机列表成交成果 ${tag}`,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 90_000_00 },
  });
  await buyNowDeal(buyer, fixed, { expectedAmountFen: 90_000_00, transactionMode: "transfer" });
});

afterAll(async () => {
  await mongoose.disconnect();
});

describe("the trading lists on a phone", () => {
  it("shows /deals and /offers as cards at 390 px: no sideways scrolling, titles readable", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("电子邮箱").fill("buyer@demo.chengguo.cn");
    await page.getByLabel("密码").fill("Demo1234");
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((u) => u.pathname === "/");

    for (const [url, row] of [
      ["/deals", "deal-row"],
      ["/offers", "offer-row"],
    ] as const) {
      await page.goto(url);
      const first = page.getByTestId(row).first();
      await first.waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${url} scrolls sideways`).toBeLessThanOrEqual(0);
      // Nothing inside scrolls sideways either (a table in an overflow box would).
      const inner = await page.evaluate(() =>
        [...document.querySelectorAll(".table-wrap")].map((el) => el.scrollWidth - el.clientWidth).reduce((a, b) => Math.max(a, b), 0),
      );
      expect(inner, `${url} has a box that scrolls sideways`).toBeLessThanOrEqual(0);
      // Each field of a row gets (nearly) the card's width: the title is one readable line, not a column of characters.
      const title = first.getByRole("link").first();
      const box = (await title.boundingBox())!;
      expect(box.width, `${url}: the title link is ${box.width}px wide`).toBeGreaterThan(150);
      const cells = await first.locator("td").evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().width));
      for (const w of cells) expect(w, `${url}: a field is ${w}px wide`).toBeGreaterThan(300);
      // Each field says what it is.
      expect(await first.locator("td").first().getAttribute("data-label")).toBeTruthy();
      await page.screenshot({ path: `${ROOT}/tests/.tmp/${url.slice(1)}-phone.png`, fullPage: true });
    }
    await context.close();
  });
});
