import { beforeAll, describe, expect, it } from "vitest";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Policy } from "~/models/policy.server.ts";
import * as home from "~/routes/_index.tsx";
import * as apiPolicy from "~/routes/api.v1.policies.$id.ts";
import * as apiPolicies from "~/routes/api.v1.policies._index.ts";
import * as editPage from "~/routes/bureau.policies.$id.edit.tsx";
import * as bureauList from "~/routes/bureau.policies._index.tsx";
import * as newPage from "~/routes/bureau.policies.new.tsx";
import * as detailPage from "~/routes/policies.$id.tsx";
import * as filesRoute from "~/routes/policies.$id_.files.$fileId.ts";
import * as listPage from "~/routes/policies._index.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import { createPolicy, publishPolicy } from "~/services/policies/commands.server.ts";
import { DEMO_POLICIES, seedDemoPolicies } from "../../seeds/demo-policies.ts";
import { pdfBytes } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * Issue 15, point 8 through the real routes: the bureau writes a notice (field errors first),
 * attaches its PDF, publishes, corrects and withdraws it; sellers and buyers are refused; the
 * public list, page, files, home page and API show only what is published; the seeds.
 */
const pages = pageRequests();
const { get, post, call } = pages;
let bureau: SessionUser, admin: SessionUser, seller: SessionUser, buyer: SessionUser;
let token: string;

const FORM = {
  intent: "create",
  kind: "notice",
  title: "关于开展2026年度技术合同认定登记工作的通知",
  docNumber: "西科发[2026] 3号",
  issuer: "西畴县科学技术局",
  issuedOn: "2026-03-02",
  effectiveOn: "",
  summary: "",
  body: "## 一、谁来申请\n\n卖方申请。\n\n<script>alert('x')</script>\n\n[点我](javascript:alert(1)) · [科技部](https://www.most.gov.cn/)",
};

beforeAll(async () => {
  await pages.init();
  bureau = await pages.person("bureau@xichou.gov.cn", ["bureau"], "西畴县科学技术局");
  admin = await pages.person("admin@chengguo.cn", ["admin"], null);
  seller = await pages.person("seller@wsu.cn", ["seller"], "文山学院");
  buyer = await pages.person("buyer@coop.cn", ["buyer"], "兴街镇合作社");
  token = (await createApiToken(CLI_ISSUER, { name: "州平台", roles: ["buyer"] })).token;
});

const json = async <T>(res: Response) => (await res.json()) as T;
type Refusal = { intent: string; reply: { error: Record<string, string[]>; initialValue: Record<string, string> } };
const api = (path: string, withToken = true) =>
  new Request(`http://localhost${path}`, { headers: withToken ? { Authorization: `Bearer ${token}` } : {} });
const idFrom = (location: string | null) => /\/bureau\/policies\/([a-f0-9]{24})\/edit/.exec(location ?? "")![1]!;

describe("the bureau's desk", () => {
  let id = "";

  it("refuses a form with bad fields, naming each, keeping what was typed — shown on the page", async () => {
    const res = await call(
      newPage.action,
      post("/bureau/policies/new", bureau, { ...FORM, title: "", docNumber: "第3号", issuedOn: "2026-02-30" }),
    );
    expect(res.status).toBe(400);
    const body = await json<Refusal>(res);
    expect(body.reply.error).toMatchObject({
      title: ["policies.errors.titleRequired"],
      docNumber: ["policies.errors.docNumber"],
      issuedOn: ["policies.errors.date"],
    });
    expect(body.reply.initialValue.body).toBe(FORM.body);
    const page = await renderPage(
      post("/bureau/policies/new", bureau, { ...FORM, title: "", docNumber: "第3号" }),
      newPage,
      "/bureau/policies/new",
      pages.csrf.token,
    );
    expect(page.status).toBe(400);
    expect(page.html).toContain("请填写标题");
    expect(page.html).toContain("发文字号格式应为");
    expect(page.html).toContain("西畴县科学技术局"); // the issuer as typed
    expect(await Policy.countDocuments()).toBe(0);
  });

  it("creates a draft (number tidied), audited; the draft is nowhere in public", async () => {
    const res = await call(newPage.action, post("/bureau/policies/new", bureau, FORM));
    expect(res.status).toBe(302);
    id = idFrom(res.headers.get("Location"));
    expect(res.headers.get("Location")).toContain("done=created");
    const doc = (await Policy.findById(id).lean())!;
    expect(doc).toMatchObject({ status: "draft", docNumber: "西科发〔2026〕3号", author: { name: bureau.name } });
    expect(await AuditEvent.countDocuments({ subjectType: "policy", subject: doc._id, action: "policy.created" })).toBe(1);

    expect((await call(detailPage.loader, get(`/policies/${id}`, null), { id })).status).toBe(404);
    expect((await call(detailPage.loader, get(`/policies/${id}`, seller), { id })).status).toBe(404);
    // the bureau previews it, marked as a draft
    const preview = await renderPage(get(`/policies/${id}`, bureau), detailPage, "/policies/:id", pages.csrf.token);
    expect(preview.html).toContain("草稿预览");
    const list = await json<{ items: unknown[] }>(await call(listPage.loader, get("/policies", null)));
    expect(list.items).toHaveLength(0);
  });

  it("attaches the official PDF (and refuses what is not a PDF or an image)", async () => {
    const bad = await call(
      editPage.action,
      pages.upload(
        `/bureau/policies/${id}/edit`,
        bureau,
        { name: "通知.exe", bytes: new TextEncoder().encode("MZ not a pdf") },
        { intent: "upload" },
      ),
      { id },
    );
    expect(bad.status).toBe(400);
    expect((await json<Refusal>(bad)).reply.error.attachments?.[0]).toContain("listingForm.attachments.invalidFile");
    const ok = await call(
      editPage.action,
      pages.upload(`/bureau/policies/${id}/edit`, bureau, { name: "登记通知.pdf", bytes: pdfBytes("official text") }, { intent: "upload" }),
      { id },
    );
    expect(ok.status).toBe(302);
    const doc = (await Policy.findById(id).lean())!;
    expect(doc.attachments.map((a) => a.filename)).toEqual(["登记通知.pdf"]);
    const fileId = String(doc.attachments[0]!._id);
    // not public while a draft
    expect((await call(filesRoute.loader, get(`/policies/${id}/files/${fileId}`, null), { id, fileId })).status).toBe(404);
    expect((await call(filesRoute.loader, get(`/policies/${id}/files/${fileId}`, bureau), { id, fileId })).status).toBe(200);
  });

  it("sellers and buyers are refused everywhere on the desk; anonymous readers are sent to log in", async () => {
    for (const who of [seller, buyer]) {
      expect((await call(bureauList.loader, get("/bureau/policies", who))).status).toBe(403);
      expect((await call(newPage.action, post("/bureau/policies/new", who, FORM))).status).toBe(403);
      expect((await call(editPage.action, post(`/bureau/policies/${id}/edit`, who, { intent: "publish" }), { id })).status).toBe(403);
      await expect(createPolicy({ ...who, roles: who.roles }, FORM)).rejects.toMatchObject({ status: 403 });
    }
    const anon = await call(bureauList.loader, get("/bureau/policies", null));
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toContain("/login");
    expect((await Policy.findById(id).lean())!.status).toBe("draft");
  });

  it("publishes; the public page renders the body safely with the attachment; list, home and API show it", async () => {
    const res = await call(editPage.action, post(`/bureau/policies/${id}/edit`, bureau, { intent: "publish" }), { id });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("done=published");
    const again = await call(editPage.action, post(`/bureau/policies/${id}/edit`, bureau, { intent: "publish" }), { id });
    expect(again.status).toBe(409);
    expect((await json<Refusal>(again)).reply.error[""]).toEqual(["policies.errors.notDraft"]);

    const page = await renderPage(get(`/policies/${id}`, null), detailPage, "/policies/:id", pages.csrf.token);
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h2>一、谁来申请</h2>");
    expect(page.html).toContain("西科发〔2026〕3号");
    expect(page.html).not.toContain("<script>alert");
    expect(page.html).toContain("&lt;script&gt;");
    // the refused link stays as words, never as a link
    expect(page.html).not.toMatch(/href="\s*javascript:/i);
    expect(page.html).toContain("点我");
    expect(page.html).toContain('href="https://www.most.gov.cn/"');
    expect(page.html).toContain("登记通知.pdf");
    const doc = (await Policy.findById(id).lean())!;
    const fileId = String(doc.attachments[0]!._id);
    const file = await call(filesRoute.loader, get(`/policies/${id}/files/${fileId}?download=1`, null), { id, fileId });
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("application/pdf");
    expect(file.headers.get("Content-Disposition")).toContain("attachment;");
    expect(Buffer.from(await file.arrayBuffer()).toString("latin1")).toContain("official text");

    const list = await renderPage(get("/policies", null), listPage, "/policies", pages.csrf.token);
    expect(list.html).toContain(FORM.title);
    const homeData = await json<{ policies: { title: string }[] }>(await call(home.loader, get("/", null)));
    expect(homeData.policies.map((p) => p.title)).toEqual([FORM.title]);

    const one = await call(apiPolicy.loader, api(`/api/v1/policies/${id}`), { id });
    expect(one.status).toBe(200);
    const body = await json<Record<string, unknown>>(one);
    expect(body).toMatchObject({ id, kind: "notice", docNumber: "西科发〔2026〕3号", issuer: "西畴县科学技术局", body: FORM.body });
    expect(String(body.html)).not.toContain("<script>");
    expect(body.attachments).toEqual([
      expect.objectContaining({ filename: "登记通知.pdf", contentType: "application/pdf", url: `/policies/${id}/files/${fileId}` }),
    ]);
  });

  it("corrects the published text; audited", async () => {
    const res = await call(
      editPage.action,
      post(`/bureau/policies/${id}/edit`, bureau, { ...FORM, intent: "save", summary: "按新办法办理登记。" }),
      { id },
    );
    expect(res.status).toBe(302);
    expect((await Policy.findById(id).lean())!).toMatchObject({ status: "published", summary: "按新办法办理登记。" });
    const bad = await call(editPage.action, post(`/bureau/policies/${id}/edit`, bureau, { ...FORM, intent: "save", issuer: "" }), { id });
    expect(bad.status).toBe(400);
    expect((await json<Refusal>(bad)).reply.error.issuer).toEqual(["policies.errors.issuerRequired"]);
    const page = await renderPage(get(`/bureau/policies/${id}/edit`, bureau), editPage, "/bureau/policies/:id/edit", pages.csrf.token);
    expect(page.html).toContain("创建草稿");
    expect(page.html).toContain("上传附件");
    expect(page.html).toContain("修改");
  });

  it("withdraws only with a reason; the old address says so (410) without the body; lists, files and API drop it", async () => {
    const noReason = await call(editPage.action, post(`/bureau/policies/${id}/edit`, bureau, { intent: "withdraw", reason: " " }), { id });
    expect(noReason.status).toBe(400);
    expect((await json<Refusal>(noReason)).reply.error.reason).toEqual(["policies.errors.reasonRequired"]);
    const res = await call(
      editPage.action,
      post(`/bureau/policies/${id}/edit`, admin, { intent: "withdraw", reason: "办理地点有误，将重新发布" }),
      { id },
    );
    expect(res.status).toBe(302);
    const doc = (await Policy.findById(id).lean())!;
    expect(doc).toMatchObject({ status: "withdrawn", withdrawReason: "办理地点有误，将重新发布" });
    expect(await AuditEvent.findOne({ subject: doc._id, action: "policy.withdrawn" }).lean()).toMatchObject({
      from: "published",
      to: "withdrawn",
      actorName: admin.name,
      reason: "办理地点有误，将重新发布",
    });

    const page = await renderPage(get(`/policies/${id}`, null), detailPage, "/policies/:id", pages.csrf.token);
    expect(page.status).toBe(410);
    expect(page.html).toContain("本文件已于");
    expect(page.html).toContain("办理地点有误，将重新发布");
    expect(page.html).not.toContain("谁来申请");
    expect(page.html).not.toContain("登记通知.pdf");
    const fileId = String(doc.attachments[0]!._id);
    expect((await call(filesRoute.loader, get(`/policies/${id}/files/${fileId}`, null), { id, fileId })).status).toBe(404);
    expect((await json<{ items: unknown[] }>(await call(listPage.loader, get("/policies", null)))).items).toHaveLength(0);
    expect((await call(apiPolicy.loader, api(`/api/v1/policies/${id}`), { id })).status).toBe(404);
    // final: no more edits
    const edit = await call(editPage.action, post(`/bureau/policies/${id}/edit`, bureau, { ...FORM, intent: "save" }), { id });
    expect(edit.status).toBe(409);
  });
});

describe("public list and API", () => {
  beforeAll(async () => {
    // 12 published (8 notices, 4 policies), one a day, and a draft.
    for (let i = 1; i <= 12; i++) {
      const kind = i % 3 === 0 ? "policy" : "notice";
      const pid = await createPolicy(bureau, { kind, title: `文件${i}`, issuer: "西畴县科学技术局", body: `正文${i}` });
      await publishPolicy(bureau, pid, { at: new Date(Date.UTC(2026, 5, i)) });
    }
    await createPolicy(bureau, { kind: "notice", title: "未发布草稿", issuer: "西畴县科学技术局", body: "草稿" });
  });

  it("lists newest first, 10 a page, filtered by kind; a bad kind is a 400", async () => {
    const p1 = await json<{ items: { title: string }[]; pageCount: number; total: number }>(
      await call(listPage.loader, get("/policies", null)),
    );
    expect(p1.total).toBe(12);
    expect(p1.pageCount).toBe(2);
    expect(p1.items.map((i) => i.title).slice(0, 3)).toEqual(["文件12", "文件11", "文件10"]);
    const p2 = await json<{ items: { title: string }[] }>(await call(listPage.loader, get("/policies?page=2", null)));
    expect(p2.items.map((i) => i.title)).toEqual(["文件2", "文件1"]);
    const policies = await json<{ items: { title: string; kind: string }[] }>(
      await call(listPage.loader, get("/policies?kind=policy", null)),
    );
    expect(policies.items.map((i) => i.title)).toEqual(["文件12", "文件9", "文件6", "文件3"]);
    expect((await call(listPage.loader, get("/policies?kind=law", null))).status).toBe(400);
    const html = (await renderPage(get("/policies?kind=notice", null), listPage, "/policies", pages.csrf.token)).html;
    expect(html).toContain("文件11");
    expect(html).not.toContain("文件12");
    expect(html).not.toContain("未发布草稿");
  });

  it("the home page shows the newest five", async () => {
    const homeData = await json<{ policies: { title: string }[] }>(await call(home.loader, get("/", null)));
    expect(homeData.policies.map((p) => p.title)).toEqual(["文件12", "文件11", "文件10", "文件9", "文件8"]);
  });

  it("GET /api/v1/policies: published only, kind filter, paging; unknown parameters and no token refused", async () => {
    const res = await call(apiPolicies.loader, api("/api/v1/policies?kind=notice"));
    expect(res.status).toBe(200);
    const body = await json<{ total: number; policies: { title: string; kind: string; body: string; url: string }[] }>(res);
    expect(body.total).toBe(8);
    expect(body.policies[0]).toMatchObject({ title: "文件11", kind: "notice", body: "正文11" });
    expect(body.policies.every((p) => p.kind === "notice")).toBe(true);
    const page2 = await json<{ page: number; policies: unknown[] }>(await call(apiPolicies.loader, api("/api/v1/policies?page=2")));
    expect(page2).toMatchObject({ page: 2 });
    expect(page2.policies).toHaveLength(2);
    const bad = await call(apiPolicies.loader, api("/api/v1/policies?kind=law&status=draft"));
    expect(bad.status).toBe(400);
    const err = await json<{ error: { code: string; fields: Record<string, string[]> } }>(bad);
    expect(err.error.code).toBe("invalid_request");
    expect(Object.keys(err.error.fields).sort()).toEqual(["kind", "status"]);
    expect((await call(apiPolicies.loader, api("/api/v1/policies", false))).status).toBe(401);
    expect((await call(apiPolicy.loader, api("/api/v1/policies/nonsense"), { id: "nonsense" })).status).toBe(404);
  });
});

describe("demo seeds", () => {
  it("load the demo documents once: a draft, a withdrawn notice, the rest published with real document numbers", async () => {
    await pages.person("bureau@demo.chengguo.cn", ["bureau"], "西畴县科学技术局");
    await seedDemoPolicies();
    await seedDemoPolicies();
    const docs = await Policy.find({ seedKey: { $exists: true } }).lean();
    expect(docs).toHaveLength(DEMO_POLICIES.length);
    const byKey = new Map(docs.map((d) => [d.seedKey, d]));
    expect(byKey.get("county-plan-2019")).toMatchObject({ status: "published", docNumber: "西政办发〔2019〕114号" });
    expect(byKey.get("state-council-2016-16")).toMatchObject({ status: "published", docNumber: "国发〔2016〕16号" });
    expect(byKey.get("law-2015")).toMatchObject({ status: "published", effectiveOn: "2015-10-01" });
    expect(byKey.get("registration-rules-2026")).toMatchObject({ status: "draft", effectiveOn: "2026-03-01" });
    expect(byKey.get("notice-registration-2025")).toMatchObject({ status: "withdrawn" });
    expect(docs.filter((d) => d.kind === "notice" && d.status === "published")).toHaveLength(2);
  });
});
