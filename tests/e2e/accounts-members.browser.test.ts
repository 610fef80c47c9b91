import { describe, expect, it } from "vitest";
import { useBrowser } from "../support/browser.ts";
import { linksIn, mailbox } from "../support/mailbox.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * Accounts for more than one person per organisation (issue 13, point 10), in Chromium against the
 * real server and its mail catcher: a forgotten password reset through the mailed link, and an
 * organisation's admin inviting a colleague who registers through the emailed link.
 */

const { baseURL, browser, loggedIn } = useBrowser();
const box = mailbox();

describe("accounts and organisation members in a real browser", () => {
  it("resets a forgotten password through the mailed link and logs in with the new one; the old session ends", async () => {
    const email = `forgot-${Date.now()}@example.cn`;
    const first = await browser.newContext({ baseURL, locale: "zh-CN" });
    const mine = await first.newPage();
    await mine.goto("/register");
    await mine.getByLabel("电子邮箱").fill(email);
    await mine.getByLabel("姓名").fill("健忘的用户");
    await mine.getByLabel("密码", { exact: true }).fill("Karst2025ok");
    await mine.getByLabel("确认密码").fill("Karst2025ok");
    await mine.getByLabel("主体类型").selectOption("individual");
    await mine.getByRole("button", { name: "注册" }).click();
    await mine.waitForURL("**/account?welcome=1");

    const context = await browser.newContext({ baseURL, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByRole("link", { name: "忘记密码？" }).click();
    await page.getByRole("heading", { name: "找回密码" }).waitFor();
    await page.getByLabel("电子邮箱").fill(email);
    await page.getByRole("button", { name: "发送重置链接" }).click();
    await page.getByTestId("reset-sent").waitFor();

    const mail = await box.waitFor(email, (m) => m.subject === "重置您的密码");
    const link = linksIn(mail)[0]!;
    expect(link.startsWith(baseURL)).toBe(true);
    await page.goto(link);
    await page.getByRole("heading", { name: "设置新密码" }).waitFor();
    await page.getByLabel("新密码", { exact: true }).fill("Karst2025new");
    await page.getByLabel("确认新密码").fill("Karst2025new");
    await page.getByRole("button", { name: "设置新密码" }).click();
    await page.waitForURL("**/login?done=passwordReset");
    await page.getByText("新密码已设置，请用新密码登录。").waitFor();

    await page.getByLabel("电子邮箱").fill(email);
    await page.getByLabel("密码").fill("Karst2025new");
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    expect(await page.getByTestId("user-name").textContent()).toBe("健忘的用户");

    // The link worked once; the session from before the reset has ended.
    await page.goto(link);
    await page.getByTestId("reset-invalid").waitFor();
    await mine.goto("/account");
    await mine.waitForURL("**/login?redirectTo=%2Faccount");
    await Promise.all([first.close(), context.close()]);
  });

  it("lets an organisation's admin invite a colleague by email, who registers through the link into the organisation (on a phone)", async () => {
    const colleague = `colleague-${Date.now()}@example.cn`;
    const admin = await loggedIn("food@demo.chengguo.cn");
    await admin.goto("/account/organization");
    await admin.getByTestId("org-name").waitFor();
    const orgName = (await admin.getByTestId("org-name").textContent())!;
    await admin.getByLabel("同事的邮箱").fill(colleague);
    await admin.getByRole("button", { name: "发送邀请" }).click();
    await admin.getByText("邀请邮件已发送。").waitFor();

    const mail = await box.waitFor(colleague);
    expect(mail.subject).toContain(`邀请您加入「${orgName}」`);
    const phone = await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 800 } });
    const page = await phone.newPage();
    await page.goto(linksIn(mail)[0]!);
    await page.getByRole("heading", { name: `加入「${orgName}」` }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    expect(await page.getByLabel("电子邮箱").inputValue()).toBe(colleague);
    await page.getByLabel("姓名").fill("食品公司 新同事");
    await page.getByLabel("密码", { exact: true }).fill("Karst2025ok");
    await page.getByLabel("确认密码").fill("Karst2025ok");
    await page.getByRole("button", { name: "注册并加入" }).click();
    await page.waitForURL("**/account?welcome=1");
    await page.screenshot({ path: `${ROOT}/tests/.tmp/account-member-phone.png`, fullPage: true });
    const org = (await page.getByTestId("account-organization").textContent())!;
    expect(org).toContain(orgName);
    expect(org).toContain("成员");

    await admin.reload();
    await admin.getByTestId(`member-${colleague}`).waitFor();
    await admin.setViewportSize({ width: 390, height: 900 });
    expect(await admin.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await admin.screenshot({ path: `${ROOT}/tests/.tmp/organization-phone.png`, fullPage: true });
    expect(await admin.getByTestId(`member-${colleague}`).textContent()).toContain("食品公司 新同事");
    await Promise.all([admin.context().close(), phone.close()]);
  });

  it.each([
    ["with", true],
    ["without", false],
  ])(
    "turns a second registration with an organisation's credit code into a join request its admin approves (%s JavaScript)",
    async (_, javaScriptEnabled) => {
      const admin = await loggedIn("eco@demo.chengguo.cn");
      await admin.goto("/account/organization");
      const orgName = (await admin.getByTestId("org-name").textContent())!;
      const creditCode = (await admin
        .locator("p", { has: admin.getByTestId("org-name") })
        .locator(".muted")
        .textContent())!.trim();

      const email = `joiner-${Date.now()}@example.cn`;
      const context = await browser.newContext({ baseURL, locale: "zh-CN", javaScriptEnabled });
      const page = await context.newPage();
      await page.goto("/register");
      await page.getByLabel("电子邮箱").fill(email);
      await page.getByLabel("姓名").fill("生态科技 新工程师");
      await page.getByLabel("密码", { exact: true }).fill("Karst2025ok");
      await page.getByLabel("确认密码").fill("Karst2025ok");
      await page.getByLabel("机构名称").fill(orgName);
      await page.getByLabel("统一社会信用代码").fill(creditCode);
      await page.getByRole("button", { name: "注册" }).click();
      await page.getByText(`该统一社会信用代码已由「${orgName}」注册`).waitFor();
      await page.getByLabel("确认密码").fill("Karst2025ok");
      await page.getByLabel("密码", { exact: true }).fill("Karst2025ok");
      await page.getByRole("checkbox", { name: /申请加入该机构/ }).check();
      await page.getByRole("button", { name: "注册" }).click();
      await page.waitForURL("**/account?welcome=1&done=welcomeJoin");
      await page.getByTestId("pending-join").waitFor();
      expect(await page.getByTestId("account-organization").textContent()).toBe("无");

      await box.waitFor("eco@demo.chengguo.cn", (m) => m.subject.includes(email) || m.text?.includes(email) === true);
      await admin.reload();
      await admin.getByTestId(`request-${email}`).getByRole("button", { name: "同意" }).click();
      await admin.getByText("已同意加入申请。").waitFor();
      await admin.getByTestId(`member-${email}`).waitFor();

      await page.goto("/account");
      expect(await page.getByTestId("account-organization").textContent()).toContain(orgName);
      expect((await box.waitFor(email)).subject).toBe(`您已加入「${orgName}」`);
      await Promise.all([admin.context().close(), context.close()]);
    },
  );
});
