import { beforeAll, describe, expect, it } from "vitest";
import { Registration } from "~/models/registration.server.ts";
import * as verifyApi from "~/routes/api.v1.verify.$number.ts";
import * as certificatePdf from "~/routes/registrations.$id_.certificate[.]pdf.ts";
import * as certificatePage from "~/routes/registrations.$id_.certificate.tsx";
import * as changesPage from "~/routes/registrations.$id_.changes.tsx";
import * as verifyPage from "~/routes/verify.$number.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { registrationNumber } from "~/utils/registration.ts";
import { pageRequests } from "../support/page-requests.ts";
import { readPdf } from "../support/pdf-text.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * 技术合同登记证明 (issue 15, points 3, 4, 10) through the real routes, on registrations made
 * directly through the model (the submission and review flow is another module's): the PDF's text
 * (number 4-4-2-6, amounts in figures and 大写, parties with codes, hash, the verification address),
 * who may read the certificate, the public verification page and API showing only public facts for
 * a registered, a changed and a cancelled registration, and change / cancellation keeping the
 * number and adding to the history.
 */

const pages = pageRequests({ orgType: "university" });
const { person, get, post, call } = pages;

let seller: SessionUser, buyer: SessionUser, bureau: SessionUser, admin: SessionUser, stranger: SessionUser, partyBureau: SessionUser;
let serial = 0;

const HASH = "9f2c4e1a7b3d5f60".padEnd(64, "0a");
const SELLER_CODE = "12530000431234567X";
const BUYER_CODE = "93532623MA6K12345Q";

beforeAll(async () => {
  await pages.init();
  seller = await person("zhangsan.applicant@wsu.cn", ["seller"], "文山学院");
  buyer = await person("lisi.buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  bureau = await person("wang.registrar@kjj.gov.cn", ["bureau"], "西畴县科学技术局");
  admin = await person("admin.cert@chengguo.cn", ["admin"], null);
  stranger = await person("stranger@tea.cn", ["buyer"], "茶业公司");
  partyBureau = await person("bureau.party@coop.cn", ["bureau"], "兴街镇三七种植专业合作社");
});

async function registered(over: Record<string, unknown> = {}): Promise<{ id: string; number: string }> {
  serial += 1;
  const number = registrationNumber(2026, "5326", "01", serial);
  const at = new Date("2026-06-15T02:00:00Z");
  const doc = await Registration.create({
    status: "registered",
    source: "platform",
    contractHash: HASH,
    applicant: { user: seller.id, name: seller.name, organization: seller.organization!.id, organizationName: "文山学院" },
    applicantSide: "seller",
    projectName: `三七连作障碍土壤修复技术 ${serial}`,
    category: "transfer",
    subCategory: "patent",
    seller: { name: "文山学院", creditCode: SELLER_CODE, region: "532601", entityType: "022", organization: seller.organization!.id },
    buyer: {
      name: "兴街镇三七种植专业合作社",
      creditCode: BUYER_CODE,
      region: "532623",
      town: "532623101",
      entityType: "190",
      organization: buyer.organization!.id,
    },
    signedOn: new Date("2026-05-20T00:00:00+08:00"),
    validFrom: new Date("2026-05-20T00:00:00+08:00"),
    validTo: new Date("2031-05-19T00:00:00+08:00"),
    technicalField: "07",
    contractAmount: 12_345_678_90, // ¥12,345,678.90
    nonTechItems: [{ label: "检测设备", amount: 2_000_000_00 }],
    technologyAmount: 10_345_678_90,
    paymentMethod: "instalments",
    submittedAt: new Date("2026-06-01T02:00:00Z"),
    clockFrom: new Date("2026-06-01T02:00:00Z"),
    number,
    year: 2026,
    serial,
    registeredAt: at,
    // The model's nested person paths require a name whenever present (reviewer.name on every document).
    reviewer: { user: bureau.id, name: bureau.name },
    registrar: { user: bureau.id, name: bureau.name },
    point: { code: "01", name: "西畴县技术合同登记点" },
    history: [
      { at: new Date("2026-06-01T02:00:00Z"), action: "submitted", by: { user: seller.id, name: seller.name }, note: "内部备注：请尽快" },
      { at, action: "registered", by: { user: bureau.id, name: bureau.name } },
    ],
    ...over,
  });
  return { id: String(doc._id), number };
}

const pdfOf = (id: string, user: SessionUser | null) =>
  call(certificatePdf.loader, get(`/registrations/${id}/certificate.pdf`, user), { id });
const pageOf = (id: string, user: SessionUser | null) =>
  renderPage(get(`/registrations/${id}/certificate`, user), certificatePage, "/registrations/:id/certificate", pages.csrf.token);
const verifyOf = (number: string) => renderPage(get(`/verify/${number}`, null), verifyPage, "/verify/:number", pages.csrf.token);
const verifyJson = (number: string) => call(verifyApi.loader, get(`/api/v1/verify/${number}`, null), { number });
const changes = (id: string, user: SessionUser, fields: Record<string, string>) =>
  renderPage(post(`/registrations/${id}/changes`, user, fields), changesPage, "/registrations/:id/changes", pages.csrf.token);

const grouped = (n: string) => `${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8, 10)}-${n.slice(10)}`;

describe("the registration certificate", () => {
  it("as a PDF carries the number, the contract, both parties with codes, amounts in figures and 大写, the point, registrar, hash and verification address", async () => {
    const { id, number } = await registered();
    const res = await pdfOf(id, seller);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(res.headers.get("Content-Disposition")).toBe(`inline; filename="registration-${number}.pdf"`);
    const pdf = readPdf(Buffer.from(await res.arrayBuffer()));
    expect(pdf.fonts).toHaveLength(1);
    expect(pdf.fonts[0]!.baseFont).toMatch(/^[A-Z]{6}\+NotoSansCJKsc-Regular$/);
    expect(pdf.pageCount).toBe(1); // one sheet, QR code included
    const text = pdf.pages.join("\n");
    expect(text).toContain("技术合同登记证明");
    expect(text).toContain(`登记号：${grouped(number)}`);
    expect(text).toContain(`三七连作障碍土壤修复技术 ${serial}`);
    expect(text).toContain("技术转让 · 专利权转让");
    expect(text).toContain("文山学院");
    expect(text).toContain("兴街镇三七种植专业合作社");
    expect(text).toContain(SELLER_CODE);
    expect(text).toContain(BUYER_CODE);
    expect(text).toContain("022 高等院校");
    expect(text).toContain("532623");
    expect(text).toContain("2026-05-20");
    expect(text).toContain("2026-05-20 至 2031-05-19");
    expect(text).toContain("人民币 12345678.90 元");
    expect(text).toContain("大写：壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角");
    expect(text).toContain("人民币 10345678.90 元");
    expect(text).toContain("大写：壹仟零叁拾肆万伍仟陆佰柒拾捌元玖角");
    expect(text).toContain("合同信息");
    expect(text).toContain("登记信息");
    expect(text).toContain("西畴县技术合同登记点（01）");
    expect(text).toContain("2026-06-15");
    expect(text).toContain(bureau.name);
    expect(text).toContain(HASH);
    expect(text).toMatch(new RegExp(`https?://[^\\s]+/verify/${number}`));
  });

  it("as a page shows the amounts in 大写, the QR code of the verification address and the tax benefits", async () => {
    const { id, number } = await registered();
    const { status, html } = await pageOf(id, buyer);
    expect(status).toBe(200);
    expect(html).toContain(grouped(number));
    expect(html).toContain("壹仟贰佰叁拾肆万伍仟陆佰柒拾捌元玖角");
    expect(html).toMatch(/<svg[^>]*viewBox/);
    expect(html).toMatch(new RegExp(`href="https?://[^"]+/verify/${number}"`));
    expect(html).toContain(`href="/registrations/${id}/certificate.pdf"`);
    // A patent transfer by a university: VAT, corporate income tax, the inventors' rewards; no R&D deduction.
    expect(html).toContain('data-testid="tax-vat"');
    expect(html).toContain('data-testid="tax-cit"');
    expect(html).toContain('data-testid="tax-inventorReward"');
    expect(html).not.toContain('data-testid="tax-rnd"');
    expect(html).toContain("财税〔2016〕36号 附件3 第一条第二十六项");
    expect(html).toContain("财税〔2018〕58号");
    // Only the bureau is offered the change page.
    expect(html).not.toContain(`/registrations/${id}/changes`);
    expect((await pageOf(id, bureau)).html).toContain(`/registrations/${id}/changes`);
  });

  it("is for the applicant, both parties, the bureau and admins; anyone else, and a registration without a number, is a 404", async () => {
    const { id } = await registered();
    for (const u of [seller, buyer, bureau, admin]) {
      expect((await pageOf(id, u)).status).toBe(200);
      expect((await pdfOf(id, u)).status).toBe(200);
    }
    expect((await pageOf(id, stranger)).status).toBe(404);
    expect((await pdfOf(id, stranger)).status).toBe(404);
    expect((await pdfOf(id, null)).status).toBe(302); // to the login page
    expect((await pageOf("64b000000000000000000000", bureau)).status).toBe(404);
    expect((await pageOf("nonsense", bureau)).status).toBe(404);
    const pending = await registered({
      status: "submitted",
      number: undefined,
      year: undefined,
      serial: undefined,
      registeredAt: undefined,
    });
    expect((await pageOf(pending.id, bureau)).status).toBe(404);
    expect((await pdfOf(pending.id, seller)).status).toBe(404);
  });
});

/** Nothing private may show on the public page or in the public JSON. */
function expectNothingPrivate(text: string) {
  for (const secret of [
    SELLER_CODE,
    BUYER_CODE,
    "12345678.90",
    "12,345,678.9",
    "10345678.90",
    "10,345,678.9",
    "壹仟",
    "检测设备",
    "分期支付",
    seller.name, // the applicant person
    bureau.name, // the registrar
    "内部备注",
    "更正笔误", // a change's reason
    "合同解除", // a cancellation's reason
    HASH, // only a prefix
    "532623101",
  ])
    expect(text, secret).not.toContain(secret);
}

describe("the public verification of a number", () => {
  it("shows a registered, a changed and a cancelled registration's public facts and nothing private", async () => {
    const r = await registered();
    let page = await verifyOf(r.number);
    expect(page.status).toBe(200);
    expect(page.html).toContain(grouped(r.number));
    expect(page.html).toContain("有效");
    expect(page.html).toContain("文山学院");
    expect(page.html).toContain("兴街镇三七种植专业合作社");
    expect(page.html).toContain(`三七连作障碍土壤修复技术 ${serial}`);
    expect(page.html).toContain("技术转让 · 专利权转让");
    expect(page.html).toContain("西畴县技术合同登记点");
    expect(page.html).toContain("2026-06-15");
    expect(page.html).toContain(HASH.slice(0, 16));
    expectNothingPrivate(page.html);
    // Typed with the dashes as printed: the same.
    expect((await verifyOf(grouped(r.number))).html).toContain("文山学院");

    const api = await verifyJson(r.number);
    expect(api.status).toBe(200);
    const body = await api.json();
    expect(body.verification).toMatchObject({
      number: r.number,
      groupedNumber: grouped(r.number),
      state: "registered",
      seller: { name: "文山学院" },
      buyer: { name: "兴街镇三七种植专业合作社" },
      registeredAt: "2026-06-15",
      changedAt: null,
      cancelledAt: null,
      point: { code: "01", name: "西畴县技术合同登记点" },
      hashPrefix: HASH.slice(0, 16),
    });
    expectNothingPrivate(JSON.stringify(body));

    const changed = await changes(r.id, bureau, { intent: "change", projectName: "三七连作障碍土壤修复与改良技术", reason: "更正笔误" });
    expect(changed.location).toBe(`/registrations/${r.id}/certificate?done=changed`);
    page = await verifyOf(r.number);
    expect(page.html).toContain("已变更");
    expect(page.html).toContain("三七连作障碍土壤修复与改良技术");
    expectNothingPrivate(page.html);
    expect((await (await verifyJson(r.number)).json()).verification.state).toBe("changed");

    const cancelled = await changes(r.id, bureau, { intent: "cancel", reason: "合同解除", confirm: "on" });
    expect(cancelled.location).toBe(`/registrations/${r.id}/certificate?done=cancelled`);
    page = await verifyOf(r.number);
    expect(page.html).toContain("已注销");
    expectNothingPrivate(page.html);
    const json = await (await verifyJson(r.number)).json();
    expect(json.verification.state).toBe("cancelled");
    expect(json.verification.cancelledAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expectNothingPrivate(JSON.stringify(json));
  });

  it("says an unknown number was not found (404) and a malformed one is not a number (400)", async () => {
    const unknown = registrationNumber(2026, "5326", "01", 999_999);
    const page = await verifyOf(unknown);
    expect(page.status).toBe(404);
    expect(page.html).toContain(`未找到登记号 ${unknown} 的技术合同登记`);
    const bad = await verifyOf("12345");
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("不是有效的登记号");
    const api = await verifyJson(unknown);
    expect(api.status).toBe(404);
    expect((await api.json()).error.code).toBe("not_found");
    const apiBad = await verifyJson("abc");
    expect(apiBad.status).toBe(400);
    expect((await apiBad.json()).error.fields.number[0]).toContain("不是有效的登记号");
    // A submitted (not yet registered) application is not found either.
    const pending = registrationNumber(2026, "5326", "01", 888_888);
    await registered({ status: "submitted", number: pending });
    expect((await verifyOf(pending)).status).toBe(404);
  });
});

describe("change registration and cancellation", () => {
  it("keep the number and add to the history; the certificate shows them", async () => {
    const { id, number } = await registered();
    const res = await changes(id, bureau, {
      intent: "change",
      buyerName: "西畴县三七产业发展有限公司",
      validTo: "2032-05-19",
      contractAmount: "130000",
      technologyAmount: "100000.5",
      reason: "受让方改制，合同金额调整",
    });
    expect(res.location).toBe(`/registrations/${id}/certificate?done=changed`);
    let doc = (await Registration.findById(id).lean())!;
    expect(doc.number).toBe(number);
    expect(doc.status).toBe("registered");
    expect(doc.buyer.name).toBe("西畴县三七产业发展有限公司");
    expect(doc.contractAmount).toBe(130_000_00);
    expect(doc.technologyAmount).toBe(100_000_50);
    expect(doc.nonTechItems).toEqual([{ label: "非技术性款项（变更后合计）", amount: 29_999_50 }]);
    const change = doc.history.at(-1)!;
    expect(change).toMatchObject({ action: "changed", note: "受让方改制，合同金额调整", by: { name: bureau.name } });
    expect(change.changes).toEqual([
      "buyerName: 兴街镇三七种植专业合作社 → 西畴县三七产业发展有限公司",
      "validTo: 2031-05-19 → 2032-05-19",
      "contractAmount: 12345678.90 → 130000.00",
      "technologyAmount: 10345678.90 → 100000.50",
      "nonTechItems: 检测设备 2000000.00 → 非技术性款项（变更后合计） 29999.50",
    ]);

    const page = await pageOf(id, seller);
    expect(page.html).toContain("已变更");
    expect(page.html).toContain("受让方改制，合同金额调整");
    expect(page.html).toContain("买方名称：兴街镇三七种植专业合作社 → 西畴县三七产业发展有限公司");
    expect(page.html).toContain("壹拾万元伍角"); // the new 技术交易额 in 大写
    const pdfText = readPdf(Buffer.from(await (await pdfOf(id, seller)).arrayBuffer())).pages.join("\n");
    expect(pdfText).toContain("大写：壹拾万元伍角");
    expect(pdfText).toMatch(/本登记已于 \d{4}-\d{2}-\d{2} 变更，登记号不变。/);
    expect(pdfText).toContain(grouped(number));

    await changes(id, bureau, { intent: "cancel", reason: "双方协议解除合同", confirm: "on" });
    doc = (await Registration.findById(id).lean())!;
    expect(doc.number).toBe(number);
    expect(doc.status).toBe("cancelled");
    expect(doc.history.map((h) => h.action)).toEqual(["submitted", "registered", "changed", "cancelled"]);
    expect((await pageOf(id, buyer)).html).toContain("已注销");
    // A cancelled one is changed no more.
    const again = await changes(id, bureau, { intent: "change", projectName: "再改", reason: "试试" });
    expect(again.status).toBe(409);
    expect(again.html).toContain("只有有效的登记可以变更或注销");
  });

  it("refuses what is not a change, bad amounts and dates, a missing reason or confirmation", async () => {
    const { id } = await registered();
    const nothing = await changes(id, bureau, { intent: "change", reason: "无" });
    expect(nothing.status).toBe(400);
    expect(nothing.html).toContain("没有需要变更的项目");
    const over = await changes(id, bureau, { intent: "change", technologyAmount: "99999999", reason: "x" });
    expect(over.status).toBe(400);
    expect(over.html).toContain("技术交易额不能大于成交额");
    const fen = await changes(id, bureau, { intent: "change", contractAmount: "1.234", reason: "x" });
    expect(fen.status).toBe(400);
    expect(fen.html).toContain("请填写以元为单位的金额");
    const dates = await changes(id, bureau, { intent: "change", validTo: "2020-01-01", reason: "x" });
    expect(dates.status).toBe(400);
    expect(dates.html).toContain("有效期止不能早于有效期起");
    const noReason = await changes(id, bureau, { intent: "change", projectName: "新名称" });
    expect(noReason.status).toBe(400);
    expect(noReason.html).toContain("请填写原因");
    const unconfirmed = await changes(id, bureau, { intent: "cancel", reason: "x" });
    expect(unconfirmed.status).toBe(400);
    expect((await Registration.findById(id).lean())!.status).toBe("registered");
    expect((await Registration.findById(id).lean())!.history).toHaveLength(2);
  });

  it("is the bureau's alone, and never for a contract of the registrar's own organisation", async () => {
    const { id } = await registered();
    for (const u of [seller, buyer, admin, stranger]) {
      const res = await changes(id, u, { intent: "cancel", reason: "x", confirm: "on" });
      expect(res.status).toBe(403);
    }
    const own = await changes(id, partyBureau, { intent: "cancel", reason: "x", confirm: "on" });
    expect(own.status).toBe(403);
    expect(own.html).toContain("不能办理本单位为当事人的合同登记");
    expect((await Registration.findById(id).lean())!.status).toBe("registered");
  });
});
