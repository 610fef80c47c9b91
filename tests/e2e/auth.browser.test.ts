import { describe, expect, it } from "vitest";
import { useBrowser } from "../support/browser.ts";
import { ROOT } from "../setup/tmp.ts";

const { baseURL, browser, takeCspViolations } = useBrowser();

describe("accounts in a real browser", () => {
  it("registers, logs out, logs in, switches language and logs out again", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN" });
    const page = await context.newPage();
    const email = `browser-${Date.now()}@example.cn`;

    await page.goto("/register");
    await page.getByRole("heading", { name: "注册账户" }).waitFor(); // waits until visible
    await page.getByRole("checkbox", { name: /成果持有方/ }).check();
    await page.getByLabel("电子邮箱").fill(email);
    await page.getByLabel("姓名").fill("浏览器测试员");
    await page.getByLabel("密码", { exact: true }).fill("Karst2025ok");
    await page.getByLabel("确认密码").fill("Karst2025ok");
    await page.getByLabel("主体类型").selectOption("individual");
    await page.getByRole("button", { name: "注册" }).click();

    await page.waitForURL("**/account?welcome=1");
    await expect(page.getByTestId("account-name").textContent()).resolves.toBe("浏览器测试员");
    await expect(page.getByTestId("account-roles").textContent()).resolves.toContain("成果持有方");
    await expect(page.getByTestId("account-roles").textContent()).resolves.toContain("需求方");
    await page.screenshot({ path: `${ROOT}/tests/.tmp/account.png`, fullPage: true });

    await page.getByRole("button", { name: "退出登录" }).click();
    await page.waitForURL("**/?loggedOut=1");
    await page.getByText("您已退出登录。").waitFor(); // waits until visible

    await page.getByRole("link", { name: "登录", exact: true }).click();
    await page.getByLabel("电子邮箱").fill(email);
    await page.getByLabel("密码").fill("wrong-password-9");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByText("邮箱或密码不正确").waitFor(); // waits until visible
    await page.getByLabel("密码").fill("Karst2025ok");
    await page.getByRole("button", { name: "登录" }).click();
    await expect(page.getByTestId("user-name").textContent()).resolves.toBe("浏览器测试员");

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.getByRole("link", { name: "My account" }).waitFor(); // waits until visible
    await page.screenshot({ path: `${ROOT}/tests/.tmp/home-en.png`, fullPage: true });

    await page.getByRole("button", { name: "中文" }).click();
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.waitForURL("**/?loggedOut=1");
    await page.getByRole("link", { name: "登录", exact: true }).waitFor(); // waits until visible
    await context.close();
  });

  it("shows field errors in place and keeps what was typed", async () => {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await page.goto("/register");
    await page.getByLabel("电子邮箱").fill("admin@demo.chengguo.cn");
    await page.getByLabel("姓名").fill("重复邮箱");
    await page.getByLabel("密码", { exact: true }).fill("Karst2025ok");
    await page.getByLabel("确认密码").fill("Karst2025ok");
    await page.getByLabel("机构名称").fill("西畴县测试有限公司");
    await page.getByLabel("统一社会信用代码").fill("91532623MA6K12345X");
    await page.getByRole("button", { name: "注册" }).click();
    await page.getByText("校验位不正确，请核对代码").waitFor(); // waits until visible
    expect(await page.getByLabel("机构名称").inputValue()).toBe("西畴县测试有限公司");

    await page.getByLabel("统一社会信用代码").fill("91350100M000100Y43");
    await page.getByLabel("确认密码").fill("Karst2025ok");
    await page.getByRole("button", { name: "注册" }).click();
    await page.getByText("该邮箱已注册").waitFor();
    expect(await page.getByLabel("姓名").inputValue()).toBe("重复邮箱");
    await context.close();
  });

  it("fits a phone screen: no sideways scrolling, and the menu opens without JavaScript", async () => {
    const context = await browser.newContext({ baseURL, viewport: { width: 375, height: 740 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const menu = page.locator("details.mobile-nav");
    await menu.locator("summary").click();
    await menu.getByRole("link", { name: "首页" }).waitFor(); // waits until visible
    await page.screenshot({ path: `${ROOT}/tests/.tmp/home-phone.png`, fullPage: true });

    // Without JavaScript the login form still posts and logs in.
    await page.goto("/login");
    const overflowLogin = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflowLogin).toBeLessThanOrEqual(0);
    await page.getByLabel("电子邮箱").fill("buyer@demo.chengguo.cn");
    await page.getByLabel("密码").fill("Demo1234");
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    expect(await page.getByTestId("user-name").textContent()).toBe("合作社 杨社长");
    await context.close();
  });

  it("runs under the site's Content-Security-Policy: Remix's own scripts run, an injected one is refused and reported", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto("/search");
    // Hydrated: the client-side router answers a link click without a full page load.
    await page.waitForFunction(() => "__remixContext" in window && "__remixRouter" in window);
    expect(await takeCspViolations(200)).toEqual([]);
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.injected = true";
      document.body.append(s);
    });
    expect(await page.evaluate(() => "injected" in window)).toBe(false);
    const seen = await takeCspViolations();
    expect(seen.join("\n")).toMatch(/script-src/);
    await context.close();
  });
});
