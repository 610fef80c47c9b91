import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";

/** Debian's Chromium, headless, with the flags this offline machine needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--no-first-run",
    ],
  });
}

/** A fresh browser context (zh-CN) logged in through the real login form as a demo account. */
export async function loggedIn(browser: Browser, baseURL: string, email: string, password = DEMO_PASSWORD): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  return page;
}

/**
 * One Chromium for the calling test file, launched before its tests and closed after them: the
 * app's base URL, `browser.newContext` for a fresh visitor, and `loggedIn(email)` for a demo user.
 */
export function useBrowser() {
  const baseURL = inject("baseURL");
  let launched: Browser | undefined;
  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
  });
  const current = (): Browser => {
    if (!launched) throw new Error("the browser is launched in beforeAll; use it inside a test");
    return launched;
  };
  const browser: Pick<Browser, "newContext"> = { newContext: (options) => current().newContext(options) };
  return { baseURL, browser, loggedIn: (email: string) => loggedIn(current(), baseURL, email) };
}
