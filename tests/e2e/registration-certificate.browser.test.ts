import { beforeAll, describe, expect, it } from "vitest";
import { Registration } from "~/models/registration.server.ts";
import { registrationNumber } from "~/utils/registration.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 15, point 3 in Chromium on a phone (390 px): the seller opens the certificate of a
 * registered contract (made through the model: submission and review are another module's) — the
 * number 4-4-2-6, amounts in 大写, the QR code, the tax benefits, a PDF behind the link; a visitor
 * without an account and without JavaScript follows the verification address under the QR code
 * and sees the public facts only; the bureau registers a change and then cancels, without
 * JavaScript, and the public page says so. No page scrolls sideways.
 */
const { loggedIn, browser, baseURL } = useBrowser();
const { demoUser } = useAppDatabase();
const serial = 100_000 + Math.floor(Math.random() * 800_000);
// Registration point "98": the numbers the review flow gives (point 01 by default) never meet these.
const number = registrationNumber(2026, "5326", "98", serial);
const grouped = `2026-5326-98-${String(serial).padStart(6, "0")}`;
const title = `三七道地药材溯源技术 ${serial}`;
let id = "";

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn"); // 文山学院
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  const bureau = await demoUser("bureau@demo.chengguo.cn");
  const at = new Date();
  const doc = await Registration.create({
    status: "registered",
    source: "external",
    contractHash: "4be1c0ffee".padEnd(64, "7"),
    applicant: { user: seller.id, name: seller.name, organization: seller.organization!.id, organizationName: seller.organization!.name },
    applicantSide: "seller",
    projectName: title,
    category: "license",
    subCategory: "patent",
    seller: {
      name: "文山学院",
      creditCode: "12530000431234567X",
      region: "532601",
      entityType: "022",
      organization: seller.organization!.id,
    },
    buyer: {
      name: "兴街镇三七种植专业合作社",
      creditCode: "93532623MA6K12345Q",
      region: "532623",
      entityType: "190",
      organization: buyer.organization!.id,
    },
    signedOn: new Date("2026-09-01T00:00:00+08:00"),
    validFrom: new Date("2026-09-01T00:00:00+08:00"),
    validTo: new Date("2031-08-31T00:00:00+08:00"),
    technicalField: "07",
    contractAmount: 300_56, // ¥300.56
    technologyAmount: 300_56,
    paymentMethod: "lump-sum",
    submittedAt: at,
    clockFrom: at,
    number,
    year: 2026,
    serial,
    registeredAt: at,
    reviewer: { user: bureau.id, name: bureau.name },
    registrar: { user: bureau.id, name: bureau.name },
    point: { code: "98", name: "西畴县技术合同登记点（测试）" },
    history: [{ at, action: "registered", by: { user: bureau.id, name: bureau.name } }],
  });
  id = String(doc._id);
});

describe("a registration certificate on a phone", () => {
  it("shows the certificate with its QR code, verifies publicly through the QR's address, and follows a change and a cancellation", async () => {
    const seller = await loggedIn("seller@demo.chengguo.cn", { phone: true });
    await seller.goto(`/registrations/${id}/certificate`);
    expect(await seller.getByTestId("certificate-number").innerText()).toBe(grouped);
    await seller.getByText("大写：叁佰元伍角陆分").first().waitFor();
    expect(await seller.getByTestId("registration-state").innerText()).toBe("有效");
    expect(await seller.getByTestId("certificate-qr").locator("svg").count()).toBe(1);
    await seller.getByTestId("tax-cit").waitFor();
    await seller.getByTestId("tax-inventorReward").waitFor();
    expect(await scrollsSideways(seller)).toBe(false);
    const pdf = await seller.request.get(`/registrations/${id}/certificate.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const verifyUrl = (await seller.getByTestId("certificate-verify-link").getAttribute("href"))!;
    expect(verifyUrl).toMatch(new RegExp(`^https?://[^/]+/verify/${number}$`));

    // A visitor with no account and no JavaScript: the public facts, and no amount.
    const context = await browser.newContext({ baseURL, locale: "zh-CN", viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const visitor = await context.newPage();
    await visitor.goto(verifyUrl); // the address the QR code encodes (APP_URL, here http://localhost:PORT)
    expect(await visitor.getByTestId("verify-number").innerText()).toBe(grouped);
    expect(await visitor.getByTestId("registration-state").innerText()).toBe("有效");
    const facts = await visitor.getByTestId("verify-facts").innerText();
    expect(facts).toContain(title);
    expect(facts).toContain("文山学院");
    expect(facts).not.toContain("300");
    expect(facts).not.toContain("叁佰");
    expect(facts).not.toContain("12530000431234567X");
    expect(await scrollsSideways(visitor)).toBe(false);

    // The bureau, without JavaScript: a change, then the cancellation.
    const bureau = await loggedIn("bureau@demo.chengguo.cn", { phone: true, javaScript: false });
    await bureau.goto(`/registrations/${id}/certificate`);
    await bureau.getByTestId("certificate-changes-link").click();
    await bureau.waitForURL((u) => u.pathname === `/registrations/${id}/changes`);
    expect(await scrollsSideways(bureau)).toBe(false);
    const change = bureau.getByTestId("change-form");
    await change.getByLabel("项目名称").fill(`${title}（二期）`);
    await change.getByLabel("原因").fill("补充二期内容");
    await change.getByTestId("change-submit").click();
    await bureau.waitForURL((u) => u.pathname === `/registrations/${id}/certificate`);
    await bureau.getByText("变更已登记。").waitFor();
    expect(await bureau.getByTestId("registration-state").innerText()).toBe("已变更");
    expect(await bureau.getByTestId("certificate-number").innerText()).toBe(grouped);
    expect(await bureau.getByTestId("registration-history").innerText()).toContain("补充二期内容");

    await visitor.reload();
    expect(await visitor.getByTestId("registration-state").innerText()).toBe("已变更");
    expect(await visitor.getByTestId("verify-facts").innerText()).toContain(`${title}（二期）`);

    await bureau.getByTestId("certificate-changes-link").click();
    const cancel = bureau.getByTestId("cancel-form");
    await cancel.getByLabel("原因").fill("合同解除");
    await cancel.getByTestId("cancel-submit").click();
    await bureau.getByText("请勾选确认。").waitFor(); // not confirmed: refused, nothing cancelled
    await bureau.getByTestId("cancel-form").getByLabel("原因").fill("合同解除");
    await bureau.getByTestId("cancel-form").getByLabel("我确认注销这项登记").check();
    await bureau.getByTestId("cancel-submit").click();
    await bureau.waitForURL((u) => u.pathname === `/registrations/${id}/certificate`);
    await bureau.getByText("登记已注销。").waitFor();
    expect(await bureau.getByTestId("registration-state").innerText()).toBe("已注销");

    await visitor.reload();
    expect(await visitor.getByTestId("registration-state").innerText()).toBe("已注销");
    expect(await visitor.getByTestId("verify-facts").innerText()).not.toContain("合同解除");

    await visitor.goto(`/verify/2026532698999999`);
    await visitor.getByTestId("verify-not-found").waitFor();
    await context.close();
  });
});
