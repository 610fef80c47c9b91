import { describe, expect, it } from "vitest";
import { usccCheckChar } from "~/utils/uscc.ts";
import { pdfBytes } from "../../seeds/trading-fixtures.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 15, points 1–3 in Chromium on a phone (390 px) without JavaScript: the seller submits a
 * contract signed outside the platform with its signed file; the bureau finds it in the queue with
 * 15 working days left and asks for corrections; the seller corrects and resubmits; the bureau
 * registers it and the number shows grouped 4-4-2-6. No page scrolls sideways.
 */
const { loggedIn } = useBrowser();
const uscc = (org9: string) => `91532623${org9}${usccCheckChar(`91532623${org9}`)}`;
const title = `高原特色蔬菜冷链保鲜技术服务 ${Math.random().toString(36).slice(2, 7)}`;

describe("registration review on a phone", () => {
  it("goes from an external contract's submission through corrections to a registered number", async () => {
    const seller = await loggedIn("seller@demo.chengguo.cn", { phone: true, javaScript: false });
    await seller.goto("/registrations/new");
    expect(await scrollsSideways(seller)).toBe(false);
    const form = seller.getByTestId("registration-form");
    const fill = (name: string, value: string) => form.locator(`[name="${name}"]`).fill(value);
    const choose = (name: string, value: string) => form.locator(`select[name="${name}"]`).selectOption(value);
    await fill("projectName", title);
    await choose("category", "service");
    await choose("subCategory", "general");
    await choose("technicalField", "09");
    await fill("seller.name", "文山学院");
    await fill("seller.creditCode", uscc("MA6K00E01"));
    await fill("seller.region", "532601");
    await choose("seller.entityType", "022");
    await fill("buyer.name", "西畴县蔬菜专业合作社");
    await fill("buyer.creditCode", uscc("MA6K00E02"));
    await fill("buyer.region", "532623");
    await choose("buyer.entityType", "150");
    await fill("signedOn", "2026-11-20");
    await fill("validFrom", "2026-11-20");
    await fill("validTo", "2027-11-19");
    await fill("contractAmount", "80000");
    await fill("nonTechItems.0.label", "冷藏设备");
    await fill("nonTechItems.0.amount", "20000");
    await fill("technologyAmount", "70000"); // wrong: 80000 − 20000
    await form
      .locator('input[name="file"]')
      .setInputFiles({ name: "合同.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdfBytes("e2e")) });
    await form.getByTestId("registration-submit").click();
    await seller.getByText("技术交易额应等于成交额减去非技术性款项").waitFor();
    const again = seller.getByTestId("registration-form");
    await again.locator('[name="technologyAmount"]').fill("60000");
    await again
      .locator('input[name="file"]')
      .setInputFiles({ name: "合同.pdf", mimeType: "application/pdf", buffer: Buffer.from(pdfBytes("e2e")) });
    await again.getByTestId("registration-submit").click();
    await seller.waitForURL((u) => u.pathname.startsWith("/my/registrations/"));
    await seller.getByText("登记申请已提交").waitFor();
    const mine = new URL(seller.url()).pathname;
    const id = mine.split("/").pop()!;
    expect(await seller.getByTestId("registration-status").innerText()).toBe("审核中");

    // The bureau's queue: 15 working days left today.
    const bureau = await loggedIn("bureau@demo.chengguo.cn", { phone: true, javaScript: false });
    await bureau.goto("/bureau/registrations?filter=all");
    const item = bureau.getByTestId("queue-item").filter({ hasText: title });
    expect(await item.innerText()).toContain("剩余 15 个工作日");
    expect(await scrollsSideways(bureau)).toBe(false);
    await item.getByRole("link", { name: title }).click();
    await bureau.waitForURL((u) => u.pathname === `/bureau/registrations/${id}`);
    expect(await scrollsSideways(bureau)).toBe(false);
    await bureau.getByLabel("需补正的内容").fill("请补充双方盖章页");
    await bureau.getByTestId("ask-corrections").click();
    await bureau.getByText("已要求补正，申请人已收到通知。").waitFor();

    // The seller corrects and resubmits (the clock restarts today).
    await seller.goto(mine);
    await seller.getByTestId("corrections-note").getByText("请补充双方盖章页").waitFor();
    const corr = seller.getByTestId("corrections-form");
    await corr.locator('[name="projectName"]').fill(`${title}（补正）`);
    await corr.getByTestId("registration-submit").click();
    await seller.getByText("补正已提交").waitFor();
    expect(await scrollsSideways(seller)).toBe(false);

    // The bureau registers it: the number, 4-4-2-6.
    await bureau.goto(`/bureau/registrations/${id}`);
    await bureau.getByTestId("register").click();
    await bureau.getByText("已予以登记。").waitFor();
    const number = await bureau.getByTestId("registration-number").innerText();
    expect(number).toMatch(/\d{4}-5326-01-\d{6}/);
    await seller.goto(mine);
    expect(await seller.getByTestId("registration-status").innerText()).toBe("已登记");
    expect(await seller.getByTestId("registration-number").innerText()).toContain(number.match(/\d{4}-5326-01-\d{6}/)![0]);
  });
});
