import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { chinaToday } from "~/utils/china-time.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * The county dashboard (issue 15, point 5) in Chromium as the demo bureau user on a phone with
 * JavaScript off: the KPI cards and the server-drawn SVG charts show (and Chromium reports no
 * Content-Security-Policy violation for them), nothing scrolls sideways at 390 px, the year is
 * chosen with the plain GET form, and a table downloads as CSV with its BOM. A seller is refused.
 * Reads the demo seed's last year (2025 figures nobody else's test changes).
 */
const { loggedIn } = useBrowser();

describe("county dashboard in the browser", () => {
  it("shows the bureau its dashboard on a phone without JavaScript, switches the year and downloads a CSV", async () => {
    const page = await loggedIn("bureau@demo.chengguo.cn", { phone: true, javaScript: false });
    await page.goto("/bureau/dashboard");
    await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("县域技术合同统计");
    expect(Number(await page.getByTestId("kpi-count").locator("strong").textContent())).toBeGreaterThanOrEqual(16);
    for (const chart of ["target", "months", "towns", "funnel"]) {
      expect(await page.getByTestId(`chart-${chart}`).locator("svg").count()).toBe(1);
      const box = await page.getByTestId(`chart-${chart}`).locator("svg").boundingBox();
      expect(box!.width).toBeGreaterThan(200);
      expect(box!.width).toBeLessThanOrEqual(390);
    }
    expect(await scrollsSideways(page)).toBe(false);
    if (process.env.DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });

    // The plain GET form: last year's three demo contracts.
    await page
      .getByTestId("year-form")
      .getByLabel("年度")
      .selectOption(String(Number(chinaToday().slice(0, 4)) - 1));
    await page.getByRole("button", { name: "查看" }).click();
    await page.waitForURL((u) => u.searchParams.has("year"));
    expect(await page.getByTestId("kpi-count").locator("strong").textContent()).toBe("3");
    expect(await page.getByTestId("kpi-technology").locator("strong").textContent()).toBe("¥228,000");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("csv-towns").click()]);
    const bytes = await fs.readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString("utf8");
    expect(text).toContain("乡镇");
    expect(text).toContain("兴街镇,1,150000.00,140000.00");
    await page.context().close();
  });

  it("shows the same charts with JavaScript on, the page hydrating without a CSP report", async () => {
    const page = await loggedIn("bureau@demo.chengguo.cn");
    await page.goto("/bureau/dashboard");
    await page.waitForLoadState("networkidle");
    expect(await page.locator(".chart svg").count()).toBe(8);
    await page.context().close();
  });

  it("refuses a seller", async () => {
    const page = await loggedIn("seller@demo.chengguo.cn");
    const res = await page.goto("/bureau/dashboard");
    expect(res!.status()).toBe(403);
    await page.context().close();
  });
});
