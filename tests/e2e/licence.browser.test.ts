import { beforeAll, describe, expect, it } from "vitest";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 13, point 5 in Chromium on a phone (390 px): a listing priced per mode and licence kind
 * shows its prices; a buyer chooses 普通许可 on the buy page, confirms, and the listing stays on
 * offer for the next licensee; the seller's form takes the prices without sideways scrolling.
 */
const { loggedIn: as } = useBrowser();
const { demoUser } = useAppDatabase();
const loggedIn = (email: string) => as(email, { phone: true });
let listingId = "";
const title = `分项定价茶园采摘机 ${Date.now()}`; // a topic no e2e search looks for

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn");
  const broker = await demoUser("broker@demo.chengguo.cn");
  listingId = await tradingAchievement(seller, broker, {
    title,
    transactionModes: ["transfer", "license"],
    licenseExclusivity: ["exclusive", "non-exclusive"],
    price: { mode: "fixed" },
    prices: [
      { transactionMode: "transfer", amount: 300_000_00 },
      { transactionMode: "license", licenseExclusivity: "exclusive", amount: 200_000_00 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 50_000_00 },
    ],
  });
});

describe("a non-exclusive licence on a phone", () => {
  it("is chosen on the buy page and bought, and the listing stays on offer for the next licensee", async () => {
    const buyer = await loggedIn("buyer@demo.chengguo.cn");
    await buyer.goto(`/achievements/${listingId}`);
    const prices = buyer.getByTestId("price-list");
    expect(await prices.innerText()).toContain("普通许可 ¥50,000");
    expect(await prices.innerText()).toContain("转让 ¥300,000");
    await buyer.getByTestId("buy-now").click();
    await buyer.getByTestId("choose-license.non-exclusive").click();
    expect(await buyer.getByTestId("buy-price").innerText()).toBe("¥50,000");
    await buyer.getByTestId("non-exclusive-note").waitFor();
    expect(await scrollsSideways(buyer)).toBe(false);
    // The two ways (decision 023): a 10% deposit (¥5,000) or the seller's confirmation within 48 hours.
    const ways = await buyer.getByTestId("buy-ways").innerText();
    expect(ways).toContain("¥5,000");
    expect(ways).toContain("48");
    await buyer.getByTestId("way-confirm").check();
    await buyer.getByLabel("我已阅读并同意", { exact: false }).check();
    await buyer.getByTestId("confirm-buy").click();
    await buyer.waitForURL(/\/my\/buy-requests\?done=requested/);
    expect(await buyer.getByTestId("my-requests").innerText()).toContain("等待中");
    expect(await scrollsSideways(buyer)).toBe(false);

    // The seller confirms it on their requests page; the deal opens.
    const seller = await loggedIn("seller@demo.chengguo.cn");
    await seller.goto("/my/buy-requests");
    expect(await scrollsSideways(seller)).toBe(false);
    await seller.getByTestId("requests-to-confirm").locator("li", { hasText: title }).getByTestId("confirm-request").click();
    await seller.waitForURL(/\/deals\/[0-9a-f]{24}\?done=bought/);
    await seller.getByTestId("deal-non-exclusive").waitFor();

    // Another buyer still finds it on offer, with the licence counted.
    const next = await loggedIn("eco@demo.chengguo.cn");
    await next.goto(`/achievements/${listingId}`);
    expect(await next.getByTestId("licensees").innerText()).toContain("已授予 1 项普通许可");
    await next.getByTestId("buy-now").waitFor();
  });

  it("lets the seller enter a price per mode on the form without sideways scrolling", async () => {
    const seller = await loggedIn("seller@demo.chengguo.cn");
    await seller.goto("/achievements/new");
    const fields = seller.getByTestId("price-list-fields");
    await fields.scrollIntoViewIfNeeded();
    for (const label of ["转让", "独占许可", "排他许可", "普通许可"]) {
      await fields.getByLabel(label, { exact: true }).waitFor();
    }
    expect(await scrollsSideways(seller)).toBe(false);
  });
});
