import { describe, expect, it } from "vitest";
import { publishedDemand, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { useBrowser } from "../support/browser.ts";

/**
 * 推荐我的成果 in Chromium (issue 13, point 9): the demo seller (文山学院 张教授) opens a published
 * demand of the demo cooperative, picks one of their achievements on offer, writes a note and
 * recommends it; the cooperative's 杨社长 is notified, sees the recommendation beside the computed
 * matches on the demand's page, and opens the deal room, where the note is the first message.
 * The owner then marks the demand 已解决 with that achievement (point 3), and the seller's form closes.
 * The demand and the achievement are made for the test through the app's own database (a topic
 * no other e2e test searches for).
 */
const { loggedIn } = useBrowser();

const { demoUser } = useAppDatabase();

const ACHIEVEMENT = "魔芋软腐病综合防控与种芋处理技术";
const DEMAND = "魔芋种植软腐病严重，求防治办法";
const NOTE = "杨社长您好，这项技术在麻栗坡魔芋基地示范两年，发病率降到 5% 以下，欢迎来看田间数据。";

describe("recommending an achievement on a demand page", () => {
  it("lets a seller recommend, and the demand's owner sees it beside the matches and opens the room", async () => {
    const [seller, broker, buyer] = await Promise.all(
      ["seller@demo.chengguo.cn", "broker@demo.chengguo.cn", "buyer@demo.chengguo.cn"].map(demoUser),
    );
    const achievementId = await tradingAchievement(seller, broker, {
      title: ACHIEVEMENT,
      summary: "种芋消毒、轮作与拮抗菌剂灌根结合，魔芋软腐病发病率由 30% 降到 5% 以下。",
      description: "针对山区魔芋连作软腐病高发，集成种芋处理、高垄栽培、拮抗菌剂灌根的综合防控技术。",
      field: "plateau-agriculture",
      keywords: ["魔芋", "软腐病", "种芋处理"],
      ipType: "trade-secret",
      patentNumbers: [],
      price: { mode: "negotiable" },
    });
    const demandId = await publishedDemand(buyer, broker, {
      title: DEMAND,
      description: "合作社种了 200 亩魔芋，这两年软腐病越来越重，烂芋多，想找能推广的防治技术。",
      keywords: ["魔芋", "软腐病"],
    });

    // The seller recommends their achievement, with a note, from the demand's page.
    const sellerPage = await loggedIn("seller@demo.chengguo.cn");
    await sellerPage.goto(`/demands/${demandId}`);
    await sellerPage.getByRole("heading", { name: "推荐我的成果" }).waitFor();
    await sellerPage.getByLabel("推荐的成果").selectOption(achievementId);
    await sellerPage.getByLabel("推荐说明（选填）").fill(NOTE);
    await sellerPage.getByRole("button", { name: "推荐并发起洽谈" }).click();
    await sellerPage.getByTestId("done-notice").waitFor();
    expect(await sellerPage.getByTestId("done-notice").textContent()).toContain("已推荐");
    expect(await sellerPage.getByTestId("my-recommendation").textContent()).toContain(ACHIEVEMENT);

    // The cooperative is told, and sees the recommendation beside the computed matches.
    const owner = await loggedIn("buyer@demo.chengguo.cn");
    await owner.goto("/notifications");
    await owner.getByText(`向您的需求「${DEMAND}」推荐了成果「${ACHIEVEMENT}」`).first().waitFor();
    await owner.goto(`/demands/${demandId}`);
    await owner.getByTestId("matches").waitFor();
    const rec = owner.getByTestId("recommendation").filter({ hasText: ACHIEVEMENT });
    await rec.waitFor();
    expect(await rec.textContent()).toContain("文山学院 张教授");
    expect(await rec.getByTestId("recommendation-note").textContent()).toContain(NOTE);
    expect(await owner.getByRole("heading", { name: "推荐的成果" }).isVisible()).toBe(true);

    // …and opens the deal room, where the note is waiting.
    await rec.getByTestId("recommendation-room").click();
    await owner.waitForURL(/\/rooms\/[0-9a-f]{24}/);
    await owner.locator('[data-testid="room-message"]').filter({ hasText: NOTE }).waitFor();
    expect(await owner.getByTestId("my-side").textContent()).toContain("买方");
    expect(await owner.locator("h1").first().textContent()).toContain(ACHIEVEMENT);

    // Solved with it (issue 13, point 3): the demand says so, shows no matches and takes no more recommendations.
    await owner.goto(`/demands/${demandId}`);
    await owner.getByLabel("解决本需求的成果（选填）").selectOption(achievementId);
    await owner.getByRole("button", { name: "标记为已解决" }).click();
    await owner.getByTestId("demand-solved").waitFor();
    expect(await owner.getByTestId("demand-solved").textContent()).toContain(ACHIEVEMENT);
    expect(await owner.getByTestId("status-badge").first().textContent()).toBe("已解决");
    expect(await owner.getByTestId("matches").count()).toBe(0);
    await sellerPage.goto(`/demands/${demandId}`);
    await sellerPage.getByTestId("recommend-closed").waitFor();
    expect(await sellerPage.getByTestId("recommend-closed").textContent()).toBe("该需求已解决，不再接受推荐");
  }, 120_000);
});
