import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { publishedDemand, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 16, point 4 in Chromium on a 390 px phone with JavaScript off: a lab's achievement and a
 * cooperative's demand say the same thing in words that share nothing (秸秆发酵料 / 缺草料, in no
 * shipped group), so the demand's page lists no match. The demo bureau user adds a group linking
 * the two words on /bureau/vocabulary, watches the index state turn to 已生效 (the background
 * rebuild-and-swap), and the demand's match list now shows the achievement.
 */
const { loggedIn } = useBrowser();
const { demoUser } = useAppDatabase();
const tag = `${Date.now()}`.slice(-6);
const ACHIEVEMENT = `秸秆发酵料制作技术（词表测试 ${tag}）`;

describe("the vocabulary the bureau keeps, in the browser", () => {
  it("a group added on the page without JavaScript reaches the index and the demand's matches", async () => {
    const [seller, buyer, broker] = await Promise.all([
      demoUser("seller@demo.chengguo.cn"),
      demoUser("buyer@demo.chengguo.cn"),
      demoUser("broker@demo.chengguo.cn"),
    ]);
    await tradingAchievement(seller, broker, {
      title: ACHIEVEMENT,
      summary: "秸秆发酵料的制作与饲喂。",
      description: "以玉米秸秆发酵料为主料，保障肉牛周年饲喂。",
      keywords: ["秸秆发酵料"],
      field: "plateau-agriculture",
      transactionModes: ["license"],
      licenseExclusivity: ["non-exclusive"],
      price: { mode: "negotiable" },
    });
    const demandId = await publishedDemand(buyer, broker, {
      title: "冬天缺草料",
      description: "一到冬天就缺草料。",
      keywords: ["缺草料"],
      transactionModes: ["license"],
    });

    const page = await loggedIn("bureau@demo.chengguo.cn", { phone: true, javaScript: false });
    await page.goto(`/demands/${demandId}`);
    await page.getByTestId("matches").waitFor();
    expect(await page.getByTestId("match").filter({ hasText: ACHIEVEMENT }).count()).toBe(0);

    await page.goto("/bureau/vocabulary");
    await page.getByRole("heading", { name: "匹配词表", level: 1 }).waitFor();
    expect(await page.getByTestId("weak-link").getAttribute("href")).toBe("/bureau/vocabulary/weak");
    expect(await scrollsSideways(page)).toBe(false);
    await page.getByTestId("add-group").locator("summary").click();
    const form = page.getByTestId("add-group-form");
    // A group of one word is refused, naming the field; what was typed stays.
    await form.getByLabel("词语").fill("秸秆发酵料");
    await form.getByTestId("add-group-form-submit").click();
    await expect.poll(() => page.getByText("一个词组至少要有 2 个词").count()).toBe(1);
    await page.getByTestId("add-group-form").getByLabel("词语").fill("秸秆发酵料\n缺草料");
    await page.getByTestId("add-group-form").getByLabel("来源").fill("饲草生产推广手册");
    await page.getByTestId("add-group-form-submit").click();
    await page.waitForURL("**/bureau/vocabulary/*?done=created");
    expect(await page.getByTestId("group-words").textContent()).toBe("秸秆发酵料缺草料");
    expect(await page.getByTestId("group-history").textContent()).toContain("科技局 王芳");
    expect(await scrollsSideways(page)).toBe(false);

    // The index is rebuilt in the background; the page says when it is live.
    await page.goto("/bureau/vocabulary");
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          await page.reload();
          const state = await page.getByTestId("index-state").getAttribute("data-state");
          if (seen.at(-1) !== state) seen.push(String(state));
          return state;
        },
        // A rebuild of the seeded site takes seconds; minutes on a loaded 2-core machine.
        { timeout: 120_000, interval: 1_000 },
      )
      .toBe("live")
      .catch(async (err: Error) => {
        // What the job runner and the vocabulary's bookkeeping say, for whoever reads the failure (a
        // job lock another instance left behind once kept the rebuild from running at all).
        const db = mongoose.connection.db!;
        const job = await db.collection("agendaJobs").findOne({ name: "vocabulary.index" });
        const state = await db.collection("vocabularystate").findOne({});
        throw new Error(
          `${err.message}\nstates seen: ${seen.join(" → ")}; now ${new Date().toISOString()}\nvocabularystate: ${JSON.stringify(state)}\nvocabulary.index job: ${JSON.stringify(job)}`,
        );
      });
    expect(await page.getByTestId("index-state").textContent()).toContain("已生效");

    await page.goto(`/demands/${demandId}`);
    await page.getByTestId("matches").waitFor();
    expect(await page.getByTestId("match").filter({ hasText: ACHIEVEMENT }).count()).toBe(1);
  }, 200_000);
});
