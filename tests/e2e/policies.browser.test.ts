import { describe, expect, it } from "vitest";
import { pdfBytes } from "../../seeds/trading-fixtures.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 15, point 8 in Chromium on a 390 px phone: the demo bureau user writes a notice with the
 * JavaScript off (a refusal first), attaches its PDF and publishes it; a visitor finds it first
 * on the home page and on /policies, reads the body (the script in it is only text) and downloads
 * the attachment; the bureau withdraws it and its address says so. Nothing scrolls sideways and
 * Chromium reports no CSP violation.
 */
const { baseURL, browser, loggedIn } = useBrowser();
const tag = `${Date.now()}`.slice(-6);
const title = `关于开展科技特派员服务记录抽查的通知（测试 ${tag}）`;

describe("policies and notices in the browser", () => {
  it("the bureau publishes a notice from the UI; a visitor reads it; the bureau withdraws it", async () => {
    const bureau = await loggedIn("bureau@demo.chengguo.cn", { phone: true, javaScript: false });
    await bureau.goto("/bureau/policies");
    await bureau.getByTestId("new-policy").click();
    await bureau.waitForURL("**/bureau/policies/new");
    await bureau.getByLabel("类别").selectOption("notice");
    await bureau.getByLabel("标题").fill(title);
    await bureau.getByLabel("发文字号").fill("西科发2026第");
    await bureau.getByLabel("发文机关").fill("西畴县科学技术局");
    await bureau.getByLabel("成文日期").fill("2026-12-01");
    await bureau
      .getByLabel("正文（Markdown）")
      .fill("## 一、抽查范围\n\n各乡镇的服务记录。\n\n<script>alert('x')</script>\n\n[详情](javascript:alert(1))");
    await bureau.getByTestId("policy-create").click();
    await expect.poll(() => bureau.getByText("发文字号格式应为").count()).toBe(1);
    expect(await bureau.getByLabel("标题").inputValue()).toBe(title);
    await bureau.getByLabel("发文字号").fill("西科发〔2026〕21号");
    await bureau.getByTestId("policy-create").click();
    await bureau.waitForURL("**/edit?done=created");
    expect(await bureau.getByTestId("policy-status").textContent()).toBe("草稿");

    await bureau
      .getByLabel("上传附件")
      .setInputFiles({ name: "抽查通知.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdfBytes("e2e notice")) });
    await bureau.getByTestId("policy-upload").click();
    await bureau.waitForURL("**/edit?done=uploaded");
    await bureau.getByTestId("policy-publish").click();
    await bureau.waitForURL("**/edit?done=published");
    expect(await bureau.getByTestId("policy-status").textContent()).toBe("已发布");
    expect(await scrollsSideways(bureau)).toBe(false);
    const editUrl = bureau.url();

    const visitor = await (await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 844 } })).newPage();
    await visitor.goto("/");
    const section = visitor.getByTestId("home-policies");
    expect(await section.getByTestId("policy-item").first().textContent()).toContain(title);
    expect(await section.getByTestId("policy-item").count()).toBe(5);
    expect(await scrollsSideways(visitor)).toBe(false);
    await visitor.goto("/policies?kind=notice");
    expect(await visitor.getByTestId("policy-item").first().textContent()).toContain(title);
    expect(await scrollsSideways(visitor)).toBe(false);
    await visitor.getByRole("link", { name: title }).click();
    await visitor.waitForURL("**/policies/*");
    const body = visitor.getByTestId("policy-body");
    expect(await body.locator("h2").textContent()).toBe("一、抽查范围");
    expect(await body.textContent()).toContain("<script>alert('x')</script>");
    expect(await body.locator("script").count()).toBe(0);
    expect(await body.locator("a[href^='javascript']").count()).toBe(0);
    expect(await visitor.getByText("西科发〔2026〕21号").count()).toBe(1);
    expect(await scrollsSideways(visitor)).toBe(false);
    const [download] = await Promise.all([visitor.waitForEvent("download"), visitor.getByRole("link", { name: "下载" }).click()]);
    expect(download.suggestedFilename()).toBe("抽查通知.pdf");
    const policyUrl = visitor.url();

    await bureau.goto(editUrl);
    await bureau.getByTestId("policy-withdraw").click(); // no reason: the required field keeps the form from going
    if (bureau.url().includes("done=withdrawn")) throw new Error("withdrawn without a reason");
    await bureau.getByLabel("撤回原因").fill("抽查时间调整，另行通知");
    await bureau.getByTestId("policy-withdraw").click();
    await bureau.waitForURL("**/edit?done=withdrawn");
    expect(await bureau.getByTestId("policy-status").textContent()).toBe("已撤回");

    const gone = await visitor.goto(policyUrl);
    expect(gone?.status()).toBe(410);
    expect(await visitor.getByTestId("withdrawn-notice").textContent()).toContain("抽查时间调整，另行通知");
    expect(await visitor.getByTestId("policy-body").count()).toBe(0);
    await visitor.goto("/policies");
    expect(await visitor.getByRole("link", { name: title }).count()).toBe(0);
    // the seeded county plan (a table in its body) reads on the phone too
    await visitor.getByRole("link", { name: "西畴县促进科技成果转移转化实施方案" }).click();
    await visitor.waitForURL("**/policies/*");
    expect(await visitor.getByText("西政办发〔2019〕114号").count()).toBe(1);
    expect(await visitor.getByTestId("policy-body").locator("table").count()).toBe(1);
    expect(await scrollsSideways(visitor)).toBe(false);
  });
});
