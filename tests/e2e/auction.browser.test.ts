import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { useBrowser } from "../support/browser.ts";

/**
 * A seller runs an auction from the UI, two buyers in two browser contexts register, pay the
 * deposit on the (local) Stripe payment page, and bid; each sees the other's bid arrive live
 * without reloading; the auction closes by itself with the right winner, the loser's deposit is
 * released and the winner's applied to the price.
 */
const { baseURL, loggedIn } = useBrowser();

/** Beijing time as a datetime-local value with seconds. */
const chinaLocal = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 19);

async function registerAndPay(page: Page, auctionPath: string) {
  await page.goto(auctionPath);
  await page.getByTestId("accept-agreement").check();
  await page.getByTestId("register-submit").click();
  // The payment page of the Stripe-compatible server, then back to the auction.
  await page.waitForURL(/\/pay\/cs_/);
  await page.getByTestId("stripe-pay").click();
  await page.waitForURL((u) => u.pathname === auctionPath && u.searchParams.get("deposit") === "held");
  await expect.poll(() => page.getByTestId("my-registration").textContent()).toContain("已冻结");
  await page.getByTestId("auction-live").waitFor();
}

describe("an auction in the browser", () => {
  it("runs from creation to the winner with live bids and deposits held and settled", async () => {
    // The seller opens their auction-priced achievement and starts an auction ending in ~50 s.
    const seller = await loggedIn("seller2@demo.chengguo.cn");
    // From the seller's own list: the public list pages as other tests add listings.
    await seller.goto("/my/achievements");
    await seller.getByRole("link", { name: "辣椒主要病虫害绿色防控集成技术" }).first().click();
    await seller.waitForURL(/\/achievements\/[0-9a-f]{24}$/);
    const listingPath = new URL(seller.url()).pathname;
    await seller.goto(`${listingPath}/auction/new`);
    await seller.getByLabel("起拍价（元）").fill("80000");
    await seller.getByLabel("保证金（元）").fill("abc");
    await seller.getByTestId("auction-submit").click();
    // A bad deposit is refused next to its field; what was typed stays.
    await seller.getByText("金额应为数字").first().waitFor();
    expect(await seller.getByLabel("起拍价（元）").inputValue()).toBe("80000");
    await seller.getByLabel("保证金（元）").fill("1000");
    await seller.getByLabel("每次加价（元）").fill("1000");
    await seller.getByLabel("结束时间（北京时间）").fill(chinaLocal(new Date(Date.now() + 50_000)));
    await seller.getByLabel("延时窗口（分钟）").fill("0");
    await seller.getByTestId("auction-submit").click();
    await seller.waitForURL(/\/auctions\/[0-9a-f]{24}\?created=1/);
    const auctionPath = new URL(seller.url()).pathname;
    expect(await seller.getByTestId("auction-phase").textContent()).toBe("竞价中");

    // Two buyers register and pay their deposits.
    const alice = await loggedIn("buyer@demo.chengguo.cn");
    const bob = await loggedIn("eco@demo.chengguo.cn");
    await registerAndPay(alice, auctionPath);
    await registerAndPay(bob, auctionPath);

    // Alice bids; Bob's page shows it without a reload.
    await alice.getByLabel("出价金额（元）").fill("80000");
    await alice.getByTestId("bid-submit").click();
    await alice.getByTestId("bid-ok").waitFor();
    await bob.locator('[data-testid="bid-row"][data-seq="1"]').waitFor();
    expect(await bob.getByTestId("current-price").textContent()).toContain("80,000");
    expect(await bob.locator('[data-testid="bid-row"][data-seq="1"]').textContent()).toContain("竞买人 1 号");

    // Too low is refused in place and changes nothing.
    await bob.getByLabel("出价金额（元）").fill("80500");
    await bob.getByTestId("bid-submit").click();
    await bob.getByTestId("bid-error").waitFor();
    expect(await bob.getByTestId("bid-error").textContent()).toContain("81,000");

    // A digit too many is far above the minimum: the form asks to confirm it and places nothing.
    await bob.getByLabel("出价金额（元）").fill("820000");
    await bob.getByTestId("bid-submit").click();
    await bob.getByTestId("confirm-large").waitFor();
    expect(await bob.getByTestId("bid-error").textContent()).toContain("远高于最低应价");
    expect(await bob.getByTestId("bid-count").textContent()).toBe("1");

    // Bob outbids; Alice and the seller see it live.
    await bob.getByLabel("出价金额（元）").fill("82000");
    await bob.getByTestId("bid-submit").click();
    await bob.getByTestId("bid-ok").waitFor();
    await alice.locator('[data-testid="bid-row"][data-seq="2"]').waitFor();
    await expect.poll(() => alice.getByTestId("current-price").textContent()).toContain("82,000");
    await expect.poll(() => seller.getByTestId("bid-count").textContent()).toBe("2");

    // While it runs: the deposit banner, the minimum next bid and the bid form.
    expect(await alice.getByText("保证金已冻结，您可以出价了。").count()).toBe(1);
    expect(await alice.getByTestId("next-minimum").textContent()).toContain("83,000");

    // The auction closes by itself; everyone sees the outcome arrive.
    for (const p of [alice, bob, seller]) await p.getByTestId("auction-outcome").waitFor({ timeout: 90_000 });
    expect(await alice.getByTestId("auction-outcome").textContent()).toContain("竞买人 2 号以 ¥82,000 竞得");
    await bob.getByTestId("you-won").waitFor();
    expect(await bob.getByTestId("auction-phase").textContent()).toBe("已结束");

    // Without a reload, the closed page drops "you can bid", the minimum and the bid form, and the
    // loser's deposit follows the settlement (released), never left at 已冻结.
    for (const p of [alice, bob]) {
      expect(await p.getByText("保证金已冻结，您可以出价了。").count()).toBe(0);
      expect(await p.getByTestId("next-minimum").count()).toBe(0);
      expect(await p.getByTestId("bid-form").count()).toBe(0);
    }
    await expect.poll(() => alice.getByTestId("my-registration").textContent(), { timeout: 30_000 }).toContain("已解冻退回");
    await expect.poll(() => bob.getByTestId("my-registration").textContent(), { timeout: 30_000 }).toContain("已抵作价款");

    // Deposits: the loser's released, the winner's applied to the price.
    await expect
      .poll(
        async () => {
          await alice.reload();
          return alice.getByTestId("my-registration").textContent();
        },
        { timeout: 30_000 },
      )
      .toContain("已解冻退回");
    await expect
      .poll(
        async () => {
          await bob.reload();
          return bob.getByTestId("my-registration").textContent();
        },
        { timeout: 30_000 },
      )
      .toContain("已抵作价款");

    // The chain verifies, for anyone.
    const verify = await (await fetch(`${baseURL}/api/v1${auctionPath}/verify`)).json();
    expect(verify).toMatchObject({ intact: true, bids: 2 });
  }, 180_000);
});
