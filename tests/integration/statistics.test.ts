import { Types } from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { Contract } from "~/models/contract.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { MatchRecord } from "~/models/match-record.server.ts";
import { Registration } from "~/models/registration.server.ts";
import { Settings } from "~/models/settings.server.ts";
import * as statisticsApi from "~/routes/api.v1.statistics.ts";
import * as dashboardCsv from "~/routes/bureau.dashboard[.]csv.ts";
import * as dashboardPage from "~/routes/bureau.dashboard.tsx";
import * as targetsPage from "~/routes/bureau.targets.tsx";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { CLI_ISSUER, createApiToken } from "~/services/accounts/api-tokens.server.ts";
import { missingCalendarYears } from "~/services/registration/settings.server.ts";
import { forgetCachedSettings } from "~/services/settings/settings.server.ts";
import { countyDashboard } from "~/services/statistics/dashboard.server.ts";
import { csvText } from "~/utils/csv.server.ts";
import { seedDemoRegistrations } from "../../seeds/demo-registrations.ts";
import { nextNumber, party, registrationDoc, saveRegistration, type RegistrationInput } from "../../seeds/registration-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";
import { renderPage } from "../support/render-page.ts";

/**
 * The county dashboard (issue 15, point 5) over a set of registrations made here, against figures
 * worked out by hand to the fen: by month in China time (a contract registered at 00:30 on
 * 1 February in China is February's), by town and side, field, category and entity type; a
 * cancelled one, an undecided one and one of another year do not count. Then the target's
 * progress (default, then a target the bureau sets on its form), the platform's funnel, the CSV
 * downloads (BOM, a formula neutralised), the page for the bureau and not for a seller, and the
 * API answering the same totals. Last, the demo seed.
 */

const pages = pageRequests({ orgType: "government" });
const { person, get, post, call } = pages;
let bureau: SessionUser, admin: SessionUser, seller: SessionUser;

const YEAR = 2025;
const XINGJIE = "532623102";
const FADOU = "532623205";
const XISA = "532623101";
const JIJIE = "532623207";
const by = { name: "科技局 测试" };

async function registered(
  i: Omit<RegistrationInput, "submittedAt" | "registered">,
  at: string,
  extra: { status?: "cancelled"; source?: "platform" } = {},
) {
  const when = new Date(at);
  const year = Number(new Date(when.getTime() + 8 * 3_600_000).toISOString().slice(0, 4));
  const { number, serial } = await nextNumber(year);
  await saveRegistration(
    registrationDoc({
      ...i,
      submittedAt: new Date(when.getTime() - 5 * 86_400_000),
      registered: { at: when, number, serial, year, by },
      ...(extra.status ? { status: extra.status, cancelledAt: new Date(when.getTime() + 86_400_000) } : {}),
      ...(extra.source ? { source: extra.source } : {}),
    }),
  );
}

beforeAll(async () => {
  await pages.init();
  bureau = await person("bureau@kjj.gov.cn", ["bureau"], "西畴县科学技术局");
  admin = await person("admin@platform.cn", ["admin"], null);
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");

  // A: output (seller in 兴街镇), registered 2025-02-01 00:30 in China (still 31 January in UTC); on the platform.
  await registered(
    {
      projectName: "A 三七土壤修复技术开发",
      category: "development",
      subCategory: "commissioned",
      seller: party("兴街镇甲公司", XINGJIE, "150"),
      buyer: party("云南农业大学", "530103", "022", "12"),
      technicalField: "09",
      contractFen: 12_345_678,
      technologyFen: 10_000_001,
    },
    "2025-01-31T16:30:00Z",
    { source: "platform" },
  );
  // B: intake (buyer in 法斗乡), March.
  await registered(
    {
      projectName: "B 三七总皂苷专利转让",
      category: "transfer",
      subCategory: "patent",
      seller: party("文山三七研究院", "532601", "021", "12"),
      buyer: party("法斗乡乙合作社", FADOU, "190"),
      technicalField: "04",
      contractFen: 5_000_005,
      technologyFen: 5_000_005,
    },
    "2025-03-10T02:00:00Z",
  );
  // C: within the county (西洒镇 seller → 鸡街乡 buyer): both sides, the seller's town. March.
  await registered(
    {
      projectName: "C 农机改造技术服务",
      category: "service",
      subCategory: "general",
      seller: party("西洒镇丙公司", XISA, "150"),
      buyer: party("鸡街乡丁公司", JIJIE, "170"),
      technicalField: "09",
      contractFen: 2_000_010,
      technologyFen: 1_500_010,
    },
    "2025-03-20T03:00:00Z",
  );
  // D: intake, the buyer recorded with the county only (no town); 2025-12-31 23:59:59 in China.
  await registered(
    {
      projectName: "D 石漠化治理技术咨询",
      category: "consulting",
      subCategory: "general",
      seller: party("文山学院", "532601", "022", "12"),
      buyer: party("西畴县戊集体企业", "532623", "120"),
      technicalField: "07",
      contractFen: 3_000_000,
      technologyFen: 3_000_000,
    },
    "2025-12-31T15:59:59Z",
  );
  // G: neither party in the county; 2025-01-01 00:00 in China (2024 in UTC).
  await registered(
    {
      projectName: "G 软件许可",
      category: "license",
      subCategory: "other",
      seller: party("云南农业大学", "530103", "022", "12"),
      buyer: party("昆明己公司", "530102", "150"),
      technicalField: "01",
      contractFen: 1_000_000,
      technologyFen: 800_000,
    },
    "2024-12-31T16:00:00Z",
  );
  // Not counted: cancelled (注销) in 2025; 2024's last second in China; one still under review.
  await registered(
    {
      projectName: "E 已注销",
      category: "development",
      subCategory: "commissioned",
      seller: party("兴街镇甲公司", XINGJIE, "150"),
      buyer: party("昆明己公司", "530102", "150"),
      technicalField: "09",
      contractFen: 99_999_999,
      technologyFen: 99_999_999,
    },
    "2025-06-01T02:00:00Z",
    { status: "cancelled" },
  );
  await registered(
    {
      projectName: "F 上一年",
      category: "development",
      subCategory: "commissioned",
      seller: party("兴街镇甲公司", XINGJIE, "150"),
      buyer: party("昆明己公司", "530102", "150"),
      technicalField: "09",
      contractFen: 7_777_777,
      technologyFen: 7_777_777,
    },
    "2024-12-31T15:59:59Z",
  );
  await saveRegistration(
    registrationDoc({
      projectName: "H 审查中",
      category: "service",
      subCategory: "general",
      seller: party("兴街镇甲公司", XINGJIE, "150"),
      buyer: party("昆明己公司", "530102", "150"),
      technicalField: "09",
      contractFen: 5_555_555,
      technologyFen: 5_555_555,
      submittedAt: new Date("2025-05-01T02:00:00Z"),
    }),
  );

  // The funnel's other stages: raw records with only the dates that count (2025 in China), and some outside the year.
  const in2025 = new Date("2025-06-01T00:00:00Z");
  const in2024 = new Date("2024-06-01T00:00:00Z");
  await Achievement.collection.insertMany([
    { publishedAt: in2025 },
    { publishedAt: in2025 },
    { publishedAt: in2025 },
    { publishedAt: in2024 },
    {},
  ]);
  await Demand.collection.insertMany([{ publishedAt: in2025 }, { publishedAt: new Date("2025-12-31T16:00:00Z") }, { publishedAt: in2025 }]);
  // (Unique indexes want distinct pairs: a fresh id each.)
  const id = () => new Types.ObjectId();
  await MatchRecord.collection.insertMany([1, 2, 3, 4].map(() => ({ demand: id(), achievement: id(), notifiedAt: in2025 })));
  await DealRoom.collection.insertMany([in2025, in2025, in2024].map((createdAt) => ({ listing: id(), buyer: { user: id() }, createdAt })));
  await Deal.collection.insertMany([{ createdAt: in2025 }, { createdAt: in2024 }]);
  await Contract.collection.insertMany([
    { deal: id(), status: "signed", signedAt: in2025 },
    { deal: id(), status: "signed", signedAt: in2025 },
    { deal: id(), status: "draft", createdAt: in2025 },
  ]);
});

const figures = (count: number, contractFen: number, technologyFen: number) => ({ count, contractFen, technologyFen });

describe("county dashboard", () => {
  it("adds up the year's registered contracts to the fen, by month in China time, town, side, field, category and entity type", async () => {
    const d = await countyDashboard(bureau, YEAR);
    // A + B + C + D + G; not E (cancelled), F (2024 in China), H (not decided).
    expect(d.total).toEqual({ ...figures(5, 23_345_693, 20_300_016), shareBps: 8695 });

    const month = (m: number) => d.months.find((r) => r.key === String(m))!;
    expect(d.months).toHaveLength(12);
    expect(month(1)).toMatchObject(figures(1, 1_000_000, 800_000)); // G
    expect(month(2)).toMatchObject(figures(1, 12_345_678, 10_000_001)); // A, 00:30 on 1 February
    expect(month(3)).toMatchObject(figures(2, 7_000_015, 6_500_015)); // B + C
    expect(month(6)).toMatchObject(figures(0, 0, 0)); // E was cancelled
    expect(month(12)).toMatchObject(figures(1, 3_000_000, 3_000_000)); // D

    const town = (k: string) => d.towns.find((r) => r.key === k);
    expect(town(XINGJIE)).toMatchObject({ label: { zh: "兴街镇" }, ...figures(1, 12_345_678, 10_000_001) });
    expect(town(FADOU)).toMatchObject({ label: { zh: "法斗乡" }, ...figures(1, 5_000_005, 5_000_005) });
    expect(town(XISA)).toMatchObject({ label: { zh: "西洒镇" }, ...figures(1, 2_000_010, 1_500_010) }); // C: the seller's town
    expect(town(JIJIE)).toMatchObject(figures(0, 0, 0));
    expect(town("none")).toMatchObject(figures(1, 3_000_000, 3_000_000)); // D
    expect(town("outside")).toMatchObject(figures(1, 1_000_000, 800_000)); // G
    // All nine towns listed, each contract in exactly one row.
    expect(d.towns.filter((r) => /^532623\d{3}$/.test(r.key))).toHaveLength(9);
    expect(d.towns.reduce((s, r) => s + r.technologyFen, 0)).toBe(20_300_016);

    const side = (k: string) => d.sides.find((r) => r.key === k)!;
    expect(side("output")).toMatchObject(figures(2, 14_345_688, 11_500_011)); // A + C
    expect(side("intake")).toMatchObject(figures(3, 10_000_015, 9_500_015)); // B + C + D
    expect(side("within")).toMatchObject(figures(1, 2_000_010, 1_500_010)); // C

    const field = (k: string) => d.fields.find((r) => r.key === k)!;
    expect(field("09")).toMatchObject({ label: { zh: "农业" }, ...figures(2, 14_345_688, 11_500_011) });
    expect(field("04")).toMatchObject(figures(1, 5_000_005, 5_000_005));
    expect(field("07")).toMatchObject(figures(1, 3_000_000, 3_000_000));
    expect(field("01")).toMatchObject(figures(1, 1_000_000, 800_000));

    const category = (k: string) => d.categories.find((r) => r.key === k)!;
    expect(category("development")).toMatchObject({ label: { zh: "技术开发" }, ...figures(1, 12_345_678, 10_000_001) });
    expect(category("transfer")).toMatchObject(figures(1, 5_000_005, 5_000_005));
    expect(category("service")).toMatchObject(figures(1, 2_000_010, 1_500_010));
    expect(category("consulting")).toMatchObject(figures(1, 3_000_000, 3_000_000));
    expect(category("license")).toMatchObject(figures(1, 1_000_000, 800_000));

    // The county party's type (the seller's when no party is in the county).
    const entity = (k: string) => d.entityTypes.find((r) => r.key === k)!;
    expect(entity("150")).toMatchObject({ label: { zh: "有限责任公司" }, ...figures(2, 14_345_688, 11_500_011) }); // A, C sellers
    expect(entity("190")).toMatchObject(figures(1, 5_000_005, 5_000_005)); // B's buyer
    expect(entity("120")).toMatchObject(figures(1, 3_000_000, 3_000_000)); // D's buyer
    expect(entity("022")).toMatchObject(figures(1, 1_000_000, 800_000)); // G's seller

    // The year before holds F only.
    expect((await countyDashboard(bureau, 2024)).total).toMatchObject(figures(1, 7_777_777, 7_777_777));
  });

  it("counts the platform's funnel of the year", async () => {
    const d = await countyDashboard(admin, YEAR);
    expect(Object.fromEntries(d.funnel.map((f) => [f.stage, f.count]))).toEqual({
      listings: 5, // 3 achievements + 2 demands published in 2025 (a third demand is 2026-01-01 in China)
      matches: 4,
      rooms: 2,
      deals: 1,
      contracts: 2,
      registrations: 1, // A, the one signed on the platform
    });
  });

  it("shows the target's progress: the default ¥2,000,000, then the year's target the bureau sets", async () => {
    expect((await countyDashboard(bureau, YEAR)).target).toEqual({
      year: YEAR,
      targetFen: 200_000_000,
      isDefault: true,
      technologyFen: 20_300_016,
      progressBps: 1015,
      remainingFen: 179_699_984,
    });

    // The seller may not set targets; a bad amount is refused naming the field; the bureau sets ¥250,000.
    expect(
      (await call(targetsPage.action, post("/bureau/targets", seller, { intent: "set", year: "2025", amount: "250000" }))).status,
    ).toBe(403);
    const bad = await call(targetsPage.action, post("/bureau/targets", bureau, { intent: "set", year: "2025", amount: "-5" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).reply.error.amount).toEqual(["statistics.errors.amount"]);
    const ok = await call(targetsPage.action, post("/bureau/targets", bureau, { intent: "set", year: "2025", amount: "250000" }));
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe("/bureau/targets?done=saved");

    expect((await countyDashboard(bureau, YEAR)).target).toEqual({
      year: YEAR,
      targetFen: 25_000_000,
      isDefault: false,
      technologyFen: 20_300_016,
      progressBps: 8120,
      remainingFen: 4_699_984,
    });
    const form = await renderPage(get("/bureau/targets?done=saved", bureau), targetsPage, "/bureau/targets", pages.csrf.token);
    expect(form.status).toBe(200);
    expect(form.html).toContain("年度目标已保存。");
    expect(form.html).toMatch(/<td>2025<\/td><td>¥250,000<\/td>/);
    expect((await call(targetsPage.loader, get("/bureau/targets", seller))).status).toBe(403);
    // Another year keeps the default.
    expect((await countyDashboard(bureau, 2024)).target).toMatchObject({ targetFen: 200_000_000, isDefault: true });
  });

  it("renders the page for the bureau with inline SVG charts the CSP allows, and refuses a seller", async () => {
    const page = await renderPage(get(`/bureau/dashboard?year=${YEAR}`, bureau), dashboardPage, "/bureau/dashboard", pages.csrf.token);
    expect(page.status).toBe(200);
    expect(page.html).toContain("县域技术合同统计");
    expect(page.html).toContain("¥233,456.93"); // 成交额
    expect(page.html).toContain("¥203,000.16"); // 技术交易额
    expect(page.html).toContain("86.95%");
    expect(page.html).toContain('<option value="2025" selected="">2025</option>');
    for (const chart of ["target", "months", "towns", "fields", "categories", "entityTypes", "sides", "funnel"]) {
      expect(page.html).toContain(`data-testid="chart-${chart}"`);
    }
    const svgs = page.html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(8);
    // No inline CSS (style-src has no 'unsafe-inline') and no script inside the charts.
    for (const svg of svgs) {
      expect(svg).not.toMatch(/ style="|<style|<script/);
      expect(svg).toContain("viewBox=");
    }
    expect(page.html).toContain('href="/bureau/dashboard.csv?year=2025&amp;table=towns"');

    expect((await call(dashboardPage.loader, get("/bureau/dashboard", seller))).status).toBe(403);
    expect((await call(dashboardPage.loader, get("/bureau/dashboard?year=abc", bureau))).status).toBe(400);
    expect((await call(dashboardPage.loader, get("/bureau/dashboard", null))).status).toBe(302); // to the login page
  });

  it("warns when this or next year has no holiday calendar, naming it, and no more once the bureau enters it", async () => {
    // chinese-days (1.5.7) carries 2026; 2027 and later wait for the bureau (registration settings).
    const missing = await missingCalendarYears();
    expect(missing.length).toBeGreaterThan(0);
    let page = await renderPage(get(`/bureau/dashboard?year=${YEAR}`, bureau), dashboardPage, "/bureau/dashboard", pages.csrf.token);
    expect(page.html).toContain('data-testid="calendar-missing"');
    expect(page.html).toContain(`尚未录入 ${missing.join("、")} 年`);
    expect(page.html).toContain('href="/bureau/settings"');
    await Settings.updateOne(
      { key: "platform" },
      { $set: { "registration.calendar": missing.map((year) => ({ year, holidays: [`${year}-01-01`], workdays: [] })) } },
      { upsert: true },
    );
    forgetCachedSettings();
    page = await renderPage(get(`/bureau/dashboard?year=${YEAR}`, bureau), dashboardPage, "/bureau/dashboard", pages.csrf.token);
    expect(page.html).not.toContain('data-testid="calendar-missing"');
    await Settings.updateOne({ key: "platform" }, { $unset: { "registration.calendar": 1 } });
    forgetCachedSettings();
  });

  it("downloads each table as CSV for Excel: a BOM, the figures in yuan, formulas neutralised", async () => {
    const res = await call(dashboardCsv.loader, get(`/bureau/dashboard.csv?year=${YEAR}&table=towns`, bureau));
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="dashboard-2025-towns.csv"; filename\*=UTF-8''/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain("年度,乡镇,合同数,成交额（元）,技术交易额（元）,技术交易额占成交额\r\n");
    expect(text).toContain("2025,兴街镇,1,123456.78,100000.01,81.00%\r\n");
    expect(text).toContain("2025,合计,5,233456.93,203000.16,86.95%\r\n");

    // A technical field typed as a formula comes out as text.
    await registered(
      {
        projectName: "公式注入",
        category: "service",
        subCategory: "general",
        seller: party("兴街镇甲公司", XINGJIE, "150"),
        buyer: party("昆明己公司", "530102", "150"),
        technicalField: "=SUM(A1)",
        contractFen: 100,
        technologyFen: 100,
      },
      "2023-05-01T02:00:00Z",
    );
    const fields = await (await call(dashboardCsv.loader, get("/bureau/dashboard.csv?year=2023&table=fields", bureau))).text();
    expect(fields).toContain("2023,'=SUM(A1),1,1.00,1.00,100.00%");
    expect(csvText(["a"], [["+1"], ["-1"], ["@x"], ["\tx"]])).toBe("\ufeffa\r\n'+1\r\n'-1\r\n'@x\r\n'\tx\r\n");

    expect((await call(dashboardCsv.loader, get(`/bureau/dashboard.csv?year=${YEAR}&table=towns`, seller))).status).toBe(403);
    expect((await call(dashboardCsv.loader, get(`/bureau/dashboard.csv?year=${YEAR}&table=secrets`, bureau))).status).toBe(400);
  });

  it("answers the same totals on GET /api/v1/statistics for bureau and admin tokens only", async () => {
    const { token } = await createApiToken(CLI_ISSUER, { name: "州科技局", roles: ["bureau"] });
    const res = await call(
      statisticsApi.loader,
      new Request(`http://localhost/api/v1/statistics?year=${YEAR}`, { headers: { Authorization: `Bearer ${token}` } }),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.year).toBe(2025);
    expect(body.total).toEqual({
      count: 5,
      contractAmount: 233456.93,
      contractAmountFen: 23_345_693,
      technologyAmount: 203000.16,
      technologyAmountFen: 20_300_016,
      technologyShare: 0.8695,
    });
    expect(body.target).toMatchObject({ amount: 250000, amountFen: 25_000_000, progress: 0.812, remainingFen: 4_699_984 });
    expect(body.months).toHaveLength(12);
    expect(body.towns.find((t: { key: string }) => t.key === XINGJIE)).toMatchObject({ name: "兴街镇", contractAmountFen: 12_345_678 });
    expect(body.sides.map((s: { key: string; count: number }) => [s.key, s.count])).toEqual([
      ["output", 2],
      ["intake", 3],
      ["within", 1],
    ]);
    expect(body.funnel.map((f: { count: number }) => f.count)).toEqual([5, 4, 2, 1, 2, 1]);
    // The page and the API agree.
    const d = await countyDashboard(bureau, YEAR);
    expect(body.total.technologyAmountFen).toBe(d.total.technologyFen);

    const { token: adminToken } = await createApiToken(CLI_ISSUER, { name: "平台", roles: ["admin"] });
    const asAdmin = (q: string) =>
      call(
        statisticsApi.loader,
        new Request(`http://localhost/api/v1/statistics${q}`, { headers: { Authorization: `Bearer ${adminToken}` } }),
      );
    expect((await asAdmin(`?year=${YEAR}`)).status).toBe(200);
    const bad = await asAdmin("?year=20x5");
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields)).toEqual(["year"]);

    const { token: buyerToken } = await createApiToken(CLI_ISSUER, { name: "买方", roles: ["buyer", "seller"] });
    const refused = await call(
      statisticsApi.loader,
      new Request(`http://localhost/api/v1/statistics?year=${YEAR}`, { headers: { Authorization: `Bearer ${buyerToken}` } }),
    );
    expect(refused.status).toBe(403);
    expect((await call(statisticsApi.loader, new Request(`http://localhost/api/v1/statistics?year=${YEAR}`))).status).toBe(401);
  });

  it("seeds a demo year of registrations and a review queue, once", async () => {
    await Registration.deleteMany({});
    const now = new Date("2026-12-05T02:00:00Z");
    await seedDemoRegistrations(() => {}, now);
    await seedDemoRegistrations(() => {}, now);
    const d = await countyDashboard(bureau, 2026);
    expect(d.total).toMatchObject(figures(16, 153_100_000, 141_650_050));
    expect(d.target.progressBps).toBeGreaterThanOrEqual(6000);
    expect(d.target.progressBps).toBeLessThanOrEqual(9000);
    expect(d.towns.filter((r) => /^532623\d{3}$/.test(r.key) && r.count > 0)).toHaveLength(9);
    expect(d.categories.every((r) => r.count > 0)).toBe(true);
    expect(d.sides.map((s) => s.count)).toEqual([5, 12, 1]);
    expect((await countyDashboard(bureau, 2025)).total.count).toBe(3);

    const numbers = await Registration.find({ status: "registered", year: 2026 }).sort({ serial: 1 }).select("number serial").lean();
    expect(numbers.map((r) => r.number)).toContain("2026532601000001");
    const queue = await Registration.find({ status: { $in: ["submitted", "corrections"] } }).lean();
    expect(queue.filter((r) => r.status === "submitted")).toHaveLength(4);
    expect(queue.filter((r) => r.status === "corrections")).toHaveLength(1);
    expect(queue.some((r) => r.dueAt && r.dueAt < now)).toBe(true); // overdue
    expect(queue.some((r) => r.dueAt && r.dueAt > now && r.dueAt.getTime() - now.getTime() < 5 * 86_400_000)).toBe(true); // near
  });
});
