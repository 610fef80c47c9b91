import QRCode from "qrcode";
import { beforeAll, describe, expect, it } from "vitest";
import { Registration } from "~/models/registration.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { buyNowDeal, tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 15's "Done when", in Chromium: the seller submits a contract signed on the platform for
 * registration from its deal; the bureau finds it on its desk's queue and registers it; the
 * seller's certificate carries the number and a QR link that verifies publicly (a visitor, no
 * login, no JavaScript); the county dashboard's totals move by exactly that contract's amounts;
 * and the bureau runs its evaluation and publishes a policy — all from the UI.
 */
const { loggedIn, browser, baseURL } = useBrowser();
const { demoUser } = useAppDatabase();
const title = `三七组培苗工厂化生产技术 ${Math.random().toString(36).slice(2, 7)}`;
const PRICE = 186_543_21; // ¥186,543.21: a price whose fen would show any rounding
let dealId = "";

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn"); // 文山学院: a university
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn"); // the cooperative in 兴街镇, 西畴县
  const listing = await tradingAchievement(seller, broker, {
    title,
    transactionModes: ["transfer"],
    price: { mode: "fixed", amount: PRICE },
    inventors: [{ name: "张教授", share: 100 }],
  });
  dealId = await buyNowDeal(buyer, listing, { expectedAmountFen: PRICE, transactionMode: "transfer" });
  await saveContract(seller, dealId, null);
  await signContract(seller, dealId, { version: 1, ip: "198.51.100.7", distribution: [{ name: "张教授", percent: 70 }] });
  await signContract(buyer, dealId, { version: 1, ip: "198.51.100.8" });
});

/** "¥1,234.56" → fen. */
const fen = (text: string) => Math.round(Number(text.replace(/[^\d.]/g, "")) * 100);

describe("the bureau's desk, from a signed contract to a verified certificate and the dashboard", () => {
  it("registers a contract the seller submitted; the certificate verifies; the dashboard moves by exactly its amounts", async () => {
    const bureau = await loggedIn("bureau@demo.chengguo.cn", { javaScript: false });
    const totals = async () => {
      await bureau.goto("/bureau/dashboard");
      const [count, contract, technology] = await Promise.all(
        ["kpi-count", "kpi-contract", "kpi-technology"].map((id) => bureau.getByTestId(id).locator("strong").innerText()),
      );
      return { count: Number(count), contract: fen(contract!), technology: fen(technology!) };
    };
    const before = await totals();

    // The seller applies from the signed contract; the form comes filled from the contract and the parties.
    const seller = await loggedIn("seller@demo.chengguo.cn", { phone: true, javaScript: false });
    await seller.goto(`/deals/${dealId}/contract`);
    await seller.locator(`a[href="/deals/${dealId}/registration"]`).first().click();
    await seller.waitForURL((u) => u.pathname === `/deals/${dealId}/registration`);
    expect(await scrollsSideways(seller)).toBe(false);
    const form = seller.getByTestId("registration-form");
    expect(await form.locator('[name="projectName"]').inputValue()).toBe(title);
    await form.getByTestId("registration-submit").click();
    await seller.waitForURL((u) => u.pathname === `/deals/${dealId}/registration` && u.searchParams.get("done") === "submitted");
    const id = String((await Registration.findOne({ deal: dealId }, { _id: 1 }).lean())!._id);

    // The bureau: desk → queue → the application → 予以登记.
    await bureau.goto("/bureau");
    await bureau.getByTestId("desk-registrations").getByRole("link").first().click();
    await bureau.waitForURL((u) => u.pathname === "/bureau/registrations");
    await bureau.getByTestId("queue-item").filter({ hasText: title }).getByRole("link", { name: title }).click();
    await bureau.waitForURL((u) => u.pathname === `/bureau/registrations/${id}`);
    await bureau.getByTestId("register").click();
    await bureau.getByText("已予以登记。").waitFor();
    const number = (await bureau.getByTestId("registration-number").innerText()).match(/\d{4}-5326-01-\d{6}/)![0];

    // The seller's certificate: its number, and the QR code's link, which a visitor opens.
    await seller.goto(`/registrations/${id}/certificate`);
    expect(await seller.getByTestId("certificate-number").innerText()).toContain(number);
    expect(await seller.getByTestId("certificate-qr").locator("svg").count()).toBe(1);
    const verifyUrl = await seller.getByTestId("certificate-verify-link").getAttribute("href");
    expect(verifyUrl).toContain(`/verify/${number.replace(/-/g, "")}`);
    // The QR code encodes exactly that address: its dark modules are those of the address's own code.
    const modules = (svg: string) => [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
    const expected = await QRCode.toString(verifyUrl!, { type: "svg", errorCorrectionLevel: "M", margin: 1, width: 160 });
    expect(modules(expected).length).toBeGreaterThan(0);
    expect(modules(await seller.getByTestId("certificate-qr").innerHTML())).toEqual(modules(expected));
    const visitor = await (await browser.newContext({ baseURL, locale: "zh-CN", javaScriptEnabled: false })).newPage();
    await visitor.goto(new URL(verifyUrl!).pathname);
    expect(await visitor.getByTestId("verify-number").innerText()).toContain(number);
    expect(await visitor.getByTestId("registration-state").innerText()).toContain("有效");
    const facts = await visitor.getByTestId("verify-facts").innerText();
    expect(facts).toContain(title);
    expect(facts).not.toContain("186,543.21"); // amounts are not public

    // The dashboard moved by exactly this contract: one more, its 成交额 and its 技术交易额, to the fen.
    const after = await totals();
    expect(after).toEqual({ count: before.count + 1, contract: before.contract + PRICE, technology: before.technology + PRICE });

    // The bureau runs its evaluation and publishes a policy from the UI.
    await bureau.goto("/bureau/evaluation?kind=enterprise");
    expect(await bureau.getByTestId("ranking-row").count()).toBeGreaterThan(0);
    expect(await bureau.getByTestId("formula-shape").innerText()).toContain("×");
    await bureau.goto("/bureau/policies/new");
    const policy = `关于做好技术合同登记工作的通知 ${Math.random().toString(36).slice(2, 6)}`;
    await bureau.getByLabel("类别").selectOption("notice");
    await bureau.getByLabel("标题").fill(policy);
    await bureau.getByLabel("发文机关").fill("西畴县科学技术局");
    await bureau.getByLabel("成文日期").fill("2026-12-01");
    await bureau.getByLabel("正文（Markdown）").fill("各乡镇、各有关单位：请在合同签订后 30 日内申请认定登记。");
    await bureau.getByTestId("policy-create").click();
    await bureau.getByTestId("policy-publish").click();
    await bureau.getByTestId("policy-status").getByText("已发布").waitFor();
    await visitor.goto("/policies");
    await visitor.getByText(policy).waitFor();
  });
});
