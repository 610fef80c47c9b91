import { describe, expect, it } from "vitest";
import { ROOT } from "../setup/tmp.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 15, points 6 and 7 in Chromium on a phone (390 px) with JavaScript off, on the seeded demo:
 * the bureau sees the year's dispatch against the target, adds a commissioner (a missing name is
 * named on the form), assigns them to a village and logs their training, and the count moves by
 * one; the demo commissioner with an account (seller2@) logs their own advice from /my/commissioner;
 * on /bureau/evaluation the commissioners' ranking shows each score's formula, follows new
 * weights, and downloads as CSV with a BOM. A seller is refused both pages.
 */
const { loggedIn } = useBrowser();
const phone = (email: string) => loggedIn(email, { phone: true, javaScript: false });
const tag = Date.now().toString(36).slice(-5);
const name = `测试特派员${tag}`;
const dispatchedOf = (text: string) => Number(/已派出 (\d+) 名/.exec(text)?.[1] ?? NaN);

describe("commissioners and evaluation on a phone without JavaScript", () => {
  it("registers, assigns and logs a commissioner; the dispatch count moves by one", async () => {
    const page = await phone("bureau@demo.chengguo.cn");
    await page.goto("/bureau/commissioners");
    const dispatch = page.getByTestId("dispatch-text");
    const before = dispatchedOf(await dispatch.innerText());
    expect(await dispatch.innerText()).toMatch(/年已派出 \d+ 名，目标 100 名/);
    expect(before).toBeGreaterThanOrEqual(10); // the demo's commissioners of this year
    expect(await page.getByTestId("commissioner-card").count()).toBeGreaterThanOrEqual(12);
    expect(await scrollsSideways(page)).toBe(false);

    const form = page.getByTestId("commissioner-form");
    await form.getByLabel("工作单位").fill("文山学院");
    await form.getByLabel("专业领域").selectOption("plateau-agriculture");
    // The browser's own `required` check would stop the post: the server's answer is what is tested.
    await form.getByLabel("姓名").evaluate((el) => el.removeAttribute("required"));
    await form.getByRole("button", { name: "添加" }).click();
    await expect.poll(() => form.getByRole("alert").innerText()).toContain("请填写姓名");
    await form.getByLabel("姓名").fill(name);
    await form.getByRole("button", { name: "添加" }).click();
    await page.waitForURL(/\/bureau\/commissioners\/[a-f0-9]{24}\?done=created/);
    expect(await page.getByTestId("done-notice").innerText()).toBe("已添加特派员。");

    const assign = page.getByTestId("assignment-form");
    await assign.getByLabel("对象类型").selectOption("village");
    await assign.getByLabel("对象名称（村、合作社等）").fill("西洒镇测试村");
    await assign.getByLabel("所在乡镇").selectOption({ label: "西洒镇" });
    await assign.getByRole("button", { name: "添加派驻" }).click();
    await page.waitForURL(/done=assigned/);
    expect(await page.getByTestId("assignment-card").innerText()).toContain("村 · 西洒镇测试村");

    const log = page.getByTestId("activity-form");
    await log.getByLabel("服务类型").selectOption("training");
    await log.getByLabel("地点（乡镇）").selectOption({ label: "西洒镇" });
    await log.getByLabel("服务人次").fill("25");
    await log.getByLabel("备注").fill("测试培训");
    await log.getByRole("button", { name: "填报服务记录" }).click();
    await page.waitForURL(/done=logged/);
    const entry = await page.getByTestId("activity-card").first().innerText();
    expect(entry).toContain("培训");
    expect(entry).toContain("测试培训");
    expect(entry).toContain("25");
    expect(await scrollsSideways(page)).toBe(false);

    await page.goto("/bureau/commissioners");
    expect(dispatchedOf(await page.getByTestId("dispatch-text").innerText())).toBe(before + 1);
    await page.screenshot({ path: `${ROOT}/tests/.tmp/commissioners-phone.png`, fullPage: true });
    expect(await page.getByTestId("commissioner-card").filter({ hasText: name }).innerText()).toContain("西洒镇测试村");
  });

  it("lets a commissioner with an account log their own activity, and nothing else", async () => {
    const page = await phone("seller2@demo.chengguo.cn");
    await page.goto("/my/commissioner");
    await page.waitForURL(/\/bureau\/commissioners\/[a-f0-9]{24}/);
    expect(await page.locator("h1").innerText()).toBe("刘建华");
    expect(await page.getByTestId("assignment-form").count()).toBe(0);
    const log = page.getByTestId("activity-form");
    await log.getByLabel("服务类型").selectOption("advice");
    await log.getByLabel("地点（乡镇）").selectOption({ label: "兴街镇" });
    await log.getByLabel("服务人次").fill("4");
    await log.getByRole("button", { name: "填报服务记录" }).click();
    await page.waitForURL(/done=logged/);
    expect(await page.getByTestId("activity-card").first().innerText()).toContain("本人填报");
    const registry = await page.goto("/bureau/commissioners");
    expect(registry?.status()).toBe(403);
  });

  it("ranks commissioners with the formula shown, follows new weights, and exports CSV", async () => {
    const page = await phone("bureau@demo.chengguo.cn");
    await page.goto("/bureau/evaluation");
    await page.getByLabel("评估对象").selectOption("commissioner");
    await page.getByRole("button", { name: "查看" }).click();
    await page.waitForURL(/kind=commissioner/);
    expect(await page.getByTestId("formula-shape").innerText()).toBe("得分 = 0.3×派驻对象数 + 0.5×服务次数 + 0.02×服务人次");
    const first = page.getByTestId("ranking-row").first();
    expect(await first.innerText()).toMatch(/排名 1 ·/);
    expect(await first.getByTestId("formula").innerText()).toMatch(
      /^0\.3×派驻对象数 \d+ \+ 0\.5×服务次数 \d+ \+ 0\.02×服务人次 \d+ = [\d.]+$/,
    );
    expect(await scrollsSideways(page)).toBe(false);

    // Only assignments count now: everyone with one assignment scores 1.
    const weights = page.getByTestId("weights-form");
    await weights.getByLabel("派驻对象数").fill("1");
    await weights.getByLabel("服务次数").fill("0");
    await weights.getByLabel("服务人次").fill("0");
    await weights.getByRole("button", { name: "保存权重" }).click();
    await page.waitForURL(/done=weights/);
    expect(await page.getByTestId("formula-shape").innerText()).toBe("得分 = 1×派驻对象数");
    const mine = page.getByTestId("ranking-row").filter({ hasText: name });
    expect(await mine.getByTestId("formula").innerText()).toBe("1×派驻对象数 1 = 1");
    await page.screenshot({ path: `${ROOT}/tests/.tmp/evaluation-phone.png`, fullPage: true });

    const csv = await page.request.get("/bureau/evaluation.csv?kind=commissioner");
    expect(csv.status()).toBe(200);
    const bytes = await csv.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString("utf8");
    expect(text.split("\r\n")[0]).toBe("排名,名称,派驻对象数,服务次数,服务人次,得分,计算式");
    expect(text).toContain(`${name}（文山学院）,1,1,25,1,1×派驻对象数 1 = 1`);

    const seller = await phone("seller@demo.chengguo.cn");
    expect((await seller.goto("/bureau/evaluation"))?.status()).toBe(403);
  });
});
