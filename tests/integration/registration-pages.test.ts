import { beforeAll, describe, expect, it } from "vitest";
import { Registration } from "~/models/registration.server.ts";
import * as apiAction from "~/routes/api.v1.registrations.$id.$action.ts";
import * as apiOne from "~/routes/api.v1.registrations.$id.ts";
import * as apiList from "~/routes/api.v1.registrations._index.ts";
import * as queuePage from "~/routes/bureau.registrations.tsx";
import * as reviewPage from "~/routes/bureau.registrations_.$id.tsx";
import * as settingsPage from "~/routes/bureau.settings.tsx";
import * as contractPage from "~/routes/deals.$id_.contract.tsx";
import * as dealRegistration from "~/routes/deals.$id_.registration.tsx";
import * as myList from "~/routes/my.registrations.tsx";
import * as myOne from "~/routes/my.registrations_.$id.tsx";
import * as newExternal from "~/routes/registrations.new.tsx";
import * as signedFile from "~/routes/registrations.$id.file.$fileId.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { saveContract, signContract } from "~/services/contracts/commands.server.ts";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import { forgetCachedSettings, readSettings } from "~/services/settings/settings.server.ts";
import { usccCheckChar } from "~/utils/uscc.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";
import { achievementContent, buyNowDeal, listingAt, pdfBytes } from "../../seeds/trading-fixtures.ts";

/**
 * Issue 15 (registration): the pages as a browser without JavaScript uses them — the contract
 * page's link, the pre-filled form, the bureau's queue and its three answers, the corrections form,
 * the external contract with its file, the settings page — and the API v1 routes.
 */
const pages = pageRequests({ orgType: "enterprise" });
const { person, get, post, call } = pages;

let seller: SessionUser, buyer: SessionUser, broker: SessionUser, bureau: SessionUser, outsider: SessionUser, admin: SessionUser;

beforeAll(async () => {
  await pages.init();
  seller = await person("seller@pg-sanqi.cn", ["seller"], "三七科技有限公司（页面）");
  buyer = await person("buyer@pg-coop.cn", ["buyer"], "兴街镇合作社（页面）");
  broker = await person("broker@pg-agency.cn", ["broker"], "技术转移中心（页面）");
  bureau = await person("bureau@pg-kjj.gov.cn", ["bureau"], "西畴县科学技术局（页面）");
  outsider = await person("outsider@pg-tea.cn", ["seller", "buyer"], "茶业公司（页面）");
  admin = await person("admin@pg.cn", ["admin"], null);
});

let n = 0;
async function signedDeal(): Promise<string> {
  const listing = await listingAt(
    seller,
    broker,
    "trading",
    achievementContent({ title: `三七粉质量快检技术 ${++n}`, field: "biomedicine", price: { mode: "fixed", amount: 120_000_00 } }),
  );
  const deal = await buyNowDeal(buyer, listing, { expectedAmountFen: 120_000_00, transactionMode: "transfer", licenseExclusivity: null });
  await saveContract(seller, deal, null);
  const v = (await getContractPage(seller, deal)).contract!.version;
  await signContract(buyer, deal, { version: v, ip: "203.0.113.7" });
  await signContract(seller, deal, { version: v, ip: "198.51.100.1" });
  return deal;
}

const uscc = (org9: string) => `91532623${org9}${usccCheckChar(`91532623${org9}`)}`;

describe("applicant and bureau pages", () => {
  it("goes from the signed contract's link through the pre-filled form to a registered number, with corrections on the way", async () => {
    const deal = await signedDeal();
    const contractHtml = (await renderPage(get(`/deals/${deal}/contract`, seller), contractPage, "/deals/:id/contract", pages.csrf.token))
      .html;
    expect(contractHtml).toContain(`href="/deals/${deal}/registration"`);
    expect(contractHtml).toContain("申请认定登记");

    const path = `/deals/${deal}/registration`;
    const loaded = await (await call(dealRegistration.loader, get(path, seller), { id: deal })).json();
    const values = loaded.page.values as Record<string, string>;
    expect(values).toMatchObject({ technicalField: "04", contractAmount: "120000", "seller.entityType": "150" });
    const formHtml = (await renderPage(get(path, seller), dealRegistration, "/deals/:id/registration", pages.csrf.token)).html;
    expect(formHtml).toContain("提交登记申请");
    expect(formHtml).toContain('name="seller.creditCode"');

    // Bad input: 400 naming the fields, the typed values kept.
    const bad = await call(dealRegistration.action, post(path, seller, { ...values, "buyer.region": "999999", validTo: "2000-01-01" }), {
      id: deal,
    });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(Object.keys(badBody.reply.error).sort()).toEqual(["buyer.region", "validTo"]);

    const ok = await call(dealRegistration.action, post(path, seller, values), { id: deal });
    expect(ok.status).toBe(302);
    const reg = await Registration.findOne({ deal }).lean();
    const id = String(reg!._id);

    // The bureau's queue shows it with its working days left; the seller's queue is a 404.
    const queue = await (await call(queuePage.loader, get("/bureau/registrations", bureau))).json();
    expect(queue.items.find((i: { id: string }) => i.id === id)).toMatchObject({ daysLeft: 15, overdue: false });
    expect((await call(queuePage.loader, get("/bureau/registrations", seller))).status).toBe(404);
    expect((await call(reviewPage.loader, get(`/bureau/registrations/${id}`, seller), { id })).status).toBe(404);
    const queueHtml = (await renderPage(get("/bureau/registrations", bureau), queuePage, "/bureau/registrations", pages.csrf.token)).html;
    expect(queueHtml).toContain("剩余 15 个工作日");

    // Corrections, then the applicant's corrected form restarts the clock.
    const review = `/bureau/registrations/${id}`;
    const noNote = await call(reviewPage.action, post(review, bureau, { intent: "corrections", note: "" }), { id });
    expect(noNote.status).toBe(400);
    expect((await noNote.json()).reply.error.note).toBeTruthy();
    expect(
      (await call(reviewPage.action, post(review, bureau, { intent: "corrections", note: "请补充买方统一社会信用代码" }), { id })).status,
    ).toBe(302);
    const mine = `/my/registrations/${id}`;
    const myHtml = (await renderPage(get(mine, seller), myOne, "/my/registrations/:id", pages.csrf.token)).html;
    expect(myHtml).toContain("登记点要求补正：请补充买方统一社会信用代码");
    expect(myHtml).toContain("提交补正");
    expect((await call(myOne.loader, get(mine, outsider), { id })).status).toBe(404);
    const resubmitted = await call(myOne.action, post(mine, seller, { ...values, projectName: "三七粉质量快检技术（补正）" }), { id });
    expect(resubmitted.status).toBe(302);
    expect((await Registration.findById(id).lean())!.status).toBe("submitted");

    // Registered: the number, grouped 4-4-2-6, on the applicant's page and list.
    const unknownGround = await call(reviewPage.action, post(review, bureau, { intent: "refuse", ground: "whim" }), { id });
    expect((await unknownGround.json()).reply.error.ground).toBeTruthy();
    expect((await call(reviewPage.action, post(review, outsider, { intent: "register" }), { id })).status).toBe(404);
    expect((await call(reviewPage.action, post(review, bureau, { intent: "register" }), { id })).status).toBe(302);
    const number = (await Registration.findById(id).lean())!.number!;
    const grouped = `${number.slice(0, 4)}-${number.slice(4, 8)}-${number.slice(8, 10)}-${number.slice(10)}`;
    expect(grouped).toMatch(/^\d{4}-5326-01-\d{6}$/);
    expect((await renderPage(get(mine, seller), myOne, "/my/registrations/:id", pages.csrf.token)).html).toContain(grouped);
    expect((await renderPage(get("/my/registrations", seller), myList, "/my/registrations", pages.csrf.token)).html).toContain(grouped);
    expect((await renderPage(get(path, seller), dealRegistration, "/deals/:id/registration", pages.csrf.token)).html).not.toContain(
      "提交登记申请",
    );
  });

  it("takes a contract signed elsewhere with its signed file", async () => {
    const fields = {
      projectName: "高原蔬菜病虫害绿色防控技术咨询",
      category: "consulting",
      subCategory: "general",
      "seller.name": "云南农业大学",
      "seller.creditCode": uscc("MA6K00003"),
      "seller.region": "530102",
      "seller.entityType": "022",
      "buyer.name": "西畴县蔬菜合作社",
      "buyer.creditCode": uscc("MA6K00004"),
      "buyer.region": "532623",
      "buyer.entityType": "150",
      signedOn: "2026-11-02",
      validFrom: "2026-11-02",
      validTo: "2027-05-01",
      technicalField: "09",
      contractAmount: "50000",
      technologyAmount: "50000",
      paymentMethod: "lump-sum",
    };
    const noFile = await call(newExternal.action, pages.upload("/registrations/new", seller, null, fields));
    expect(noFile.status).toBe(400);
    expect((await noFile.json()).reply.error.file).toBeTruthy();
    const ok = await call(
      newExternal.action,
      pages.upload("/registrations/new", seller, { name: "合同.pdf", bytes: pdfBytes("s") }, fields),
    );
    expect(ok.status).toBe(302);
    const r = await Registration.findOne({ projectName: fields.projectName }).lean();
    expect(r).toMatchObject({ source: "external", contractAmount: 50_000_00, technologyAmount: 50_000_00 });
    expect(ok.headers.get("Location")).toContain(`/my/registrations/${String(r!._id)}`);
    // The signed file: for the applicant and the bureau, no one else.
    const fileId = String(r!.attachments[0]!.file);
    const filePath = `/registrations/${String(r!._id)}/file/${fileId}`;
    const params = { id: String(r!._id), fileId };
    const file = await call(signedFile.loader, get(filePath, bureau), params);
    expect(file.status).toBe(200);
    expect(new TextDecoder().decode(await file.arrayBuffer())).toContain("%PDF-");
    expect((await call(signedFile.loader, get(filePath, outsider), params)).status).toBe(404);
    const reviewHtml = (
      await renderPage(get(`/bureau/registrations/${String(r!._id)}`, bureau), reviewPage, "/bureau/registrations/:id", pages.csrf.token)
    ).html;
    expect(reviewHtml).toContain(`href="${filePath}"`);
    expect(reviewHtml).toContain("不予登记理由");
    const html = (await renderPage(get("/registrations/new", seller), newExternal, "/registrations/new", pages.csrf.token)).html;
    expect(html.toLowerCase()).toContain('enctype="multipart/form-data"');
  });

  it("lets the bureau and admins change the registration settings, naming bad fields", async () => {
    const form = {
      intent: "save",
      provinceOffice: "云南省技术市场管理办公室",
      nationalSystem: "工业和信息化部火炬中心",
      pointName: "西畴县科学技术局技术合同登记点",
      pointCode: "02",
      prefectureCode: "5326",
      reviewDays: "15",
      largeReviewDays: "30",
      largeThreshold: "5000000",
      largeBasis: "technologyAmount",
      holidays: "2027-01-01 2027-10-01\n2027-10-02",
      workdays: "2027-09-26",
    };
    expect((await call(settingsPage.loader, get("/bureau/settings", seller))).status).toBe(403);
    const bad = await call(
      settingsPage.action,
      post("/bureau/settings", bureau, { ...form, pointCode: "1", prefectureCode: "53x6", holidays: "2027-02-30" }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).reply.error).sort()).toEqual(["holidays", "pointCode", "prefectureCode"]);
    expect((await call(settingsPage.action, post("/bureau/settings", admin, form))).status).toBe(302);
    forgetCachedSettings();
    const s = (await readSettings()).registration;
    expect(s).toMatchObject({ pointCode: "02", largeThreshold: 5_000_000_00 });
    expect(s.calendar).toEqual([{ year: 2027, holidays: ["2027-01-01", "2027-10-01", "2027-10-02"], workdays: ["2027-09-26"] }]);
    const html = (await renderPage(get("/bureau/settings", bureau), settingsPage, "/bureau/settings", pages.csrf.token)).html;
    expect(html).toContain("2027 已录入");
    // Back to point 01 for the other tests.
    expect((await call(settingsPage.action, post("/bureau/settings", bureau, { ...form, pointCode: "01" }))).status).toBe(302);
  });
});

describe("API v1", () => {
  it("submits, lists with amounts in yuan and region codes, reviews and resubmits", async () => {
    const deal = await signedDeal();
    const values = (await (await call(dealRegistration.loader, get(`/deals/${deal}/registration`, seller), { id: deal })).json()).page
      .values;
    const created = await call(apiList.action, pages.postJson("/api/v1/registrations", seller, { deal, ...values }));
    expect(created.status).toBe(201);
    const { registration } = await created.json();
    expect(registration).toMatchObject({
      status: "submitted",
      contractAmount: 120000,
      technologyAmount: 120000,
      seller: { region: "532623" },
    });
    const id = registration.id as string;

    const external = {
      projectName: "API 外部合同",
      category: "service",
      subCategory: "general",
      seller: { name: "文山学院", creditCode: uscc("MA6K00005"), region: "532601", entityType: "022" },
      buyer: { name: "西畴县合作社", creditCode: uscc("MA6K00006"), region: "532623", entityType: "150" },
      signedOn: "2026-11-03",
      validFrom: "2026-11-03",
      validTo: "2027-11-02",
      technicalField: "09",
      contractAmount: 10000.5,
      nonTechItems: [{ label: "差旅", amount: "0.5" }],
      technologyAmount: 10000,
      paymentMethod: "lump-sum",
      file: { filename: "c.pdf", base64: Buffer.from(pdfBytes("api")).toString("base64") },
    };
    const bad = await call(
      apiList.action,
      pages.postJson("/api/v1/registrations", seller, { ...external, technologyAmount: 1, file: undefined }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["file", "technologyAmount"]);
    const ext = await call(apiList.action, pages.postJson("/api/v1/registrations", seller, external));
    expect(ext.status).toBe(201);
    const extId = (await ext.json()).registration.id as string;

    // Review actions: the seller may not, the bureau asks for corrections, the seller resubmits, the bureau registers.
    const act = (who: SessionUser, rid: string, action: string, body: unknown = {}) =>
      call(apiAction.action, pages.postJson(`/api/v1/registrations/${rid}/${action}`, who, body), { id: rid, action });
    expect((await act(seller, id, "register")).status).toBe(403);
    expect((await act(outsider, id, "register")).status).toBe(404);
    expect((await act(bureau, extId, "refuse", { ground: "proofMissing", note: "缺少盖章页" })).status).toBe(200);
    expect((await act(bureau, id, "corrections", { note: "请核对技术领域" })).status).toBe(200);
    const resub = await act(seller, id, "resubmit", { deal, ...values, technicalField: "09" });
    expect(resub.status).toBe(200);
    expect((await resub.json()).registration).toMatchObject({ status: "submitted", contract: { technicalField: "09" } });
    const reg = await act(bureau, id, "register");
    expect(reg.status).toBe(200);
    const number = (await reg.json()).registration.number as string;
    expect(number).toMatch(/^\d{4}532601\d{6}$/);

    const year = number.slice(0, 4);
    const list = await (await call(apiList.loader, get(`/api/v1/registrations?status=registered&year=${year}`, bureau))).json();
    expect(list.registrations.map((r: { number: string }) => r.number)).toContain(number);
    const own = await (await call(apiList.loader, get("/api/v1/registrations", outsider))).json();
    expect(own.registrations).toEqual([]);
    const one = await (await call(apiOne.loader, get(`/api/v1/registrations/${extId}`, seller), { id: extId })).json();
    expect(one.registration).toMatchObject({
      status: "refused",
      contractAmount: 10000.5,
      technologyAmount: 10000,
      review: { refusal: { ground: "proofMissing", note: "缺少盖章页" } },
    });
    expect((await call(apiOne.loader, get(`/api/v1/registrations/${extId}`, outsider), { id: extId })).status).toBe(404);
    expect((await call(apiList.loader, get("/api/v1/registrations?status=nope", bureau))).status).toBe(400);
  });
});
