import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { attachmentErrors, mainFormReply, type ListingFormResult } from "~/components/listing-form/form-result.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import * as editAchievement from "~/routes/achievements.$id_.edit.tsx";
import * as newAchievement from "~/routes/achievements.new.tsx";
import * as attachmentRoute from "~/routes/attachments.$id.tsx";
import * as editDemand from "~/routes/demands.$id_.edit.tsx";
import * as newDemand from "~/routes/demands.new.tsx";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import { createSession, getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { addAttachment } from "~/services/files/attachments.server.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import type { Role } from "~/utils/permissions.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { csrfProtection } from "~/web/forms.server.ts";
import { parseFormMessage } from "~/utils/messages.ts";

/**
 * The create and edit pages through their real loaders and actions, as a browser without
 * JavaScript uses them: a signed session cookie, the CSRF token, urlencoded and multipart posts.
 * Asserted is what the person gets back: where they are sent, which errors show next to which
 * field, what is kept of what they typed, and what is stored. One long file because the create
 * and edit pages of both kinds share one form and one set of people, and are tested side by side.
 */

const BASE = "http://localhost";
type Args = { request: Request; params: Record<string, string>; context: { clientIp: string } };
type Handler = (a: Args) => Promise<Response>;
const h = (fn: unknown) => fn as Handler;

let csrf: { token: string; cookie: string };

async function sessionCookie(user: SessionUser): Promise<string> {
  const storage = sessionStorage();
  const session = await storage.getSession();
  session.set(SESSION_ID_KEY, await createSession(user.id));
  return (await storage.commitSession(session)).split(";")[0]!;
}

const cookies = new Map<string, string>();
async function person(email: string, roles: Role[], org: string | null): Promise<SessionUser> {
  const organization = org ? await upsertOrganization({ name: org, type: "institute", region: "532623" }) : null;
  const doc = await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization });
  const u = (await getSessionUserById(String(doc._id)))!;
  cookies.set(u.id, await sessionCookie(u));
  return u;
}
const cookieOf = (u: SessionUser | null) => [u ? cookies.get(u.id) : null, csrf.cookie].filter(Boolean).join("; ");

function get(path: string, user: SessionUser | null): Request {
  return new Request(BASE + path, { headers: { Cookie: cookieOf(user) } });
}

function post(path: string, user: SessionUser | null, fields: Record<string, string | string[]>, opts: { csrf?: boolean } = {}): Request {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) body.append(k, x);
  if (opts.csrf !== false) body.set("csrf", csrf.token);
  return new Request(BASE + path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookieOf(user) },
    body,
  });
}

function upload(path: string, user: SessionUser, parts: { kind?: string; files: File[]; csrf?: string }): Request {
  const fd = new FormData();
  fd.set("csrf", parts.csrf ?? csrf.token);
  fd.set("intent", "upload");
  fd.set("kind", parts.kind ?? "test-report");
  for (const f of parts.files) fd.append("file", f);
  return new Request(BASE + path, { method: "POST", headers: { Cookie: cookieOf(user) }, body: fd });
}

/** A loader/action's answer, or the Response it threw (404, 403, redirects to login). */
async function call(fn: unknown, request: Request, params: Record<string, string> = {}): Promise<Response> {
  try {
    return await h(fn)({ request, params, context: { clientIp: "127.0.0.1" } });
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

interface Reply {
  form?: { status?: string; error?: Record<string, string[] | null>; initialValue?: Record<string, unknown> };
  towns?: { county: string; towns: { code: string; name: string }[] };
  upload?: Record<string, string[]>;
}
/** The form pages' answer (the one action-result shape) as the page reads it: the main form's reply, the towns, the attachment errors. */
const replyOf = async (res: Response): Promise<Reply> => {
  const data = (await res.json()) as ListingFormResult;
  return { form: mainFormReply(data), towns: data.towns, upload: attachmentErrors(data) } as Reply;
};
const keys = (messages: string[] | null | undefined) => (messages ?? []).map((m) => parseFormMessage(m).key);
const idFrom = (location: string | null) => /\/(?:achievements|demands)\/([0-9a-f]{24})/.exec(location ?? "")![1]!;

function makePdf() {
  return Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "latin1");
}

let seller: SessionUser, colleague: SessionUser, otherSeller: SessionUser, buyer: SessionUser, broker: SessionUser;

beforeAll(async () => {
  const [token, cookie] = await csrfProtection().commitToken();
  csrf = { token, cookie: cookie!.split(";")[0]! };
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  colleague = await person("colleague@wsu.cn", ["seller"], "文山学院");
  otherSeller = await person("other@yaas.cn", ["seller"], "云南省农业科学院");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
});

const achievementForm: Record<string, string | string[]> = {
  title: "三七根腐病生物防治菌剂",
  summary: "拮抗菌复配菌剂，田间防效 72%。",
  description: "针对三七连作根腐病的微生物菌剂及施用技术。",
  field: "plateau-agriculture",
  keywords: "三七，根腐病、生物防治",
  ipType: "invention-patent",
  patentNumbers: "ZL201910123456.X",
  trl: "6",
  transactionModes: ["transfer", "license"],
  licenseExclusivity: "sole",
  priceMode: "fixed",
  priceAmount: "380000.5",
  inventors: "张教授 60%\n李老师 40%",
  region: "532623",
  town: "532623102",
  expiresAt: "2099-12-31",
};

describe("/achievements/new", () => {
  it("is for sellers: others are refused, visitors are sent to log in", async () => {
    expect((await call(newAchievement.loader, get("/achievements/new", buyer))).status).toBe(403);
    const anon = await call(newAchievement.loader, get("/achievements/new", null));
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toBe("/login?redirectTo=%2Fachievements%2Fnew");
    expect((await call(newAchievement.action, post("/achievements/new", buyer, achievementForm))).status).toBe(403);
  });

  it("offers Yunnan's counties by prefecture, 西畴县 preselected with its nine towns", async () => {
    const data = await (await call(newAchievement.loader, get("/achievements/new", seller))).json();
    const wenshan = data.regions.find((g: { name: string }) => g.name === "文山壮族苗族自治州");
    expect(wenshan.counties.map((c: { name: string }) => c.name)).toContain("西畴县");
    expect(data.regions).toHaveLength(16);
    expect(data.defaults.region).toBe("532623");
    expect(data.towns.county).toBe("532623");
    expect(data.towns.towns.map((t: { name: string }) => t.name)).toEqual([
      "西洒镇",
      "兴街镇",
      "蚌谷乡",
      "莲花塘乡",
      "新马街乡",
      "柏林乡",
      "法斗乡",
      "董马乡",
      "鸡街乡",
    ]);
    // The town picker asks for another county's towns through the same loader.
    const other = await (await call(newAchievement.loader, get("/achievements/new?county=532601", seller))).json();
    expect(other.towns.county).toBe("532601");
    expect(other.towns.towns.length).toBeGreaterThan(5);
  });

  it("saves a draft in fen and goes to its page", async () => {
    const res = await call(newAchievement.action, post("/achievements/new", seller, { ...achievementForm, intent: "save" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/achievements\/[0-9a-f]{24}\?done=saved$/);
    const stored = (await Achievement.findById(idFrom(res.headers.get("Location"))).lean())!;
    expect(stored).toMatchObject({
      status: "draft",
      price: { mode: "fixed", amount: 38_000_050 },
      keywords: ["三七", "根腐病", "生物防治"],
      patentNumbers: ["ZL201910123456.X"],
      licenseExclusivity: ["sole"],
      region: "532623102",
      regionName: "云南省文山壮族苗族自治州西畴县兴街镇",
      ownerName: "文山学院",
    });
    expect(stored.inventors).toEqual([
      { name: "张教授", share: 60 },
      { name: "李老师", share: 40 },
    ]);
    expect(stored.expiresAt!.toISOString()).toBe("2099-12-31T15:59:59.999Z");
  });

  it("saves and submits for review with the second button", async () => {
    const res = await call(newAchievement.action, post("/achievements/new", seller, { ...achievementForm, intent: "submit" }));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/\?done=submit$/);
    expect((await Achievement.findById(idFrom(res.headers.get("Location"))).lean())!.status).toBe("submitted");
  });

  it("answers a wrong patent check character with 400, the error under the patent field, and keeps what was typed", async () => {
    const before = await Achievement.countDocuments();
    const res = await call(
      newAchievement.action,
      post("/achievements/new", seller, { ...achievementForm, patentNumbers: "ZL201910123456.7", priceAmount: "", intent: "save" }),
    );
    expect(res.status).toBe(400);
    const reply = await replyOf(res);
    expect(reply.form!.error).toEqual({
      patentNumbers: ["listingForm.errors.patentCheck?number=ZL201910123456.7"],
      priceAmount: ["errors.priceRequired"],
    });
    expect(reply.form!.initialValue).toMatchObject({ title: achievementForm.title, patentNumbers: "ZL201910123456.7", town: "532623102" });
    expect(reply.towns!.county).toBe("532623");
    expect(await Achievement.countDocuments()).toBe(before);
  });

  it("refuses a region code that does not exist", async () => {
    const res = await call(newAchievement.action, post("/achievements/new", seller, { ...achievementForm, region: "539999", town: "" }));
    expect(res.status).toBe(400);
    expect((await replyOf(res)).form!.error).toEqual({ region: ["errors.regionUnknown"] });
  });

  it("reloads the towns of another county without saving (the no-JavaScript town picker)", async () => {
    const before = await Achievement.countDocuments();
    const res = await call(
      newAchievement.action,
      post("/achievements/new", seller, { ...achievementForm, title: "", region: "532601", intent: "refreshTowns" }),
    );
    expect(res.status).toBe(200);
    const reply = await replyOf(res);
    expect(reply.towns!.county).toBe("532601");
    expect(reply.towns!.towns.every((t) => t.code.startsWith("532601"))).toBe(true);
    expect(reply.form!.error ?? {}).toEqual({});
    expect(reply.form!.initialValue).toMatchObject({ region: "532601", summary: achievementForm.summary });
    expect(await Achievement.countDocuments()).toBe(before);
  });

  it("refuses a post without the CSRF token", async () => {
    const res = await call(newAchievement.action, post("/achievements/new", seller, achievementForm, { csrf: false }));
    expect(res.status).toBe(403);
  });
});

const content: AchievementDataInput = {
  title: "三七种苗脱毒快繁技术",
  summary: "组织培养脱毒快繁。",
  description: "以三七茎尖为外植体，经热处理脱毒与组织培养快繁。",
  field: "plateau-agriculture",
  keywords: ["三七", "组培"],
  ipType: "software-copyright",
  trl: 5,
  transactionModes: ["license"],
  licenseExclusivity: ["exclusive", "non-exclusive"],
  price: { mode: "auction", amount: 12_345 },
  inventors: [{ name: "张教授", share: 70 }, { name: "王工" }],
  region: "532623205",
  fiscalFunding: { funded: true, project: "云南省重点研发计划" },
};

describe("/achievements/:id/edit", () => {
  it("fills the form with what is stored, in yuan and in the form's shapes", async () => {
    const id = await createAchievement(seller, content);
    const data = await (await call(editAchievement.loader, get(`/achievements/${id}/edit`, seller), { id })).json();
    expect(data.editable).toBe(true);
    expect(data.defaults).toMatchObject({
      keywords: "三七，组培",
      trl: "5",
      priceMode: "auction",
      priceAmount: "123.45",
      licenseExclusivity: ["exclusive", "non-exclusive"],
      inventors: "张教授 70%\n王工",
      region: "532623",
      town: "532623205",
      fiscalFunded: true,
      fiscalProject: "云南省重点研发计划",
    });
    expect(data.towns.county).toBe("532623");
  });

  it("is open to the owner's organisation, forbidden to other sellers, and 404 for unknown ids", async () => {
    const id = await createAchievement(seller, content);
    expect((await call(editAchievement.loader, get(`/achievements/${id}/edit`, colleague), { id })).status).toBe(200);
    // Another seller cannot even see a draft.
    expect((await call(editAchievement.loader, get(`/achievements/${id}/edit`, otherSeller), { id })).status).toBe(404);
    // A reviewer can see it, but it is not theirs to edit.
    const brokerSeller = await person("bs@agency2.cn", ["broker", "seller"], "另一服务中心");
    expect((await call(editAchievement.loader, get(`/achievements/${id}/edit`, brokerSeller), { id })).status).toBe(403);
    const res = await call(editAchievement.action, post(`/achievements/${id}/edit`, brokerSeller, { ...achievementForm, intent: "save" }), {
      id,
    });
    expect(res.status).toBe(403);
    const missing = new mongoose.Types.ObjectId().toHexString();
    expect((await call(editAchievement.loader, get(`/achievements/${missing}/edit`, seller), { id: missing })).status).toBe(404);
    expect((await call(editAchievement.loader, get(`/achievements/nonsense/edit`, seller), { id: "nonsense" })).status).toBe(404);
  });

  it("saves changes and maps core errors to the form's fields", async () => {
    const id = await createAchievement(seller, content);
    const res = await call(
      editAchievement.action,
      post(`/achievements/${id}/edit`, seller, { ...achievementForm, title: "三七种苗脱毒快繁技术（第二版）", intent: "save" }),
      { id },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/achievements/${id}?done=saved`);
    expect((await Achievement.findById(id).lean())!.title).toBe("三七种苗脱毒快繁技术（第二版）");
  });

  it("shows the rejection reason and lets the owner fix and resubmit", async () => {
    const id = await createAchievement(seller, content);
    await transitionListing(seller, "achievement", id, "submit");
    await transitionListing(broker, "achievement", id, "reject", { reason: "请补充第三方检测报告" });
    const data = await (await call(editAchievement.loader, get(`/achievements/${id}/edit`, seller), { id })).json();
    expect(data.item).toMatchObject({ status: "rejected", rejectionReason: "请补充第三方检测报告" });
    expect(data.editable).toBe(true);
    const res = await call(editAchievement.action, post(`/achievements/${id}/edit`, seller, { ...achievementForm, intent: "submit" }), {
      id,
    });
    expect(res.headers.get("Location")).toBe(`/achievements/${id}?done=submit`);
    expect((await Achievement.findById(id).lean())!.status).toBe("submitted");
  });

  it("does not edit an item under review: the page says so and a save is refused with 409", async () => {
    const id = await createAchievement(seller, content);
    await transitionListing(seller, "achievement", id, "submit");
    const data = await (await call(editAchievement.loader, get(`/achievements/${id}/edit`, seller), { id })).json();
    expect(data.editable).toBe(false);
    const res = await call(editAchievement.action, post(`/achievements/${id}/edit`, seller, { ...achievementForm, intent: "save" }), {
      id,
    });
    expect(res.status).toBe(409);
    expect((await replyOf(res)).form!.error).toMatchObject({ "": ["workflow.notEditable"] });
    expect((await Achievement.findById(id).lean())!.title).toBe(content.title);
  });
});

describe("evidence on the edit page", () => {
  it("uploads a PDF with a Chinese name, lists it and serves it inline to the owner only while a draft", async () => {
    const id = await createAchievement(seller, content);
    const pdf = makePdf();
    const res = await call(
      editAchievement.action,
      upload(`/achievements/${id}/edit`, seller, { files: [new File([pdf], "第三方检测报告.pdf", { type: "application/pdf" })] }),
      { id },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/achievements/${id}/edit?notice=attachmentAdded#attachments`);

    const data = await (await call(editAchievement.loader, get(`/achievements/${id}/edit`, seller), { id })).json();
    expect(data.item.attachments).toEqual([
      { id: expect.any(String), filename: "第三方检测报告.pdf", contentType: "application/pdf", size: pdf.length, kind: "test-report" },
    ]);
    const attachmentId = data.item.attachments[0].id;

    const file = await call(attachmentRoute.loader, get(`/attachments/${attachmentId}`, seller), { id: attachmentId });
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("application/pdf");
    expect(file.headers.get("Content-Disposition")).toBe(
      `inline; filename="_______.pdf"; filename*=UTF-8''${encodeURIComponent("第三方检测报告.pdf")}`,
    );
    expect(file.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);

    const download = await call(attachmentRoute.loader, get(`/attachments/${attachmentId}?download=1`, seller), { id: attachmentId });
    expect(download.headers.get("Content-Disposition")).toMatch(/^attachment; /);

    const stranger = await call(attachmentRoute.loader, get(`/attachments/${attachmentId}`, null), { id: attachmentId });
    expect(stranger.status).toBe(404);
    expect(await stranger.text()).toBe("未找到该材料，或您无权查看。");
    expect((await call(attachmentRoute.loader, get(`/attachments/${attachmentId}`, buyer), { id: attachmentId })).status).toBe(404);
  });

  it("refuses an 11 MB upload with 400 and the field error, storing nothing", async () => {
    const id = await createAchievement(seller, content);
    const big = Buffer.concat([makePdf(), Buffer.alloc(11 * 1024 * 1024, 0x20)]);
    const res = await call(
      editAchievement.action,
      upload(`/achievements/${id}/edit`, seller, { files: [new File([big], "big.pdf", { type: "application/pdf" })] }),
      { id },
    );
    expect(res.status).toBe(400);
    expect((await replyOf(res)).upload).toEqual({ attachments: ["listingForm.attachments.invalid"] });
    expect((await Achievement.findById(id).lean())!.attachments).toEqual([]);
    expect(await mongoose.connection.db!.collection("attachments.files").countDocuments({ filename: "big.pdf" })).toBe(0);
  });

  it("refuses a program disguised as a PDF, and an upload without a file", async () => {
    const id = await createAchievement(seller, content);
    const exe = new File([Buffer.from("MZ\x90\x00\x03\x00 this is a program", "latin1")], "report.pdf", { type: "application/pdf" });
    const res = await call(editAchievement.action, upload(`/achievements/${id}/edit`, seller, { files: [exe] }), { id });
    expect(res.status).toBe(400);
    expect(keys((await replyOf(res)).upload!.attachments)).toEqual(["listingForm.attachments.invalidFile"]);

    const empty = await call(
      editAchievement.action,
      upload(`/achievements/${id}/edit`, seller, { files: [new File([], "", { type: "application/octet-stream" })] }),
      { id },
    );
    expect(empty.status).toBe(400);
    expect((await replyOf(empty)).upload).toEqual({ attachments: ["listingForm.attachments.noFile"] });
  });

  it("refuses an upload with a wrong CSRF token and uploads by anyone but the owner", async () => {
    const id = await createAchievement(seller, content);
    const file = () => new File([makePdf()], "a.pdf", { type: "application/pdf" });
    expect(
      (await call(editAchievement.action, upload(`/achievements/${id}/edit`, seller, { files: [file()], csrf: "forged" }), { id })).status,
    ).toBe(403);
    expect((await call(editAchievement.action, upload(`/achievements/${id}/edit`, otherSeller, { files: [file()] }), { id })).status).toBe(
      404,
    );
    expect((await Achievement.findById(id).lean())!.attachments).toEqual([]);
  });

  it("deletes an attachment with its button", async () => {
    const id = await createAchievement(seller, content);
    const a = await addAttachment(seller, "achievement", id, { filename: "a.pdf", kind: "other", bytes: makePdf() });
    const refused = await call(
      editAchievement.action,
      post(`/achievements/${id}/edit`, otherSeller, { intent: "deleteAttachment", attachmentId: a.id }),
      { id },
    );
    expect(refused.status).toBe(404);
    const res = await call(
      editAchievement.action,
      post(`/achievements/${id}/edit`, seller, { intent: "deleteAttachment", attachmentId: a.id }),
      {
        id,
      },
    );
    expect(res.headers.get("Location")).toBe(`/achievements/${id}/edit?notice=attachmentRemoved#attachments`);
    expect((await Achievement.findById(id).lean())!.attachments).toEqual([]);
  });
});

const demandForm: Record<string, string | string[]> = {
  title: "三七烘干节能设备",
  description: "合作社每年烘干三七 200 吨，燃煤成本高，希望降低能耗并保证品质。",
  field: "advanced-manufacturing",
  keywords: "烘干 节能 三七",
  budgetMin: "50000",
  budgetMax: "300000",
  transactionModes: ["cooperation", "transfer"],
  minTrl: "6",
  deadline: "2099-06-30",
  region: "532623",
  town: "532623102",
};

describe("/demands/new and /demands/:id/edit", () => {
  it("are for buyers", async () => {
    expect((await call(newDemand.loader, get("/demands/new", seller))).status).toBe(403);
    expect((await call(newDemand.loader, get("/demands/new", buyer))).status).toBe(200);
  });

  it("save a demand with its budget in fen, and edit it", async () => {
    const res = await call(newDemand.action, post("/demands/new", buyer, { ...demandForm, intent: "save" }));
    expect(res.status).toBe(302);
    const id = idFrom(res.headers.get("Location"));
    expect(res.headers.get("Location")).toBe(`/demands/${id}?done=saved`);
    expect((await Demand.findById(id).lean())!).toMatchObject({
      status: "draft",
      budget: { min: 5_000_000, max: 30_000_000 },
      minTrl: 6,
      region: "532623102",
      keywords: ["烘干", "节能", "三七"],
      enterpriseName: "兴街镇三七种植专业合作社",
    });

    const data = await (await call(editDemand.loader, get(`/demands/${id}/edit`, buyer), { id })).json();
    expect(data.defaults).toMatchObject({
      budgetMin: "50000",
      budgetMax: "300000",
      deadline: "2099-06-30",
      minTrl: "6",
      town: "532623102",
    });

    const bad = await call(editDemand.action, post(`/demands/${id}/edit`, buyer, { ...demandForm, budgetMin: "500000", intent: "save" }), {
      id,
    });
    expect(bad.status).toBe(400);
    expect((await replyOf(bad)).form!.error).toEqual({ budgetMax: ["errors.budgetOrder"] });

    const ok = await call(
      editDemand.action,
      post(`/demands/${id}/edit`, buyer, { ...demandForm, budgetMin: "", budgetMax: "", intent: "submit" }),
      {
        id,
      },
    );
    expect(ok.headers.get("Location")).toBe(`/demands/${id}?done=submit`);
    expect((await Demand.findById(id).lean())!).toMatchObject({ status: "submitted", budget: {} });
  });
});
