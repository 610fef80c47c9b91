import { beforeAll, describe, expect, it } from "vitest";
import * as contractEdit from "~/routes/deals.$id_.contract_.edit.tsx";
import * as contractPdf from "~/routes/deals.$id_.contract[.]pdf.ts";
import * as contractPrint from "~/routes/deals.$id_.contract_.print.tsx";
import * as contractPage from "~/routes/deals.$id_.contract.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { CjkFontMissingError, renderContractPdf, type ContractPdfInput } from "~/services/contracts/pdf.server.ts";
import { pageRequests } from "../support/page-requests.ts";
import { readPdf } from "../support/pdf-text.ts";
import { achievementContent, listingAt, buyNowDeal } from "../../seeds/trading-fixtures.ts";

/**
 * The contract's PDF (issue 14, point 3) through its real route: a draft marked 草稿, then the
 * signed contract with both signatures, its hash and page numbers — read back as text through the
 * embedded Noto Sans CJK subset's ToUnicode map, the way a PDF viewer copies it. The same readers
 * as the contract page: the bureau may, a stranger and a broker who is not the deal's get 404.
 */

const pages = pageRequests({ orgType: "university" });
const { person, get, post, call } = pages;

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, bureau: SessionUser, outsider: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  bureau = await person("bureau@kjj.gov.cn", ["bureau"], "文山县科技局");
  outsider = await person("outsider@tea.cn", ["buyer"], "茶业公司");
});

async function deal(title: string): Promise<string> {
  const listing = await listingAt(
    seller,
    broker,
    "trading",
    achievementContent({
      title,
      transactionModes: ["transfer"],
      price: { mode: "fixed", amount: 120_000_00 },
      patentNumbers: ["ZL202310123456.7"],
      inventors: [{ name: "王教授" }, { name: "李博士" }],
    }),
  );
  return buyNowDeal(buyer, listing, { expectedAmountFen: 120_000_00, transactionMode: "transfer" });
}

const draft = (id: string) =>
  call(
    contractEdit.action,
    post(`/deals/${id}/contract/edit`, seller, {
      intent: "save",
      kind: "transfer.patent",
      contractAmount: "120000",
      technologyAmount: "100000",
      item0Label: "检测设备",
      item0Amount: "20000",
    }),
    { id },
  );

const pdfOf = async (id: string, user: SessionUser) => call(contractPdf.loader, get(`/deals/${id}/contract.pdf`, user), { id });

describe("the contract's PDF", () => {
  it("is a draft marked 草稿, then the signed contract with amounts, both signatures, the hash and page numbers, as extractable Chinese", async () => {
    const title = `三七粉质量快检技术 ${Math.random().toString(36).slice(2, 7)}`;
    const id = await deal(title);
    expect((await pdfOf(id, seller)).status).toBe(404); // nothing drafted yet
    await draft(id);

    const first = await pdfOf(id, buyer);
    expect(first.status).toBe(200);
    expect(first.headers.get("Content-Type")).toBe("application/pdf");
    expect(first.headers.get("Content-Disposition")).toMatch(/^inline; filename="contract-[0-9a-f]{24}-v1\.pdf"$/);
    const drafted = readPdf(Buffer.from(await first.arrayBuffer()));
    expect(drafted.pages[0]).toContain("技术转让合同（专利权转让）");
    expect(drafted.pages[0]).toContain("草稿（未生效）· 第 1 版");
    expect(drafted.pages.every((p) => p.includes("草稿 · 未生效"))).toBe(true);

    const version = "1";
    await call(
      contractPage.action,
      post(`/deals/${id}/contract`, seller, {
        intent: "sign",
        version,
        confirm: "on",
        dist0Name: "王教授",
        dist0Percent: "40",
        dist1Name: "李博士",
        dist1Percent: "30",
      }),
      { id },
    );
    await call(contractPage.action, post(`/deals/${id}/contract`, buyer, { intent: "sign", version, confirm: "on" }), { id });
    const view = await (await call(contractPrint.loader, get(`/deals/${id}/contract/print`, buyer), { id })).json();
    expect(view.contract.status).toBe("signed");
    const hash: string = view.contract.textHash;

    const res = await pdfOf(id, seller);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const pdf = readPdf(bytes);
    // One embedded font: a subset of Noto Sans CJK (SC face), CFF outlines, with a ToUnicode map.
    expect(pdf.fonts).toHaveLength(1);
    expect(pdf.fonts[0]).toMatchObject({ cidSubtype: "CIDFontType0", fontFile: "FontFile3", hasToUnicode: true });
    expect(pdf.fonts[0]!.baseFont).toMatch(/^[A-Z]{6}\+NotoSansCJKsc-Regular$/);
    // A subset: the whole face is megabytes; this file carries only the glyphs it uses.
    expect(bytes.length).toBeLessThan(400_000);
    expect(pdf.fonts[0]!.fontFileBytes).toBeLessThan(350_000);

    const text = pdf.pages.join("\n");
    expect(pdf.pages[0]).toContain("技术转让合同（专利权转让）");
    expect(pdf.pages[0]).toContain("已签署 · 第 1 版");
    expect(text).not.toContain("草稿");
    expect(text).toContain(title);
    expect(text).toContain("技术转让 · 专利权转让");
    expect(text).toContain("文山学院（经办人：");
    expect(text).toContain("兴街镇三七种植专业合作社（经办人：");
    expect(text).toContain("人民币 120000.00 元");
    expect(text).toContain("人民币 100000.00 元");
    expect(text).toContain("非技术性款项 · 检测设备：");
    expect(text).toContain("人民币 20000.00 元");
    expect(text).toContain("第六条 价款与支付方式"); // the canonical text itself
    expect(text).toContain("专利号：ZL202310123456.7");
    // Both signatures: who, organisation, time, IP and the hash signed.
    expect(text.match(new RegExp(hash, "g"))?.length).toBeGreaterThanOrEqual(3); // the text's and each signature's
    expect(text).toContain(seller.name);
    expect(text).toContain(buyer.name);
    expect(text.match(/IP：\n127\.0\.0\.1/g)).toHaveLength(2);
    expect(text.match(/时间：\n\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）/g)).toHaveLength(2);
    expect(text).toContain("王教授：40%");
    // Page numbers on every page, counted right.
    expect(pdf.pageCount).toBeGreaterThanOrEqual(2);
    pdf.pages.forEach((p, i) => expect(p).toContain(`第 ${i + 1} 页 / 共 ${pdf.pageCount} 页`));
    expect(pdf.info).toMatch(/\/Title/);
  });

  it("answers the contract's readers only: the bureau reads it, a stranger and another deal's broker get 404", async () => {
    const id = await deal(`三七烘干工艺 ${Math.random().toString(36).slice(2, 7)}`);
    await draft(id);
    expect((await pdfOf(id, bureau)).status).toBe(200);
    expect((await pdfOf(id, outsider)).status).toBe(404);
    expect((await pdfOf(id, broker)).status).toBe(404);
    const nobody = await call(contractPdf.loader, get(`/deals/${id}/contract.pdf`, null), { id });
    expect(nobody.status).toBe(302); // to the login page
  });

  it("links the PDF from the contract page and the printable page", async () => {
    const id = await deal(`三七种苗 ${Math.random().toString(36).slice(2, 7)}`);
    await draft(id);
    const page = await (await call(contractPage.loader, get(`/deals/${id}/contract`, seller), { id })).json();
    expect(page.pdfAvailable).toBe(true);
    const print = await (await call(contractPrint.loader, get(`/deals/${id}/contract/print`, seller), { id })).json();
    expect(print.pdfAvailable).toBe(true);
  });

  it("says which font is missing instead of drawing boxes", async () => {
    const input = { contract: { category: "transfer", subCategory: "patent" } } as unknown as ContractPdfInput;
    const err = await renderContractPdf(input, { path: "/nonexistent/NotoSansCJK-Regular.ttc", name: "NotoSansCJKsc-Regular" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CjkFontMissingError);
    expect((err as CjkFontMissingError).fontPath).toBe("/nonexistent/NotoSansCJK-Regular.ttc");
  });
});
