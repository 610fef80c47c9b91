import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { Achievement } from "~/models/achievement.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { chinaDate } from "~/utils/china-time.ts";
import { inNoticeAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { useBrowser } from "../support/browser.ts";

/**
 * 洽谈室 in Chromium: a buyer opens a room from an achievement of another organisation (demo-A03,
 * 文山学院's fixed-price listing in `trading`, which no other e2e test buys), writes; the seller,
 * in a second browser context, finds the unread room in 我的洽谈 and opens it; they chat both
 * ways without reloads, each seeing the other typing and the other's messages arrive; the seller
 * puts an offer card on the table, the buyer sees it arrive and accepts it, and both see the
 * agreed terms and the deal — and from then on neither is offered a card form, but told why
 * (issue 13, point 1). A room of a listing in its 公示 offers no card form but the notice's end
 * date (point 4): that listing is made for the test, through the app's own database.
 */
const { loggedIn } = useBrowser();

const { demoUser } = useAppDatabase();
const TITLE = "喀斯特石漠化区花椒—金银花复合植被恢复模式";
const POLL = { timeout: 10_000 };

/** A message in the list (not a pending copy), by its text. */
const message = (page: Page, text: string) => page.locator('[data-testid="room-message"]').filter({ hasText: text });

async function send(page: Page, text: string) {
  await page.getByTestId("composer-text").fill(text);
  await page.getByTestId("composer-send").click();
  await message(page, text).waitFor();
}

describe("a deal room in the browser", () => {
  it("carries a live negotiation from the first message to an accepted offer card and a deal", async () => {
    // The buyer opens the listing and starts talking.
    const buyer = await loggedIn("buyer@demo.chengguo.cn");
    await buyer.goto("/achievements?field=eco-environment");
    await buyer.getByRole("link", { name: TITLE }).first().click();
    await buyer.waitForURL(/\/achievements\/[0-9a-f]{24}$/);
    await buyer.getByTestId("open-room").click();
    await buyer.waitForURL(/\/rooms\/[0-9a-f]{24}/);
    const roomPath = new URL(buyer.url()).pathname;
    await buyer.getByTestId("room-live").waitFor();
    expect(await buyer.getByTestId("my-side").textContent()).toContain("买方");
    await send(buyer, "您好，想了解花椒—金银花模式在麻栗坡的授权方式。");

    // The seller sees the room as unread in 我的洽谈 and opens it.
    const seller = await loggedIn("seller@demo.chengguo.cn");
    await seller.goto("/rooms");
    const row = seller.getByTestId("room-row").filter({ hasText: TITLE });
    await row.getByTestId("room-unread").waitFor();
    expect(Number(await row.getByTestId("room-unread").textContent())).toBeGreaterThanOrEqual(1);
    await row.getByTestId("room-link").click();
    await seller.waitForURL((u) => u.pathname === roomPath);
    await seller.getByTestId("room-live").waitFor();
    await message(seller, "想了解花椒—金银花模式").waitFor();
    // Marks on both windows: a reload would lose them.
    for (const p of [buyer, seller]) await p.evaluate(() => ((window as unknown as { __sameRoomPage: boolean }).__sameRoomPage = true));
    // The buyer learns that the seller is here and has read the message.
    await expect.poll(() => buyer.getByTestId("presence").textContent(), POLL).toContain("张教授");
    await buyer.locator('[data-testid="room-message"][data-mine="true"]').getByTestId("read-receipt").first().waitFor();

    // The seller types: the buyer sees it; the seller sends: the buyer sees the message arrive.
    await seller.getByTestId("composer-text").pressSequentially("可以，", { delay: 30 });
    await expect.poll(() => buyer.getByTestId("typing").textContent(), POLL).toBe("对方正在输入…");
    await seller.getByTestId("composer-text").pressSequentially("普通许可，县内独家示范基地优先。", { delay: 10 });
    await seller.getByTestId("composer-send").click();
    await message(seller, "普通许可，县内独家示范基地优先。").waitFor();
    await message(buyer, "普通许可，县内独家示范基地优先。").waitFor();
    await expect.poll(() => buyer.getByTestId("typing").textContent(), POLL).toBe("");

    // And back the other way.
    await buyer.getByTestId("composer-text").pressSequentially("好的，", { delay: 30 });
    await expect.poll(() => seller.getByTestId("typing").textContent(), POLL).toBe("对方正在输入…");
    await buyer.getByTestId("composer-text").pressSequentially("请给个报价。", { delay: 10 });
    await buyer.getByTestId("composer-text").press("Enter");
    await message(seller, "好的，请给个报价。").waitFor();

    // The seller proposes an offer card.
    await seller.getByTestId("propose-fold").locator("summary").click();
    await seller.getByLabel("价格（元）").fill("150000");
    await seller.getByLabel("交易方式").selectOption("license");
    await seller.getByLabel("许可类型").selectOption("non-exclusive");
    await seller.getByLabel("地域范围").fill("云南省文山州");
    await seller.getByLabel("期限（月）").fill("36");
    await seller.locator("#propose-milestones-0-title").fill("签约首付");
    await seller.locator("#propose-milestones-0-amount").fill("50000");
    await seller.locator("#propose-milestones-0-dueInDays").fill("15");
    await seller.getByTestId("propose-submit").click();
    await seller.getByTestId("card-withdraw").waitFor();

    // The buyer sees the card arrive, with its terms, and accepts it.
    const card = buyer.getByTestId("card-panel").getByTestId("offer-card");
    await card.waitFor();
    expect(await card.getAttribute("data-status")).toBe("open");
    expect(await card.getByTestId("card-price").textContent()).toBe("¥150,000");
    expect(await card.getByTestId("card-mode").textContent()).toBe("许可（普通许可）");
    expect(await card.getByTestId("card-territory").textContent()).toBe("云南省文山州");
    expect(await card.getByTestId("card-term").textContent()).toBe("36 个月");
    expect(await card.getByTestId("card-milestones").textContent()).toContain("签约首付 · ¥50,000");
    await message(buyer, "报价卡").first().waitFor();
    await buyer.getByTestId("card-accept").click();

    // Both see the agreed terms and the deal: the buyer after the post, the seller live.
    for (const p of [buyer, seller]) {
      await p.getByTestId("agreed-terms").waitFor();
      expect(await p.getByTestId("agreed-terms").getByTestId("card-price").textContent()).toBe("¥150,000");
      await p.getByTestId("deal-link").waitFor();
    }
    expect(await seller.getByTestId("deal-link").getAttribute("href")).toBe(await buyer.getByTestId("deal-link").getAttribute("href"));
    // The deal made, the room takes no more cards: no card form on either page, and the reason said
    // (a non-exclusive licence: this room closes, the listing stays on the market — point 5).
    for (const p of [buyer, seller]) {
      await p.getByTestId("cards-closed").waitFor();
      expect(await p.getByTestId("cards-closed").textContent()).toContain("本洽谈室的普通许可已成交，不再接受报价卡");
      expect(await p.getByTestId("propose-fold").count()).toBe(0);
      expect(await p.getByTestId("agreed-terms").getByTestId("card-mode").textContent()).toBe("许可（普通许可）");
    }
    // Everything above happened without reloading either page.
    for (const p of [buyer, seller])
      expect(await p.evaluate(() => (window as unknown as { __sameRoomPage?: boolean }).__sameRoomPage)).toBe(true);
    await buyer.getByTestId("deal-link").click();
    await buyer.waitForURL(/\/deals\/[0-9a-f]{24}/);
    await buyer.getByTestId("deal-page").waitFor();
    expect(await buyer.getByTestId("deal-price").textContent()).toBe("¥150,000");
    expect(await buyer.getByTestId("deal-page").textContent()).toContain("洽谈成交");
  }, 180_000);

  it("offers no card form during the 公示, but the date it ends", async () => {
    const [seller, broker, buyer] = await Promise.all(
      ["seller@demo.chengguo.cn", "broker@demo.chengguo.cn", "buyer@demo.chengguo.cn"].map(demoUser),
    );
    const listingId = await inNoticeAchievement(seller!, broker!, { title: "高山茶园轻简化机械采摘技术（公示中）" });
    const date = chinaDate((await Achievement.findById(listingId, { noticeEndsAt: 1 }).lean())!.noticeEndsAt!);
    const roomId = await openRoom(buyer!, { from: "listing", listingId });
    const page = await loggedIn("buyer@demo.chengguo.cn");
    await page.goto(`/rooms/${roomId}`);
    await page.getByTestId("cards-closed").waitFor();
    expect(await page.getByTestId("cards-closed").textContent()).toBe(
      `该成果正在公示，公示期至 ${date}，结束后方可交易；公示期内不能提出或接受报价卡`,
    );
    expect(await page.getByTestId("propose-fold").count()).toBe(0);
  }, 60_000);
});
