import { describe, expect, it } from "vitest";
import { openRoom } from "~/services/rooms/open.server.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { useBrowser } from "../support/browser.ts";

/**
 * 经纪工作台 in Chromium (issue 13, point 12), on a phone-sized screen: the demo broker follows
 * 先进制造 in 文山州, finds a negotiation without a broker (made for the test: the demo buyer's room
 * on a new listing of 文山学院), offers help; the buyer reads the offer in 消息, invites the broker
 * by the email it names, and the negotiation leaves the broker's list.
 */
const { loggedIn } = useBrowser();

const { demoUser } = useAppDatabase();
const TITLE = "三七药材自动切片烘干生产线（经纪测试）";

describe("the broker work page in the browser", () => {
  it("lets a broker find a negotiation, offer help, and be invited by the buyer", async () => {
    const [seller, buyerUser, broker] = await Promise.all([
      demoUser("seller@demo.chengguo.cn"),
      demoUser("buyer@demo.chengguo.cn"),
      demoUser("broker@demo.chengguo.cn"),
    ]);
    const listing = await tradingAchievement(seller, broker, { title: TITLE, price: { mode: "negotiable" } });
    const roomId = await openRoom(buyerUser, { from: "listing", listingId: listing });

    const page = await loggedIn("broker@demo.chengguo.cn");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/work");
    await page.getByRole("heading", { name: "经纪工作台", level: 1 }).waitFor();
    // Follow 先进制造 in 文山壮族苗族自治州 only.
    await page.getByLabel("先进制造").check();
    await page.getByLabel("文山壮族苗族自治州").check();
    await page.getByRole("button", { name: "保存" }).click();
    await page.getByText("关注领域和地区已保存。").waitFor();
    const item = page.getByTestId("work-rooms").getByTestId("work-item").filter({ hasText: TITLE });
    await item.waitFor();
    await item.getByTestId("offer-help").click();
    await page.getByText("已通知双方：您愿意协助。").waitFor();
    await page.getByTestId("work-rooms").getByTestId("work-item").filter({ hasText: TITLE }).getByTestId("help-offered").waitFor();

    // The buyer is told, with the broker's email, and invites them into the room.
    const buyer = await loggedIn("buyer@demo.chengguo.cn");
    await buyer.goto("/notifications");
    const note = buyer.getByTestId("notification").filter({ hasText: TITLE }).first();
    expect(await note.textContent()).toContain("broker@demo.chengguo.cn");
    await buyer.goto(`/rooms/${roomId}`);
    await buyer.getByTestId("invite-form").getByRole("textbox").fill("broker@demo.chengguo.cn");
    await buyer.getByTestId("invite-form").getByRole("button").click();
    await buyer.getByText("邀请技术经纪人 技术经纪人 陈刚 加入洽谈", { exact: false }).first().waitFor();

    await page.goto("/work");
    await page.getByRole("heading", { name: "可协助的洽谈" }).waitFor();
    expect(await page.getByTestId("work-item").filter({ hasText: TITLE }).count()).toBe(0);
    // Clean up the demo broker's preferences for whoever uses the demo next.
    await page.getByLabel("先进制造").uncheck();
    await page.getByLabel("文山壮族苗族自治州").uncheck();
    await page.getByRole("button", { name: "保存" }).click();
    await page.getByText("关注领域和地区已保存。").waitFor();
  });
});
