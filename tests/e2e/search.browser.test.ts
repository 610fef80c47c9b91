import { beforeAll, describe, expect, it } from "vitest";
import { useBrowser } from "../support/browser.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * Search in Chromium on the demo data that the e2e server seeds (seeds/demo-listings.ts). The
 * outbox worker indexes it shortly after start, so the test first waits until search answers.
 */
const { baseURL, browser } = useBrowser();

async function waitForIndex(q: string, kind = "achievements", timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const res = await fetch(`${baseURL}/search/suggest?${new URLSearchParams({ kind, q })}`).catch(() => null);
    if (res?.ok && ((await res.json()) as { items: unknown[] }).items.length > 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the demo listings were not searchable within ${timeoutMs / 1000}s`);
}

beforeAll(async () => {
  await waitForIndex("三七");
  await waitForIndex("烂根", "demands");
});

describe("search in a real browser", () => {
  it("searches a word with suggestions, applies a field facet, sees highlighted results and opens one", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto("/search");
    await page.getByRole("heading", { name: "检索", level: 1 }).waitFor();

    // As-you-type suggestions: an ARIA combobox with a listbox, driven by the keyboard.
    const box = page.getByRole("combobox", { name: "检索词" });
    await box.pressSequentially("三七", { delay: 50 });
    const listbox = page.getByRole("listbox", { name: "检索建议" });
    await listbox.waitFor();
    expect(await box.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(() => listbox.getByRole("option").count()).toBeGreaterThanOrEqual(3);
    expect(await listbox.getByRole("option").first().locator("mark").first().textContent()).toBe("三七");
    await box.press("ArrowDown");
    const activeId = await box.getAttribute("aria-activedescendant");
    expect(activeId).toBeTruthy();
    expect(await page.locator(`[id="${activeId}"]`).getAttribute("aria-selected")).toBe("true");
    await box.press("Escape");
    expect(await box.getAttribute("aria-expanded")).toBe("false");

    await page.getByRole("button", { name: "搜索", exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/search" && u.searchParams.get("q") === "三七");
    await page.getByTestId("result-count").getByText("“三七”找到").waitFor();
    const before = await page.getByTestId("search-result").count();
    expect(before).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId("took").textContent()).toMatch(/用时 \d+ 毫秒/);

    // A facet: 技术领域 → 高原特色现代农业. The address changes and the list narrows.
    await page
      .getByTestId("facet-field")
      .getByRole("checkbox", { name: /高原特色现代农业/ })
      .check();
    await page.waitForURL((u) => u.searchParams.getAll("field").includes("plateau-agriculture") && u.searchParams.get("q") === "三七");
    await expect.poll(() => page.getByTestId("search-result").count()).toBeLessThan(before);
    const fields = await page.getByTestId("result-field").allTextContents();
    expect(fields.length).toBeGreaterThanOrEqual(2);
    expect(new Set(fields)).toEqual(new Set(["高原特色现代农业"]));
    const titles = await page.getByTestId("result-link").allTextContents();
    expect(titles).toContain("三七根腐病生物防治菌剂及施用技术");
    // The matched words are marked in every title, as <mark> elements.
    for (const link of await page.getByTestId("result-link").all()) {
      expect(await link.locator("mark").first().textContent()).toBe("三七");
    }
    await page
      .getByTestId("active-filters")
      .getByRole("link", { name: /去掉筛选：高原特色现代农业/ })
      .waitFor();
    await page.screenshot({ path: `${ROOT}/tests/.tmp/search-filtered.png`, fullPage: true });

    // The shared address renders the same list on its own.
    const shared = await (await browser.newContext({ baseURL, javaScriptEnabled: false })).newPage();
    const res = await shared.goto(page.url());
    expect(res?.status()).toBe(200);
    expect(await shared.getByTestId("result-link").allTextContents()).toEqual(titles);
    await shared.context().close();

    // Opening a result leads to its page.
    await page.getByTestId("result-link").filter({ hasText: "三七根腐病生物防治菌剂及施用技术" }).click();
    await page.waitForURL(/\/achievements\/[0-9a-f]{24}$/);
    await page.getByRole("heading", { name: "三七根腐病生物防治菌剂及施用技术", level: 1 }).waitFor();
    await context.close();
  });

  it("works without JavaScript: the form submits, a synonym finds the farmers' words, the tabs switch kinds", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN", javaScriptEnabled: false, viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    await page.goto("/search?kind=demands");
    await page.getByLabel("检索词").fill("根腐病");
    await page.getByRole("button", { name: "搜索", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("q") === "根腐病" && u.searchParams.get("kind") === "demands");
    // 根腐病 and 烂根 are one synonym group (search/vocabulary).
    await page.getByTestId("result-link").filter({ hasText: "三七地块连年种植烂根死苗严重，求治理办法" }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${ROOT}/tests/.tmp/search-phone.png`, fullPage: true });

    await page
      .getByRole("navigation", { name: "检索范围" })
      .getByRole("link", { name: /科技成果/ })
      .click();
    await page.waitForURL((u) => u.searchParams.get("kind") === "achievements" && u.searchParams.get("q") === "根腐病");
    await page.getByTestId("result-link").filter({ hasText: "三七根腐病生物防治菌剂及施用技术" }).waitFor();
    await context.close();
  });

  it("answers 400 for a filter it cannot read instead of showing everything", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN" });
    const page = await context.newPage();
    const res = await page.goto(`/search?q=${encodeURIComponent("三七")}&field=${encodeURIComponent('x" OR field != "y')}`);
    expect(res?.status()).toBe(400);
    await page.getByTestId("search-invalid").waitFor();
    expect(await page.getByTestId("search-result").count()).toBe(0);
    await context.close();
  });
});
