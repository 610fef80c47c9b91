import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
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

/**
 * Content-Security-Policy violations Chromium reports in a context, as "<directive> <blocked>"
 * lines: the `securitypolicyviolation` events of every page (an init script reports them through
 * a binding) and the console's "Refused to …" messages (also where JavaScript is disabled).
 */
export async function watchCsp(context: BrowserContext, into: string[]): Promise<BrowserContext> {
  await context.exposeBinding("__reportCspViolation", ({ page }, line: string) => {
    into.push(`${page?.url() ?? "?"}: ${line}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportCspViolation?: (line: string) => void }).__reportCspViolation;
      report?.(`${e.effectiveDirective} ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  context.on("console", (msg) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(msg.text()))
      into.push(`${msg.page()?.url() ?? "?"}: ${msg.text()}`);
  });
  return context;
}

/** How a test looks at the site: a phone's width (390 px) and/or with JavaScript off. */
export interface Viewing {
  phone?: boolean;
  javaScript?: boolean;
  password?: string;
}

/** A fresh browser context (zh-CN) logged in through the real login form as a demo account. */
export async function loggedIn(browser: Pick<Browser, "newContext">, baseURL: string, email: string, viewing: Viewing = {}): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: "zh-CN",
    ...(viewing.phone ? { viewport: { width: 390, height: 844 } } : {}),
    ...(viewing.javaScript === false ? { javaScriptEnabled: false } : {}),
  });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("电子邮箱").fill(email);
  await page.getByLabel("密码").fill(viewing.password ?? DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((u) => u.pathname === "/");
  return page;
}

/**
 * Whether the page is wider than its viewport (the whole page scrolls sideways); when it is, the
 * elements that stick out, named for the one who fixes it.
 */
export async function scrollsSideways(page: Page): Promise<false | string[]> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return false as const;
    // An element that sticks out, or whose content (text, a child) spills out of its own box.
    return [...document.body.querySelectorAll("*")]
      .filter((el) => {
        const spills = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === "visible";
        return el.getBoundingClientRect().right > root.clientWidth + 0.5 || spills;
      })
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}[${el.getAttribute("data-testid") ?? ""}] ${el.scrollWidth}/${el.clientWidth}px`,
      )
      .slice(0, 10);
  });
}

/**
 * One Chromium for the calling test file, launched before its tests and closed after them: the
 * app's base URL, `browser.newContext` for a fresh visitor, and `loggedIn(email)` for a demo user.
 * Every context it makes is watched for CSP violations, and each test fails at its end if Chromium
 * reported any (`takeCspViolations()` hands them over to a test that expects some).
 */
export function useBrowser() {
  const baseURL = inject("baseURL");
  let launched: Browser | undefined;
  const violations: string[] = []; // one array: every watched context pushes into it
  beforeAll(async () => {
    launched = await launchBrowser();
  });
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, 200)); // reports still on their way from the page
    const seen = violations.splice(0);
    expect(seen, "Content-Security-Policy violations reported by Chromium").toEqual([]);
  });
  afterAll(async () => {
    await launched?.close();
  });
  const current = (): Browser => {
    if (!launched) throw new Error("the browser is launched in beforeAll; use it inside a test");
    return launched;
  };
  const browser: Pick<Browser, "newContext"> = {
    newContext: async (options) => watchCsp(await current().newContext(options), violations),
  };
  return {
    baseURL,
    browser,
    loggedIn: (email: string, viewing: Viewing = {}) => loggedIn(browser, baseURL, email, viewing),
    /** The violations reported so far (waiting up to `waitMs` for a first one), and forgets them. */
    takeCspViolations: async (waitMs = 1_000): Promise<string[]> => {
      for (const end = Date.now() + waitMs; violations.length === 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
      return violations.splice(0);
    },
  };
}
