import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { CommissionerActivity } from "~/models/commissioner-activity.server.ts";
import { CommissionerAssignment } from "~/models/commissioner-assignment.server.ts";
import { Commissioner } from "~/models/commissioner.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { Registration } from "~/models/registration.server.ts";
import * as commissionerPage from "~/routes/bureau.commissioners.$id.tsx";
import * as registryPage from "~/routes/bureau.commissioners._index.tsx";
import * as csvRoute from "~/routes/bureau.evaluation[.]csv.ts";
import * as evaluationPage from "~/routes/bureau.evaluation.tsx";
import * as myCommissioner from "~/routes/my.commissioner.ts";
import * as apiEvaluation from "~/routes/api.v1.evaluation.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { logActivity } from "~/services/commissioners/activity.server.ts";
import { addAssignment } from "~/services/commissioners/assignments.server.ts";
import { currentYear, dispatchProgress } from "~/services/commissioners/queries.server.ts";
import { createCommissioner } from "~/services/commissioners/registry.server.ts";
import { csvText } from "~/utils/csv.server.ts";
import { scorecard } from "~/services/evaluation/scorecards.server.ts";
import { oid } from "~/services/kernel/ids.server.ts";
import { seedDemoCommissioners } from "../../seeds/demo-commissioners.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * Issue 15, points 6 and 7 through the routes' real loaders and actions: the registry of 科技特派员
 * (field errors, edit, removal, audit), the year's dispatch against the target, the activity log
 * (the bureau's and the commissioner's own), role checks, and the scorecards on a small set of
 * records whose scores are worked out by hand below — with the ranking turning when the weights
 * change, the formula on the page, and the CSV (BOM, formulas neutralised).
 */
const pages = pageRequests();
const { get, post, call } = pages;
let bureau: SessionUser, admin: SessionUser, seller: SessionUser, liu: SessionUser, broker: SessionUser;

type Refusal = { reply: { error: Record<string, string[]> } };
const errorsOf = async (res: Response) => ((await res.json()) as Refusal).reply.error;
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
const page = (user: SessionUser, path: string, mod: Parameters<typeof renderPage>[1], route: string) =>
  renderPage(get(path, user), mod, route, pages.csrf.token);

beforeAll(async () => {
  await pages.init();
  bureau = await pages.person("bureau@xichou.gov.cn", ["bureau"], null);
  admin = await pages.person("admin@chengguo.cn", ["admin"], null);
  seller = await pages.person("seller@wsu.cn", ["seller"], "文山学院");
  liu = await pages.person("liu@yaas.cn", ["seller"], "云南省农业科学院");
  broker = await pages.person("broker@agency.cn", ["broker"], "服务中心");
});

describe("the registry", () => {
  let id: string;

  it("refuses a form with each bad field named, then adds the commissioner (audited)", async () => {
    const bad = await call(
      registryPage.action,
      post("/bureau/commissioners", bureau, {
        intent: "create",
        name: " ",
        unit: "",
        field: "astrology",
        phone: "12345",
        userEmail: "nobody@x.cn",
      }),
    );
    expect(bad.status).toBe(400);
    const errors = await errorsOf(bad);
    expect(errors.name).toEqual(["commissioners.errors.name"]);
    expect(errors.unit).toEqual(["commissioners.errors.unit"]);
    expect(errors.field).toEqual(["commissioners.errors.field"]);
    expect(errors.phone).toEqual(["commissioners.errors.phone"]);

    const unknownAccount = await call(
      registryPage.action,
      post("/bureau/commissioners", bureau, {
        intent: "create",
        name: "刘建华",
        unit: "云南省农业科学院",
        field: "plateau-agriculture",
        userEmail: "nobody@x.cn",
      }),
    );
    expect(unknownAccount.status).toBe(400);
    expect((await errorsOf(unknownAccount)).userEmail).toEqual(["commissioners.errors.userUnknown"]);

    const ok = await call(
      registryPage.action,
      post("/bureau/commissioners", bureau, {
        intent: "create",
        name: "刘建华",
        unit: "云南省农业科学院",
        field: "plateau-agriculture",
        phone: "138 1234 5678",
        userEmail: "liu@yaas.cn",
      }),
    );
    expect(ok.status).toBe(302);
    const location = ok.headers.get("Location")!;
    expect(location).toMatch(/^\/bureau\/commissioners\/[a-f0-9]{24}\?done=created$/);
    id = location.split("/")[3]!.split("?")[0]!;
    const stored = await Commissioner.findById(id).lean();
    expect(stored).toMatchObject({ name: "刘建华", unit: "云南省农业科学院", field: "plateau-agriculture", phone: "13812345678" });
    expect(String(stored!.user)).toBe(liu.id);
    expect(await AuditEvent.countDocuments({ subjectType: "commissioner", subject: oid(id), action: "create" })).toBe(1);

    // A second entry cannot take the same account.
    const taken = await call(
      registryPage.action,
      post("/bureau/commissioners", bureau, { intent: "create", name: "刘二", unit: "某单位", field: "other", userEmail: "liu@yaas.cn" }),
    );
    expect(taken.status).toBe(400);
    expect((await errorsOf(taken)).userEmail).toEqual(["commissioners.errors.userTaken"]);
  });

  it("edits an entry; the list shows it with its phone to the bureau", async () => {
    const bad = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, bureau, { intent: "edit", name: "刘建华", unit: "", field: "other" }),
      { id },
    );
    expect(bad.status).toBe(400);
    expect(Object.keys(await errorsOf(bad))).toEqual(["unit"]);
    const ok = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, bureau, {
        intent: "edit",
        name: "刘建华",
        unit: "云南省农业科学院经济作物研究所",
        field: "plateau-agriculture",
        phone: "0876-2123456",
        userEmail: "liu@yaas.cn",
      }),
      { id },
    );
    expect(ok.headers.get("Location")).toBe(`/bureau/commissioners/${id}?done=saved`);
    const list = await page(bureau, "/bureau/commissioners", registryPage, "/bureau/commissioners");
    expect(list.status).toBe(200);
    expect(text(list.html)).toContain("云南省农业科学院经济作物研究所");
    expect(text(list.html)).toContain("0876-2123456");
    expect(await AuditEvent.countDocuments({ subjectType: "commissioner", subject: oid(id), action: "edit" })).toBe(1);
  });

  it("removes an entry without activity, and refuses to remove one with activity", async () => {
    const spare = await createCommissioner(bureau, { name: "郑凯", unit: "文山州林业和草原科学研究所", field: "eco-environment" });
    await addAssignment(bureau, spare, { year: "2025", targetType: "village", placeName: "董马乡董马村", town: "532623206" });
    const removed = await call(commissionerPage.action, post(`/bureau/commissioners/${spare}`, bureau, { intent: "remove" }), {
      id: spare,
    });
    expect(removed.headers.get("Location")).toBe("/bureau/commissioners?done=removed");
    expect(await Commissioner.exists({ _id: spare })).toBeNull();

    await logActivity(bureau, id, { kind: "advice", date: "2025-04-02", town: "532623102", peopleReached: "3" });
    const refused = await call(commissionerPage.action, post(`/bureau/commissioners/${id}`, bureau, { intent: "remove" }), { id });
    expect(refused.status).toBe(409);
    expect((await errorsOf(refused))[""]).toEqual(["commissioners.errors.hasActivity"]);
  });

  it("keeps the registry to the bureau and admins; a commissioner sees only their own entry", async () => {
    const sellerList = await call(registryPage.loader, get("/bureau/commissioners", seller));
    expect(sellerList.status).toBe(403);
    const sellerPost = await call(
      registryPage.action,
      post("/bureau/commissioners", seller, { intent: "create", name: "x", unit: "y", field: "other" }),
    );
    expect(sellerPost.status).toBe(403);
    expect((await page(admin, "/bureau/commissioners", registryPage, "/bureau/commissioners")).status).toBe(200);
    expect((await call(commissionerPage.loader, get(`/bureau/commissioners/${id}`, seller), { id })).status).toBe(403);

    // 刘建华's own account: their page without the phone, and no assignment form.
    const own = await renderPage(get(`/bureau/commissioners/${id}`, liu), commissionerPage, "/bureau/commissioners/:id", pages.csrf.token);
    expect(own.status).toBe(200);
    expect(text(own.html)).toContain("刘建华");
    expect(own.html).not.toContain("0876-2123456");
    expect(own.html).not.toContain('data-testid="assignment-form"');
    expect(own.html).toContain('data-testid="activity-form"');
    const assign = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, liu, {
        intent: "assign",
        year: "2025",
        targetType: "village",
        placeName: "某村",
        town: "532623101",
      }),
      { id },
    );
    expect(assign.status).toBe(403);
    const mine = await call(myCommissioner.loader, get("/my/commissioner", liu));
    expect(mine.headers.get("Location")).toBe(`/bureau/commissioners/${id}`);
    expect((await call(myCommissioner.loader, get("/my/commissioner", seller))).status).toBe(404);
  });

  it("logs activity: the bureau's and the commissioner's own, with bad entries refused field by field", async () => {
    const bad = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, liu, {
        intent: "activity",
        kind: "party",
        date: "2025-02-30",
        town: "532623999",
        peopleReached: "-4",
      }),
      { id },
    );
    expect(bad.status).toBe(400);
    const errors = await errorsOf(bad);
    expect(errors.kind).toEqual(["commissioners.errors.kind"]);
    expect(errors.date).toEqual(["commissioners.errors.date"]);
    expect(errors.peopleReached).toEqual(["commissioners.errors.peopleReached"]);
    const unknownTown = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, liu, {
        intent: "activity",
        kind: "training",
        date: "2099-01-01",
        town: "532623999",
        peopleReached: "4",
      }),
      { id },
    );
    expect(unknownTown.status).toBe(400);
    expect(await errorsOf(unknownTown)).toMatchObject({ town: ["commissioners.errors.town"], date: ["commissioners.errors.dateFuture"] });

    const own = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, liu, {
        intent: "activity",
        kind: "training",
        date: "2025-05-10",
        town: "532623101",
        peopleReached: "30",
        note: "三七病害绿色防控培训",
      }),
      { id },
    );
    expect(own.headers.get("Location")).toBe(`/bureau/commissioners/${id}?done=logged#activity`);
    const byBureau = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, bureau, {
        intent: "activity",
        kind: "trial",
        date: "2025-06-01",
        town: "532623101",
        peopleReached: "20",
      }),
      { id },
    );
    expect(byBureau.status).toBe(302);
    const detail = text((await page(bureau, `/bureau/commissioners/${id}`, commissionerPage, "/bureau/commissioners/:id")).html);
    expect(detail).toContain("三七病害绿色防控培训");
    expect(detail).toContain("西畴县西洒镇");
    expect(detail).toContain("试验示范");
    expect(detail).toContain("本人填报");
    const list = text((await page(bureau, "/bureau/commissioners?year=2025", registryPage, "/bureau/commissioners")).html);
    // 2025: three entries (3 + 30 + 20 people).
    expect(list).toContain(
      "刘建华 工作单位 云南省农业科学院经济作物研究所 专业领域 高原特色现代农业 2025 年派驻对象 未派驻 服务次数 3 服务人次 53",
    );
  });

  it("lets the bureau take back an entry made in error; the commissioner cannot", async () => {
    const wrong = await logActivity(liu, id, { kind: "advice", date: "2025-07-01", town: "532623205", peopleReached: "999" });
    const byLiu = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, liu, { intent: "removeActivity", activityId: wrong }),
      { id },
    );
    expect(byLiu.status).toBe(403);
    const ok = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, bureau, { intent: "removeActivity", activityId: wrong }),
      { id },
    );
    expect(ok.headers.get("Location")).toBe(`/bureau/commissioners/${id}?done=activityRemoved#activity`);
    expect(await CommissionerActivity.exists({ _id: wrong })).toBeNull();
    expect(
      await AuditEvent.countDocuments({ subjectType: "commissioner", subject: oid(id), action: "activityRemoved", reason: /999人/ }),
    ).toBe(1);
  });

  it("counts the year's dispatched commissioners against the target", async () => {
    const wang = await createCommissioner(bureau, { name: "王志强", unit: "文山三七研究院", field: "biomedicine" });
    await createCommissioner(bureau, { name: "吴春兰", unit: "云南省农业科学院", field: "plateau-agriculture" });
    const org = await Organization.create({ name: "西畴县兴街镇三七种植专业合作社", type: "enterprise", region: "532623102" });

    const badAssign = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, bureau, { intent: "assign", year: "25", targetType: "farm" }),
      { id },
    );
    expect(badAssign.status).toBe(400);
    expect(await errorsOf(badAssign)).toMatchObject({
      year: ["commissioners.errors.year"],
      targetType: ["commissioners.errors.targetType"],
      placeName: ["commissioners.errors.placeOrOrganization"],
      town: ["commissioners.errors.town"],
    });
    // 刘建华: two assignments in 2025 (an organisation, whose town comes from its region, and a village); 王志强 one; 吴春兰 none.
    const toOrg = await call(
      commissionerPage.action,
      post(`/bureau/commissioners/${id}`, bureau, {
        intent: "assign",
        year: "2025",
        targetType: "cooperative",
        organizationId: String(org._id),
      }),
      { id },
    );
    expect(toOrg.headers.get("Location")).toBe(`/bureau/commissioners/${id}?done=assigned#assignments`);
    await addAssignment(bureau, id, { year: "2025", targetType: "village", placeName: "西洒镇岩头村", town: "532623101" });
    await addAssignment(bureau, wang, { year: "2025", targetType: "village", placeName: "兴街镇岩头村", town: "532623102" });
    await addAssignment(bureau, wang, { year: "2024", targetType: "village", placeName: "兴街镇岩头村", town: "532623102" });

    const detail = text((await page(bureau, `/bureau/commissioners/${id}`, commissionerPage, "/bureau/commissioners/:id")).html);
    expect(detail).toContain("2025 · 合作社 · 西畴县兴街镇三七种植专业合作社 所在乡镇 云南省文山壮族苗族自治州西畴县兴街镇");

    let list = await page(bureau, "/bureau/commissioners?year=2025", registryPage, "/bureau/commissioners");
    expect(text(list.html)).toContain("2025 年已派出 2 名，目标 100 名（2%）");
    expect(list.html).toMatch(/<progress[^>]*value="2"[^>]*max="100"/);
    expect(text((await page(bureau, "/bureau/commissioners?year=2024", registryPage, "/bureau/commissioners")).html)).toContain(
      "2024 年已派出 1 名，目标 100 名（1%）",
    );

    const badTarget = await call(
      registryPage.action,
      post("/bureau/commissioners?year=2025", bureau, { intent: "target", commissionerTarget: "0" }),
    );
    expect(badTarget.status).toBe(400);
    expect((await errorsOf(badTarget)).commissionerTarget).toEqual(["commissioners.errors.target"]);
    const target = await call(
      registryPage.action,
      post("/bureau/commissioners?index&year=2025", bureau, { intent: "target", commissionerTarget: "4" }),
    );
    expect(target.headers.get("Location")).toBe("/bureau/commissioners?year=2025&done=target");
    list = await page(bureau, "/bureau/commissioners?year=2025", registryPage, "/bureau/commissioners");
    expect(text(list.html)).toContain("2025 年已派出 2 名，目标 4 名（50%）");
    expect(
      (await call(registryPage.action, post("/bureau/commissioners", seller, { intent: "target", commissionerTarget: "5" }))).status,
    ).toBe(403);
  });
});

/**
 * The scorecards on a hand-made 2025 (the registry's records above belong to it too):
 * enterprise A (西洒镇) and B (兴街镇), a university C, an enterprise whose name is a formula.
 */
describe("scorecards", () => {
  const at = (d: string) => new Date(`${d}T10:00:00+08:00`);
  beforeAll(async () => {
    const [A, B, C] = await Organization.create([
      { name: "西洒镇甲企业", type: "enterprise", region: "532623101" },
      { name: "兴街镇乙企业", type: "enterprise", region: "532623102" },
      { name: "文山学院（丙）", type: "university", region: "532601" },
      { name: '=HYPERLINK("http://x")', type: "enterprise", region: "532623" },
    ]);
    const party = (o: { _id: unknown; name: string }) => ({ organization: o._id, name: o.name, organizationName: o.name });
    // Deals: D1 A buys from C (broker of record: the broker), D2 A's cancelled one, D3 B sells to C, D4 B sells to a person.
    const deals = await Deal.collection.insertMany([
      {
        status: "open",
        createdAt: at("2025-03-01"),
        buyer: party(A!),
        seller: party(C!),
        broker: { user: oid(broker.id), name: broker.name },
      },
      { status: "cancelled", createdAt: at("2025-03-02"), buyer: party(A!), seller: party(C!) },
      { status: "open", createdAt: at("2025-04-01"), buyer: party(C!), seller: party(B!) },
      { status: "open", createdAt: at("2025-05-01"), buyer: { name: "个人买方" }, seller: party(B!) },
      // Another year: not counted.
      { status: "open", createdAt: at("2024-12-31"), buyer: party(A!), seller: party(B!) },
    ]);
    // Rooms: one opened from a match (A with C, the broker invited), one from a listing (not a match).
    await DealRoom.collection.insertMany([
      {
        listing: oid("00000000000000000000a001"),
        origin: "match",
        createdAt: at("2025-02-10"),
        buyer: party(A!),
        seller: party(C!),
        brokers: [{ user: oid(broker.id), name: broker.name, invitedAt: at("2025-02-11") }],
      },
      {
        listing: oid("00000000000000000000a002"),
        origin: "listing",
        createdAt: at("2025-02-12"),
        buyer: party(A!),
        seller: party(C!),
        brokers: [],
      },
    ]);
    // Registrations: R1 C → A 123,000.00 yuan 技术交易额 (12.3 万元) on D1; R2 B → a person 50,000.00 yuan; R3 refused.
    await Registration.collection.insertMany([
      {
        status: "registered",
        year: 2025,
        deal: deals.insertedIds[0],
        technologyAmount: 12_300_000,
        seller: { organization: C!._id, region: "532601" },
        buyer: { organization: A!._id, region: "532623", town: "532623101" },
      },
      {
        status: "registered",
        year: 2025,
        technologyAmount: 5_000_000,
        seller: { organization: B!._id, region: "532623", town: "532623102" },
        buyer: { region: "532623" },
      },
      {
        status: "refused",
        year: 2025,
        technologyAmount: 99_000_000,
        seller: { organization: B!._id, region: "532623", town: "532623102" },
        buyer: { region: "532623" },
      },
    ]);
    // Listings: A one demand in 2025 (and one in 2024); B one achievement and two demands in 2025.
    await Demand.collection.insertMany([
      { enterprise: A!._id, region: "532623101", publishedAt: at("2025-02-01") },
      { enterprise: A!._id, region: "532623101", publishedAt: at("2024-06-01") },
      { enterprise: B!._id, region: "532623102", publishedAt: at("2025-07-01") },
      { enterprise: B!._id, region: "532623102", publishedAt: at("2025-08-01") },
    ]);
    await Achievement.collection.insertOne({ owner: B!._id, region: "532623102", publishedAt: at("2025-09-01") });
  });

  it("scores enterprises as worked out by hand, and the ranking turns with the weights", async () => {
    const card = await scorecard(bureau, "enterprise", 2025);
    const A = card.rows.find((r) => r.name === "西洒镇甲企业")!;
    const B = card.rows.find((r) => r.name === "兴街镇乙企业")!;
    // A: 12.3 万元, 1 deal (D2 cancelled), 1 match taken up, 1 listing, 1 demand → 0.4×12.3 + 0.3 + 0.1 + 0.1 + 0.1 = 5.52
    expect(A.values).toEqual({ registeredTechWan: 12.3, deals: 1, matchesTakenUp: 1, listings: 1, demands: 1 });
    expect(A.score).toBe(5.52);
    expect(A.formula).toBe(
      "0.4×登记技术交易额(万元) 12.3 + 0.3×成交数 1 + 0.1×匹配转洽谈数 1 + 0.1×发布成果与需求数 1 + 0.1×技术需求数 1 = 5.52",
    );
    // B: 5 万元 (R3 refused), 2 deals, 0 matches, 3 listings, 2 demands → 2 + 0.6 + 0.3 + 0.2 = 3.1
    expect(B.values).toEqual({ registeredTechWan: 5, deals: 2, matchesTakenUp: 0, listings: 3, demands: 2 });
    expect(B.score).toBe(3.1);
    expect(card.rows.map((r) => r.name).slice(0, 2)).toEqual(["西洒镇甲企业", "兴街镇乙企业"]);
    expect([A.rank, B.rank]).toEqual([1, 2]);

    // Weights on the page: a bad one is refused naming its field; then deals and listings only.
    const bad = await call(
      evaluationPage.action,
      post("/bureau/evaluation?year=2025&kind=enterprise", bureau, {
        intent: "weights",
        w_registeredTechWan: "0",
        w_deals: "abc",
        w_matchesTakenUp: "0",
        w_listings: "1",
        w_demands: "-1",
      }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys(await errorsOf(bad)).sort()).toEqual(["w_deals", "w_demands"]);
    const saved = await call(
      evaluationPage.action,
      post("/bureau/evaluation?year=2025&kind=enterprise", bureau, {
        intent: "weights",
        w_registeredTechWan: "0",
        w_deals: "1",
        w_matchesTakenUp: "0",
        w_listings: "1",
        w_demands: "0",
      }),
    );
    expect(saved.headers.get("Location")).toBe("/bureau/evaluation?year=2025&kind=enterprise&done=weights#ranking");
    const html = (await page(bureau, "/bureau/evaluation?year=2025&kind=enterprise", evaluationPage, "/bureau/evaluation")).html;
    const t = text(html);
    // A: 1 + 1 = 2; B: 2 + 3 = 5 → B first now.
    expect(t).toContain("得分 = 1×成交数 + 1×发布成果与需求数");
    expect(t).toContain("1×成交数 2 + 1×发布成果与需求数 3 = 5");
    expect(t).toContain("1×成交数 1 + 1×发布成果与需求数 1 = 2");
    expect(t.indexOf("兴街镇乙企业")).toBeLessThan(t.indexOf("西洒镇甲企业"));
    expect(t).toContain("排名 1 · 兴街镇乙企业 · 得分 5 登记技术交易额（万元） 5 成交数 2 匹配转洽谈数 0 发布成果与需求数 3 技术需求数 2");
    expect(t).toContain("排名 2 · 西洒镇甲企业 · 得分 2");
    expect(await AuditEvent.countDocuments({ subjectType: "settings", reason: /scorecardWeights\.enterprise\.deals 0\.3 → 1/ })).toBe(1);
    // The seller may not see or change it.
    expect((await call(evaluationPage.loader, get("/bureau/evaluation", seller))).status).toBe(403);
    expect((await call(evaluationPage.action, post("/bureau/evaluation?kind=enterprise", seller, { intent: "weights" }))).status).toBe(403);
    expect((await call(csvRoute.loader, get("/bureau/evaluation.csv?year=2025&kind=enterprise", seller))).status).toBe(403);
  });

  it("scores towns, commissioners and brokers as worked out by hand", async () => {
    const towns = await scorecard(bureau, "town", 2025);
    expect(towns.rows).toHaveLength(9); // every town of 西畴县
    const xisa = towns.rows.find((r) => r.id === "532623101")!;
    // 西洒镇: R1's buyer town 12.3 万元; D1; the match room; A's demand; 刘建华's two entries there (30 + 20 people).
    expect(xisa.values).toEqual({
      registeredTechWan: 12.3,
      deals: 1,
      matchesTakenUp: 1,
      listings: 1,
      demands: 1,
      commissionerActivities: 2,
      peopleReached: 50,
    });
    // 0.4×12.3 + 0.2×1 + 0.1×1 + 0.1×1 + 0.05×1 + 0.1×2 + 0.01×50 = 4.92 + 0.2 + 0.1 + 0.1 + 0.05 + 0.2 + 0.5
    expect(xisa.score).toBe(6.07);
    expect(xisa.rank).toBe(1);
    const xingjie = towns.rows.find((r) => r.id === "532623102")!;
    // 兴街镇: R2 5 万元; D3, D4; B's achievement and two demands; one advice entry (3 people) from the registry test.
    expect(xingjie.values).toEqual({
      registeredTechWan: 5,
      deals: 2,
      matchesTakenUp: 0,
      listings: 3,
      demands: 2,
      commissionerActivities: 1,
      peopleReached: 3,
    });
    // 0.4×5 + 0.2×2 + 0.1×3 + 0.05×2 + 0.1×1 + 0.01×3 = 2 + 0.4 + 0.3 + 0.1 + 0.1 + 0.03
    expect(xingjie.score).toBe(2.93);

    const people = await scorecard(bureau, "commissioner", 2025);
    const liuRow = people.rows.find((r) => r.name.startsWith("刘建华"))!;
    // 2 assignments, 3 entries, 53 people → 0.3×2 + 0.5×3 + 0.02×53 = 0.6 + 1.5 + 1.06
    expect(liuRow.values).toEqual({ assignments: 2, activities: 3, peopleReached: 53 });
    expect(liuRow.score).toBe(3.16);
    expect(liuRow.rank).toBe(1);

    const brokers = await scorecard(bureau, "broker", 2025);
    const b = brokers.rows.find((r) => r.id === broker.id)!;
    // D1 brokered, R1's 12.3 万元 on it, the match room → 0.5 + 0.3×12.3 + 0.2 = 4.39
    expect(b.values).toEqual({ dealsBrokered: 1, brokeredTechWan: 12.3, roomsJoined: 1 });
    expect(b.score).toBe(4.39);
    expect(b.formula).toBe("0.5×经纪成交数 1 + 0.3×经纪成交技术交易额(万元) 12.3 + 0.2×参与洽谈数 1 = 4.39");
  });

  it("serves a scorecard through the API to the bureau only, naming a bad parameter", async () => {
    const res = await call(apiEvaluation.loader, get("/api/v1/evaluation?year=2025&kind=broker", bureau));
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      scorecard: { kind: string; year: number; shape: string; rows: { id: string; score: number; formula: string }[] };
    };
    expect(body.scorecard).toMatchObject({
      kind: "broker",
      year: 2025,
      shape: "0.5×经纪成交数 + 0.3×经纪成交技术交易额(万元) + 0.2×参与洽谈数",
    });
    expect(body.scorecard.rows.find((r) => r.id === broker.id)).toMatchObject({ score: 4.39 });
    const bad = await call(apiEvaluation.loader, get("/api/v1/evaluation?year=20x5&kind=village&extra=1", bureau));
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as { error: { fields: Record<string, string[]> } };
    expect(Object.keys(badBody.error.fields).sort()).toEqual(["extra", "kind", "year"]);
    expect((await call(apiEvaluation.loader, get("/api/v1/evaluation", seller))).status).toBe(403);
  });

  it("exports a scorecard as CSV that Excel opens in Chinese and that cannot inject formulas", async () => {
    const res = await call(csvRoute.loader, get("/bureau/evaluation.csv?year=2025&kind=enterprise", bureau));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toContain("evaluation-enterprise-2025.csv");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = new TextDecoder().decode(bytes.slice(3));
    const lines = body.split("\r\n");
    expect(lines[0]).toBe("排名,名称,登记技术交易额(万元),成交数,匹配转洽谈数,发布成果与需求数,技术需求数,得分,计算式");
    expect(lines[1]).toBe("1,兴街镇乙企业,5,2,0,3,2,5,1×成交数 2 + 1×发布成果与需求数 3 = 5");
    expect(body).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(body).not.toMatch(/(^|,)"?=HYPERLINK/m);

    for (const cell of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(csvText(["a"], [[cell]])).toContain(`'${cell}`);
    expect(csvText(["a"], [["西洒镇"]])).toBe("\uFEFFa\r\n西洒镇\r\n");
  });
});

describe("demo seed", () => {
  it("adds the demo commissioners once: running it again changes nothing", async () => {
    const before = await Commissioner.countDocuments();
    await seedDemoCommissioners();
    const counts = async () => [
      await Commissioner.countDocuments(),
      await CommissionerAssignment.countDocuments(),
      await CommissionerActivity.countDocuments(),
    ];
    const first = await counts();
    // Twelve demo commissioners, of whom 王志强 (文山三七研究院) and 吴春兰 (云南省农业科学院) were registered above: found, not doubled.
    expect(first[0]).toBe(before + 10);
    await seedDemoCommissioners();
    expect(await counts()).toEqual(first);
    const progress = await dispatchProgress(currentYear());
    // Eleven of the twelve have assignments this year; here three of them are to demo organisations this
    // database lacks (the food, tea and solar companies), so eight are dispatched.
    expect(progress.dispatched).toBe(8);
  });
});
