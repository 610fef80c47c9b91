import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Buy-now with a deposit, on a phone, against the running app and its local Stripe-compatible
 * server (issue 14, point 8; decision 023): the buy page offers the two ways with the deposit and
 * the confirmation time; the buyer pays the deposit on the payment page, comes back to their
 * requests page, and the deal is made — the listing sold only then.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();
let listingId = "";
const title = `定金购买测试成果 ${Date.now()}`; // a topic no e2e search looks for

beforeAll(async () => {
  listingId = await tradingAchievement(await demoUser("seller@demo.chengguo.cn"), await demoUser("broker@demo.chengguo.cn"), {
    title,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: 120_000_00 },
  });
});

describe("buy-now with a deposit on a phone", () => {
  it("shows both ways, takes the deposit on the payment page and makes the deal on return", async () => {
    const page = await loggedIn("food@demo.chengguo.cn", { phone: true });

    await page.goto(`/achievements/${listingId}/buy`);
    const ways = await page.getByTestId("buy-ways").innerText();
    expect(ways).toContain("¥12,000"); // 10% of ¥120,000
    expect(ways).toContain("48 小时");
    expect(await scrollsSideways(page)).toBe(false);
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
    await page.context().close();
  });
});
