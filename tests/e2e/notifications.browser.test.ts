import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { User } from "~/models/user.server.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { inNoticeAchievement } from "../../seeds/trading-fixtures.ts";
import { useBrowser } from "../support/browser.ts";

/**
 * Issue 13, point 7, as a seller sees it on a phone without JavaScript: a broker approves the
 * seller's achievement, and 消息 says so with the end of its 公示 and a link that opens it; the
 * email settings below the list are saved by a plain form post.
 */
const { baseURL, browser } = useBrowser();
const title = `消息页公示成果 ${Date.now().toString(36)}`;

beforeAll(async () => {
  const { mongoUri } = JSON.parse(await fs.readFile(path.join(inject("appDataDir"), "services.json"), "utf8"));
  await mongoose.connect(mongoUri, { dbName: "chengguo" });
  const byEmail = async (email: string): Promise<SessionUser> =>
    (await getSessionUserById(String((await User.findOne({ email }).lean())!._id)))!;
  await inNoticeAchievement(await byEmail("seller@demo.chengguo.cn"), await byEmail("broker@demo.chengguo.cn"), { title });
});

afterAll(async () => {
  await mongoose.disconnect();
});

describe("消息 on a phone", () => {
  it("lists the seller's approvals with the 公示 end and a working link, and saves the email settings", async () => {
    const context = await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByLabel("电子邮箱").fill("seller@demo.chengguo.cn");
    await page.getByLabel("密码").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL((u) => u.pathname === "/");

    await page.goto("/notifications");
    const approval = page.getByRole("link", { name: new RegExp(`「${title}」已通过审核并发布，公示期至 \\d{4}-\\d{2}-\\d{2}`) });
    expect(await approval.count()).toBe(1);
    const noSideways = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(noSideways).toBe(true);

    // The email settings: workflow and trading on, matches off (the defaults); switch matches on.
    const matches = page.getByLabel(/新的匹配/);
    expect(await page.getByLabel(/审核结果、公示、异议/).isChecked()).toBe(true);
    expect(await page.getByLabel(/报价、还价、成交/).isChecked()).toBe(true);
    expect(await matches.isChecked()).toBe(false);
    await matches.check();
    await page.getByRole("button", { name: "保存邮件设置" }).click();
    await expect.poll(() => page.getByText("邮件通知设置已保存。").count()).toBe(1);
    await page.reload();
    expect(await page.getByLabel(/新的匹配/).isChecked()).toBe(true);
    // Back to the default, for the other tests on the shared demo data.
    await page.getByLabel(/新的匹配/).uncheck();
    await page.getByRole("button", { name: "保存邮件设置" }).click();
    await expect.poll(() => page.getByText("邮件通知设置已保存。").count()).toBe(1);
    expect(await page.getByLabel(/新的匹配/).isChecked()).toBe(false);

    // The approval's link opens the seller's listing.
    await page.goto("/notifications");
    await approval.click();
    await page.waitForURL(/\/achievements\/[0-9a-f]{24}$/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain(title);
    await context.close();
  });
});
