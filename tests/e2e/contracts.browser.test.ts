import { beforeAll, describe, expect, it } from "vitest";
import { acceptOffer, makeOffer } from "~/services/trading/offers/commands.server.ts";
import { tradingAchievement } from "../../seeds/trading-fixtures.ts";
import { useAppDatabase } from "../support/app-database.ts";
import { scrollsSideways, useBrowser } from "../support/browser.ts";

/**
 * Issue 14, points 2–3 in Chromium on a phone (390 px): from a deal opened by accepted terms (an
 * offer the university seller accepted), the seller drafts the contract (the category suggested
 * from the terms), splits the amount and changes a free clause; the buyer sees what changed
 * between the versions; the seller signs with the revenue-distribution plan and the buyer signs,
 * both by clicking; the contract shows 已签署 with both signatures and the text's hash, and its
 * PDF link answers a PDF. No page on the way scrolls sideways.
 */
const { loggedIn: as } = useBrowser();
const { demoUser } = useAppDatabase();
const loggedIn = (email: string) => as(email, { phone: true });
const title = `三七种苗脱毒快繁合同 ${Date.now()}`; // a topic no e2e search looks for
let dealId = "";

beforeAll(async () => {
  const seller = await demoUser("seller@demo.chengguo.cn"); // 文山学院: a university
  const broker = await demoUser("broker@demo.chengguo.cn");
  const buyer = await demoUser("buyer@demo.chengguo.cn");
  const listing = await tradingAchievement(seller, broker, {
    title,
    transactionModes: ["transfer"],
    price: { mode: "negotiable" },
    patentNumbers: ["ZL202310654321.0"],
    inventors: [{ name: "张教授" }, { name: "李博士" }],
  });
  const offer = await makeOffer(buyer, listing, { amountFen: 80_000_00, transactionMode: "transfer", message: "按合同分期付款" });
  dealId = (await acceptOffer(seller, offer.id)).dealId;
});

describe("a technology contract on a phone", () => {
  it("is drafted from accepted terms, changed, compared, signed by both sides by clicking, and shown signed with its hash and PDF", async () => {
    const seller = await loggedIn("seller@demo.chengguo.cn");
    await seller.goto(`/deals/${dealId}`);
    expect(await scrollsSideways(seller)).toBe(false);
    await seller.getByTestId("deal-contract").getByRole("link", { name: "起草合同" }).click();
    await seller.waitForURL((u) => u.pathname === `/deals/${dealId}/contract/edit`);
    // Suggested from the terms: a transfer of a patented achievement.
    await seller.getByText("根据成交条件建议：技术转让 · 专利权转让，双方可修改。").waitFor();
    expect(await seller.getByLabel("合同类别 / 子类别").inputValue()).toBe("transfer.patent");
    expect(await seller.getByLabel("成交额（合同总金额，元）").inputValue()).toBe("80000");
    expect(await scrollsSideways(seller)).toBe(false);

    // The amount split, first one fen off: refused, naming the rule.
    await seller.getByLabel("技术交易额（元）").fill("70000");
    await seller.getByLabel("项目 1").fill("烘干设备");
    await seller.getByLabel("金额（元） 1").fill("9999.99");
    await seller.getByTestId("contract-save").click();
    await seller.getByText("成交额必须等于技术交易额加各项非技术性款项之和（精确到分）").waitFor();
    expect(await scrollsSideways(seller)).toBe(false);
    await seller.getByLabel("金额（元） 1").fill("10000");
    await seller.getByTestId("contract-save").click();
    await seller.waitForURL((u) => u.pathname === `/deals/${dealId}/contract`);
    await seller.getByText("合同已保存为新版本。").waitFor();
    expect(await seller.getByTestId("contract-status").innerText()).toContain("草稿 · 第 1 版");
    expect(await scrollsSideways(seller)).toBe(false);

    // A second version: a free clause changed.
    const disputes = "因本合同引起的争议，提交文山州仲裁委员会按其仲裁规则在文山仲裁，仲裁裁决是终局的。";
    await seller.getByTestId("contract-edit-link").click();
    await seller.getByLabel("争议解决").fill(disputes);
    await seller.getByTestId("contract-save").click();
    await seller.getByText("合同已保存为新版本。").waitFor();
    expect(await seller.getByTestId("contract-status").innerText()).toContain("第 2 版");

    // The buyer compares the two versions and sees the new clause.
    const buyer = await loggedIn("buyer@demo.chengguo.cn");
    await buyer.goto(`/deals/${dealId}/contract`);
    await buyer.getByRole("button", { name: "比较版本" }).click();
    await buyer.waitForURL((u) => u.searchParams.get("from") === "1" && u.searchParams.get("to") === "2");
    const diff = buyer.getByTestId("contract-diff");
    expect(await diff.locator("[data-kind=added]").allInnerTexts()).toContain(disputes);
    expect((await diff.locator("[data-kind=removed]").allInnerTexts()).some((l) => l.includes("协商解决"))).toBe(true);
    expect(await scrollsSideways(buyer)).toBe(false);

    // The university seller signs with the distribution plan (inventors pre-filled), by clicking.
    await seller.goto(`/deals/${dealId}`);
    await seller.getByTestId("contract-sign-link").click();
    await seller.waitForURL((u) => u.pathname === `/deals/${dealId}/contract`);
    expect(await seller.getByLabel("完成人 / 团队成员 1").inputValue()).toBe("张教授");
    expect(await seller.getByLabel("完成人 / 团队成员 2").inputValue()).toBe("李博士");
    await seller.getByLabel("分配比例（%） 1").fill("40");
    await seller.getByLabel("分配比例（%） 2").fill("15");
    await seller.getByLabel("我已阅读并同意合同全文").check();
    await seller.getByTestId("sign-button").click();
    await seller.getByText("完成人和团队所得合计不得低于 60%（县方案 §2）").waitFor();
    await seller.getByLabel("分配比例（%） 2").fill("30");
    await seller.getByLabel("我已阅读并同意合同全文").check();
    await seller.getByTestId("sign-button").click();
    await seller.getByText("您已签署合同。").waitFor();
    expect(await seller.getByTestId("signature-seller").innerText()).toContain("文山学院");
    expect(await scrollsSideways(seller)).toBe(false);

    // The buyer signs from the deal page.
    await buyer.goto(`/deals/${dealId}`);
    await buyer.getByTestId("contract-sign-link").click();
    await buyer.getByLabel("我已阅读并同意合同全文").check();
    await buyer.getByTestId("sign-button").click();
    await buyer.getByText("双方已签署，合同生效，成果状态已变为“已签合同”。").waitFor();
    expect(await buyer.getByTestId("contract-status").innerText()).toContain("已签署");
    const hash = (await buyer.getByTestId("contract-hash").innerText()).match(/[0-9a-f]{64}/)?.[0];
    expect(hash).toBeDefined();
    expect(await buyer.getByTestId("signature-seller").innerText()).toContain(hash);
    expect(await buyer.getByTestId("signature-buyer").innerText()).toContain(hash);
    expect(await buyer.getByTestId("contract-distribution").innerText()).toContain("张教授：40%");
    expect(await scrollsSideways(buyer)).toBe(false);

    // The PDF link answers the signed contract as a PDF.
    const link = buyer.getByTestId("contract-pdf-link");
    expect(await link.innerText()).toBe("下载 PDF");
    const pdf = await buyer.request.get((await link.getAttribute("href"))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

    // The printable page: the hash, both signatures, the PDF link; no sideways scrolling either.
    await buyer.getByTestId("contract-print-link").click();
    await buyer.waitForURL((u) => u.pathname === `/deals/${dealId}/contract/print`);
    expect(await buyer.getByTestId("contract-hash").innerText()).toContain(hash);
    await buyer.getByTestId("signature-buyer").waitFor();
    await buyer.getByTestId("contract-pdf-link").waitFor();
    expect(await scrollsSideways(buyer)).toBe(false);

    // The deal page shows the signed contract too.
    await buyer.goto(`/deals/${dealId}`);
    expect(await buyer.getByTestId("deal-contract").getByTestId("contract-status").innerText()).toContain("已签署");
    expect(await scrollsSideways(buyer)).toBe(false);
  });
});
