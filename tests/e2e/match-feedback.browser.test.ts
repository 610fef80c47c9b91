import { describe, expect, it } from "vitest";
import { publishedDemand, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * 不相关 on a match (issue 16 point 5, decision 031), as the demand's owner does it on a phone
 * without JavaScript: the demo cooperative's 杨社长 marks the top match of their demand 不相关; it
 * leaves the list, "已标为不相关 (1)" holds it, and 撤销 brings it back. The demand and two
 * achievements on a topic no other e2e test uses are made through the app's own database; the
 * app's outbox worker puts them in the index.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();

const tag = Date.now().toString(36);
const JUICE = `刺梨果汁护色与防褐变加工技术 ${tag}`;
const POMACE = `刺梨果渣膳食纤维提取技术 ${tag}`;
const DEMAND = `刺梨榨汁后颜色变褐，求护色办法 ${tag}`;

describe("marking a match 不相关 without JavaScript", () => {
  it("takes it off the demand's list, keeps it under 已标为不相关, and 撤销 brings it back", async () => {
    const [seller, broker, buyer] = await Promise.all(
      ["seller@demo.chengguo.cn", "broker@demo.chengguo.cn", "buyer@demo.chengguo.cn"].map(demoUser),
    );
    const common = {
      field: "food-processing" as const,
      ipType: "trade-secret" as const,
      patentNumbers: [],
      transactionModes: ["license" as const],
      licenseExclusivity: ["non-exclusive" as const],
      price: { mode: "negotiable" as const },
    };
    await tradingAchievement(seller, broker, {
      ...common,
      title: JUICE,
      summary: "刺梨鲜果榨汁的护色、酶钝化与低温浓缩工艺，果汁放置 6 个月不褐变，维生素 C 保留率 85% 以上。",
      description: "针对刺梨果汁易褐变、维生素 C 损失大的问题，集成护色剂复配、酶钝化和低温浓缩技术。",
      keywords: ["刺梨", "果汁", "护色", "褐变"],
    });
    await tradingAchievement(seller, broker, {
      ...common,
      title: POMACE,
      summary: "刺梨榨汁后的果渣经酶解与超微粉碎制成膳食纤维粉。",
      description: "刺梨果渣综合利用：膳食纤维提取、干燥与粉碎，提高刺梨加工附加值。",
      keywords: ["刺梨", "果渣", "膳食纤维"],
    });
    const demandId = await publishedDemand(buyer, broker, {
      title: DEMAND,
      description: "合作社把刺梨榨成果汁卖，放几天颜色就变褐，维生素也少了，想找护色保鲜的加工办法。",
      field: "food-processing",
      keywords: ["刺梨", "果汁", "褐变"],
      transactionModes: ["license"],
    });

    const page = await loggedIn("buyer@demo.chengguo.cn", { phone: true, javaScript: false });
    const cards = page.getByTestId("match");
    // The app's outbox worker indexes the new listings within a few seconds.
    for (let i = 0; ; i++) {
      await page.goto(`/demands/${demandId}`);
      if ((await cards.filter({ hasText: JUICE }).count()) > 0 && (await cards.filter({ hasText: POMACE }).count()) > 0) break;
      if (i >= 30) throw new Error("the new achievements never showed among the demand's matches");
      await page.waitForTimeout(1000);
    }
    expect(await scrollsSideways(page)).toBe(false);

    // The top match, marked 不相关.
    const top = cards.first();
    const topTitle = (await top.locator(".match-card__title").textContent())!.trim();
    const before = await cards.count();
    await top.getByRole("button", { name: "不相关" }).click();
    await page.getByTestId("done-notice").waitFor();
    expect(await page.getByTestId("done-notice").textContent()).toContain("已标为不相关");
    expect(await cards.filter({ hasText: topTitle }).count()).toBe(0);
    expect(await cards.count()).toBeGreaterThanOrEqual(Math.min(before - 1, 1));

    // …kept under 已标为不相关 (1), collapsed; opened (a plain <details>), it has 撤销.
    const hidden = page.getByTestId("matches-hidden");
    expect((await hidden.locator("summary").textContent())?.trim()).toBe("已标为不相关 (1)");
    await hidden.locator("summary").click();
    const item = hidden.getByTestId("hidden-match").filter({ hasText: topTitle });
    await item.waitFor();
    expect(await scrollsSideways(page)).toBe(false);
    await item.getByRole("button", { name: "撤销" }).click();

    // Back in the list, on top again; nothing left under 已标为不相关.
    await page.getByTestId("done-notice").waitFor();
    expect(await page.getByTestId("done-notice").textContent()).toContain("已撤销");
    expect((await cards.first().locator(".match-card__title").textContent())!.trim()).toBe(topTitle);
    expect(await page.getByTestId("matches-hidden").count()).toBe(0);
  }, 120_000);

  it("shows the bureau the weakly matched demands with the words that found nothing, on a phone without JavaScript", async () => {
    const [broker, buyer] = await Promise.all(["broker@demo.chengguo.cn", "buyer@demo.chengguo.cn"].map(demoUser));
    const title = `高原牦牛冬春掉膘严重 ${tag}`;
    const demandId = await publishedDemand(buyer, broker, {
      title,
      description: "牧区冬春缺草，牦牛掉膘、死亡率高，想找补饲办法。",
      field: "plateau-agriculture",
      keywords: ["牦牛", "掉膘"],
      transactionModes: ["license"],
    });
    const page = await loggedIn("bureau@demo.chengguo.cn", { phone: true, javaScript: false });
    // Newest first: the new demand is on the first page once the outbox worker indexed it.
    const entry = page.getByTestId("weak-demand").filter({ hasText: title });
    for (let i = 0; ; i++) {
      await page.goto("/bureau/vocabulary/weak");
      if ((await entry.count()) > 0) break;
      if (i >= 30) throw new Error("the weak demand never showed");
      await page.waitForTimeout(1000);
    }
    expect(await page.getByTestId("weak-threshold").textContent()).toContain("35%");
    const word = entry.getByTestId("weak-word").filter({ hasText: "牦牛" });
    expect(await word.getAttribute("href")).toBe(`/bureau/vocabulary?word=${encodeURIComponent("牦牛")}`);
    expect(await entry.getByRole("link", { name: title }).getAttribute("href")).toBe(`/demands/${demandId}`);
    expect(await scrollsSideways(page)).toBe(false);

    // Not for a buyer.
    const buyerPage = await loggedIn("buyer@demo.chengguo.cn", { phone: true, javaScript: false });
    const res = await buyerPage.goto("/bureau/vocabulary/weak");
    expect(res?.status()).toBe(403);
  }, 120_000);
});
