import { beforeAll, describe, expect, it } from "vitest";
import { generateRecords } from "../../bench/import.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { loader as getAchievement } from "~/routes/api.v1.achievements.$id.ts";
import { loader as listAchievements } from "~/routes/api.v1.achievements._index.ts";
import { loader as getDemand } from "~/routes/api.v1.demands.$id.ts";
import { loader as listDemands } from "~/routes/api.v1.demands._index.ts";
import { loader as exportLoader } from "~/routes/api.v1.export.ts";
import { action as importAction, loader as importLoader } from "~/routes/api.v1.import.ts";
import { CLI_ISSUER, createApiToken, revokeApiToken } from "~/services/accounts/api-tokens.server.ts";
import { makeUscc, upsertOrganization } from "../../seeds/factories.ts";

/**
 * The open data API through its route handlers (the exported loader/action functions, called
 * with real Requests), against the real MongoDB. One long file because import, read and export
 * are one round trip: what is imported here is what the reads and the export are checked against.
 */
type Handler = (args: { request: Request; params: Record<string, string>; context: { clientIp: string } }) => Promise<Response>;

async function call(
  handler: Handler,
  path: string,
  opts: { token?: string; method?: string; body?: unknown; params?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  const request = new Request(`http://localhost${path}`, { method: opts.method ?? (body ? "POST" : "GET"), headers, body });
  const res = await handler({ request, params: opts.params ?? {}, context: { clientIp: "127.0.0.1" } });
  return res;
}

async function importJson(token: string | undefined, body: unknown) {
  const res = await call(importAction as Handler, "/api/v1/import", { token, method: "POST", body });
  return { res, json: await res.json() };
}

/** The issue's example achievement (its patent number's check character is wrong: should be X). */
const achievement = (externalId: string, change: Record<string, unknown> = {}) => ({
  externalId,
  title: "三七连作障碍土壤修复技术",
  summary: "解决三七连作障碍的微生物土壤修复方案",
  description: "利用复合微生物菌剂与轮作制度相结合，修复三七种植土壤，连作成活率提高到 85% 以上。",
  field: "biomedicine",
  keywords: ["三七"],
  ipType: "invention-patent",
  patentNumbers: ["ZL201910123456.7"],
  trl: 6,
  transactionModes: ["license", "transfer"],
  price: { mode: "fixed", amount: 300000 },
  owner: { name: "文山学院", type: "university" },
  region: "532627",
  ...change,
});

const demand = (externalId: string, change: Record<string, unknown> = {}) => ({
  externalId,
  title: "三七烘干设备节能改造",
  description: "合作社现有烘干设备能耗高，希望引进节能烘干技术。",
  field: "advanced-manufacturing",
  keywords: ["烘干"],
  budget: { max: 500000 },
  transactionModes: ["license"],
  minTrl: 5,
  enterprise: { name: "西畴县兴街镇三七种植专业合作社" },
  region: "532623",
  ...change,
});

let admin: string;
let broker: string;
let buyer: string;
let revoked: string;

beforeAll(async () => {
  admin = (await createApiToken(CLI_ISSUER, { name: "文山州成果平台", roles: ["admin"] })).token;
  broker = (await createApiToken(CLI_ISSUER, { name: "经纪人同步", roles: ["broker"] })).token;
  buyer = (await createApiToken(CLI_ISSUER, { name: "只读需求方", roles: ["buyer"] })).token;
  const r = await createApiToken(CLI_ISSUER, { name: "已停用", roles: ["admin"] });
  await revokeApiToken(CLI_ISSUER, r.view.id);
  revoked = r.token;
});

describe("POST /api/v1/import", () => {
  it("imports the example achievement: published, money in yuan, owner created, a warning about the patent number", async () => {
    const { res, json } = await importJson(admin, { achievements: [achievement("A1")] });
    expect(res.status).toBe(200);
    expect(json.source).toBe("文山州成果平台"); // default source: the token's name
    expect(json.totals).toMatchObject({ received: 1, created: 1, refused: 0 });
    const [r] = json.achievements;
    expect(r).toMatchObject({ index: 0, externalId: "A1", status: "created" });
    const patentWarning = r.warnings.find((w: { field: string }) => w.field === "patentNumbers.0");
    expect(patentWarning.message).toContain("X");
    expect(r.warnings.map((w: { field: string }) => w.field)).toContain("licenseExclusivity");

    const got = await call(getAchievement as Handler, `/api/v1/achievements/${r.id}`, { token: buyer, params: { id: r.id } });
    expect(got.status).toBe(200);
    const item = await got.json();
    expect(item).toMatchObject({
      type: "achievement",
      id: r.id,
      source: "文山州成果平台",
      externalId: "A1",
      status: "published",
      price: { mode: "fixed", amount: 300000, currency: "CNY" },
      licenseExclusivity: ["non-exclusive"],
      patentNumbers: ["ZL201910123456.7"],
      maturity: "pilot",
      maturityLabel: "通过中试",
      owner: { name: "文山学院", type: "university" },
      region: "532627",
    });
    expect(Date.parse(item.noticeEndsAt) - Date.parse(item.publishedAt)).toBe(15 * 86_400_000);
    expect(await Organization.countDocuments({ name: "文山学院", type: "university" })).toBe(1);
    const events = await AuditEvent.find({ subject: r.id }).lean();
    expect(events).toMatchObject([{ action: "import", via: "api", actorName: "文山州成果平台", to: "published" }]);
  });

  it("refuses each invalid record with the field named while the valid ones in the same call land", async () => {
    const before = await Achievement.countDocuments();
    const { res, json } = await importJson(broker, {
      source: "validation-test",
      achievements: [
        achievement("V1"),
        achievement("BAD-FIELD", { field: "space-travel" }),
        achievement("BAD-TRL", { trl: 12 }),
        achievement("BAD-REGION", { region: "999999" }),
        achievement("NO-TITLE", { title: undefined }),
        achievement("BAD-PATENT", { patentNumbers: ["ZL2019-12345"] }),
        achievement("NEG-PRICE", { price: { mode: "fixed", amount: -100 } }),
        achievement("V2", { title: "石斛组培快繁技术", patentNumbers: ["ZL201910123456.X"], licenseExclusivity: ["exclusive"] }),
      ],
    });
    expect(res.status).toBe(200);
    expect(json.totals).toMatchObject({ received: 8, created: 2, refused: 6 });
    const byId = Object.fromEntries(json.achievements.map((r: { externalId: string }) => [r.externalId, r]));
    expect(byId.V1.status).toBe("created");
    expect(byId.V2.status).toBe("created");
    expect(byId.V2.warnings).toBeUndefined(); // a correct patent number and an exclusivity: nothing to say
    const refusedOn = (id: string) => (byId[id].status === "refused" ? Object.keys(byId[id].errors) : []);
    expect(refusedOn("BAD-FIELD")).toEqual(["field"]);
    expect(refusedOn("BAD-TRL")).toEqual(["trl"]);
    expect(refusedOn("BAD-REGION")).toEqual(["region"]);
    expect(refusedOn("NO-TITLE")).toEqual(["title"]);
    expect(refusedOn("BAD-PATENT")).toEqual(["patentNumbers.0"]);
    expect(refusedOn("NEG-PRICE")).toEqual(["price.amount"]);
    // Messages are readable in both languages.
    expect(byId["BAD-TRL"].errors.trl).toEqual(["成熟度应为 1–9 的整数 / TRL must be a whole number from 1 to 9"]);
    expect(byId["BAD-REGION"].errors.region[0]).toContain("Unknown region code");
    // Input order is kept, with each record's index.
    expect(json.achievements.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await Achievement.countDocuments()).toBe(before + 2);
    expect(await Achievement.countDocuments({ source: "validation-test", externalId: { $nin: ["V1", "V2"] } })).toBe(0);
  });

  it("imports a mixed batch of achievements and demands, creating the enterprise once", async () => {
    const { json } = await importJson(admin, {
      source: "mixed",
      achievements: [achievement("M-A1"), achievement("M-A2", { owner: { name: "云南省农业科学院", type: "institute" } })],
      demands: [demand("M-D1"), demand("M-D2", { title: "魔芋精粉加工技术" }), demand("M-D3", { budget: { max: "abc" } })],
    });
    expect(json.totals).toMatchObject({ received: 5, created: 4, refused: 1 });
    expect(json.demands.map((d: { status: string }) => d.status)).toEqual(["created", "created", "refused"]);
    expect(Object.keys(json.demands[2].errors)).toEqual(["budget.max"]);
    expect(await Organization.countDocuments({ name: "西畴县兴街镇三七种植专业合作社" })).toBe(1);
    const d = await call(getDemand as Handler, `/api/v1/demands/${json.demands[0].id}`, {
      token: buyer,
      params: { id: json.demands[0].id },
    });
    expect(await d.json()).toMatchObject({
      type: "demand",
      externalId: "M-D1",
      status: "published",
      budget: { max: 500000, min: null, currency: "CNY" },
      enterprise: { name: "西畴县兴街镇三七种植专业合作社", type: "enterprise" },
      minTrl: 5,
    });
  });

  it("finds an existing organisation by its credit code instead of creating another", async () => {
    const org = await upsertOrganization({ name: "文山三七研究院", type: "institute", region: "532601" });
    const { json } = await importJson(admin, {
      source: "uscc",
      achievements: [achievement("U1", { owner: { name: "三七研究院", type: "institute", creditCode: org.creditCode } })],
    });
    expect(json.achievements[0].status).toBe("created");
    expect(json.achievements[0].warnings.map((w: { field: string }) => w.field)).toContain("owner.name");
    const saved = await Achievement.findById(json.achievements[0].id).lean();
    expect(String(saved!.owner)).toBe(String(org._id));
    expect(saved!.ownerName).toBe("文山三七研究院");
    expect(await Organization.countDocuments({ creditCode: org.creditCode })).toBe(1);
  });

  it("re-import updates the record instead of duplicating it, and an identical one changes nothing", async () => {
    const source = "reimport";
    const first = await importJson(admin, { source, achievements: [achievement("R1")], demands: [demand("R-D1")] });
    const id = first.json.achievements[0].id;
    const countBefore = await Achievement.countDocuments();

    const second = await importJson(admin, {
      source,
      achievements: [achievement("R1", { title: "三七连作障碍土壤修复技术（第二版）", price: { mode: "fixed", amount: 280000.5 } })],
      demands: [demand("R-D1")],
    });
    expect(second.json.achievements[0]).toMatchObject({ status: "updated", id });
    expect(second.json.demands[0].status).toBe("unchanged");
    expect(await Achievement.countDocuments()).toBe(countBefore);
    const item = await (await call(getAchievement as Handler, `/api/v1/achievements/${id}`, { token: admin, params: { id } })).json();
    expect(item.title).toBe("三七连作障碍土壤修复技术（第二版）");
    expect(item.price.amount).toBe(280000.5);
    expect(await AuditEvent.countDocuments({ subject: id, action: "import" })).toBe(2);

    const third = await importJson(admin, {
      source,
      achievements: [achievement("R1", { title: "三七连作障碍土壤修复技术（第二版）", price: { mode: "fixed", amount: 280000.5 } })],
    });
    expect(third.json.achievements[0]).toMatchObject({ status: "unchanged", id });
    expect(await AuditEvent.countDocuments({ subject: id, action: "import" })).toBe(2);

    // The same externalId under another source is another record.
    const other = await importJson(admin, { source: "another-platform", achievements: [achievement("R1")] });
    expect(other.json.achievements[0].status).toBe("created");
    expect(other.json.achievements[0].id).not.toBe(id);
  });

  it("honours status draft; a later import without it publishes the draft; a published one stays published", async () => {
    const source = "drafts";
    const { json } = await importJson(admin, {
      source,
      achievements: [achievement("DR1", { status: "draft" })],
      demands: [demand("DR-D1", { status: "draft" })], // stays a draft for the export tests below
    });
    const id = json.achievements[0].id;
    const saved = await Achievement.findById(id).lean();
    expect(saved!.status).toBe("draft");
    expect(saved!.publishedAt ?? null).toBeNull();
    // A draft is not public: a buyer token learns nothing, an admin token sees it.
    expect((await call(getAchievement as Handler, `/api/v1/achievements/${id}`, { token: buyer, params: { id } })).status).toBe(404);
    expect((await call(getAchievement as Handler, `/api/v1/achievements/${id}`, { token: admin, params: { id } })).status).toBe(200);

    const published = await importJson(admin, { source, achievements: [achievement("DR1")] });
    expect(published.json.achievements[0].status).toBe("updated");
    expect((await Achievement.findById(id).lean())!.status).toBe("published");
    const events = await AuditEvent.find({ subject: id }).sort({ at: 1, _id: 1 }).lean();
    expect(events.map((e) => [e.from ?? null, e.to])).toEqual([
      [null, "draft"],
      ["draft", "published"],
    ]);

    const backToDraft = await importJson(admin, { source, achievements: [achievement("DR1", { status: "draft" })] });
    expect(backToDraft.json.achievements[0].status).toBe("unchanged");
    expect(backToDraft.json.achievements[0].warnings.map((w: { field: string }) => w.field)).toContain("status");
    expect((await Achievement.findById(id).lean())!.status).toBe("published");
  });

  it("two imports of the same new records at the same moment create each record once", async () => {
    const records = generateRecords(60, 9, "C");
    const [a, b] = await Promise.all([
      importJson(admin, { source: "concurrent", ...records }),
      importJson(broker, { source: "concurrent", ...records }),
    ]);
    expect(a.res.status).toBe(200);
    expect(b.res.status).toBe(200);
    expect(a.json.totals.created + b.json.totals.created).toBe(60);
    expect(a.json.totals.refused + b.json.totals.refused).toBe(0);
    expect((await Achievement.countDocuments({ source: "concurrent" })) + (await Demand.countDocuments({ source: "concurrent" }))).toBe(60);
  });

  it("refuses the same externalId twice in one call (the first one counts)", async () => {
    const { json } = await importJson(admin, {
      source: "dupes",
      achievements: [achievement("X1"), achievement("X1", { title: "另一个" })],
    });
    expect(json.achievements.map((r: { status: string }) => r.status)).toEqual(["created", "refused"]);
    expect(Object.keys(json.achievements[1].errors)).toEqual(["externalId"]);
  });

  it("answers who may import: buyer token 403, no token 401, revoked 401, unknown token 401 — all JSON", async () => {
    const body = { source: "authz", achievements: [achievement("Z1")] };
    const asBuyer = await importJson(buyer, body);
    expect(asBuyer.res.status).toBe(403);
    expect(asBuyer.json.error).toMatchObject({ status: 403, code: "forbidden" });
    expect(asBuyer.json.error.message).toContain("broker");

    const anonymous = await importJson(undefined, body);
    expect(anonymous.res.status).toBe(401);
    expect(anonymous.json.error.code).toBe("unauthorized");
    expect(anonymous.res.headers.get("WWW-Authenticate")).toContain("Bearer");

    const withRevoked = await importJson(revoked, body);
    expect(withRevoked.res.status).toBe(401);
    expect(withRevoked.json.error.message).toContain("revoked");

    const forged = await importJson(`cg_${"A".repeat(43)}`, body);
    expect(forged.res.status).toBe(401);
    expect(await Achievement.countDocuments({ source: "authz" })).toBe(0);
  });

  it("answers 400 for a body that is not JSON, 413 for more than 5,000 records, 405 for GET", async () => {
    const bad = await call(importAction as Handler, "/api/v1/import", { token: admin, method: "POST", body: '{"achievements": [' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_json");

    const huge = await call(importAction as Handler, "/api/v1/import", {
      token: admin,
      method: "POST",
      body: `{"source":"huge","achievements":[{"externalId":"H","description":"${"三".repeat(12 * 1024 * 1024)}"}]}`,
    });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.message).toContain("32 MB");

    const tooMany = await importJson(admin, { source: "too-many", demands: Array.from({ length: 5001 }, (_, i) => demand(`T${i}`)) });
    expect(tooMany.res.status).toBe(413);
    expect(tooMany.json.error).toMatchObject({ code: "payload_too_large" });
    expect(tooMany.json.error.message).toContain("5001");
    expect(await Demand.countDocuments({ source: "too-many" })).toBe(0);

    const envelope = await importJson(admin, { achievement: [] });
    expect(envelope.res.status).toBe(400);
    expect(envelope.json.error.fields).toBeTruthy();

    const get = await call(importLoader as Handler, "/api/v1/import", { token: admin });
    expect(get.status).toBe(405);
    expect(get.headers.get("Allow")).toBe("POST");
  });

  it("answers 400 naming where for a record nested 10,000 levels deep, and stores nothing (issue 12 point 13)", async () => {
    const nested = (n: number) => "[".repeat(n) + "]".repeat(n);
    for (const [field, body] of [
      ["title", `{"source":"deep","achievements":[{"externalId":"D1","title":${nested(10_000)}}]}`],
      [
        "owner",
        `{"source":"deep","demands":[${JSON.stringify(demand("D0"))},{"externalId":"D2","enterprise":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}]}`,
      ],
    ]) {
      const res = await call(importAction as Handler, "/api/v1/import", { token: admin, method: "POST", body });
      expect(res.status, field).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe("invalid_request");
      const [path, ...others] = Object.keys(error.fields);
      expect(others).toEqual([]);
      expect(path).toMatch(field === "title" ? /^achievements\.0\.title(\.0)+$/ : /^demands\.1\.enterprise(\.a)+$/);
      expect(error.fields[path!]).toEqual([
        "嵌套过深：对象与数组最多嵌套 32 层 / Nested too deeply: objects and arrays nest at most 32 levels",
      ]);
    }
    expect(await Achievement.countDocuments({ source: "deep" })).toBe(0);
    expect(await Demand.countDocuments({ source: "deep" })).toBe(0);
  });

  it("refuses a record nested deeper than a listing ever is, naming its field, while the others land", async () => {
    const deep = achievement("N2", { inventors: [{ name: JSON.parse(`${"[".repeat(12)}"x"${"]".repeat(12)}`) }] });
    const { res, json } = await importJson(admin, { source: "nested", achievements: [achievement("N1"), deep] });
    expect(res.status).toBe(200);
    expect(json.achievements[0]).toMatchObject({ status: "created" });
    expect(json.achievements[1]).toMatchObject({ externalId: "N2", status: "refused" });
    expect(Object.keys(json.achievements[1].errors)).toEqual(["inventors.0.name.0.0.0.0.0"]);
    expect(json.achievements[1].errors["inventors.0.name.0.0.0.0.0"][0]).toContain("8");
    expect(await Achievement.countDocuments({ source: "nested" })).toBe(1);
  });
});

describe("5,000 records in one call", () => {
  it("imports them all and the lists, export and counts agree", { timeout: 180_000 }, async () => {
    const records = generateRecords(5000, 42);
    const { res, json } = await importJson(admin, { source: "bulk-5000", ...records });
    expect(res.status).toBe(200);
    expect(json.totals).toMatchObject({ received: 5000, created: 5000, refused: 0 });
    expect(json.achievements).toHaveLength(records.achievements.length);
    expect(json.demands).toHaveLength(records.demands.length);
    expect(await Achievement.countDocuments({ source: "bulk-5000" })).toBe(records.achievements.length);
    expect(await Demand.countDocuments({ source: "bulk-5000" })).toBe(records.demands.length);
    expect(await AuditEvent.countDocuments({ action: "import", actorName: "文山州成果平台" })).toBeGreaterThanOrEqual(5000);
  });
});

describe("reading: export and incremental sync", () => {
  async function exportLines(token: string, query = "") {
    const res = await call(exportLoader as Handler, `/api/v1/export${query}`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("application/x-ndjson");
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    return text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; id: string; status: string });
  }

  it("streams one JSON object per line whose counts match the database", async () => {
    const lines = await exportLines(admin);
    expect(lines.filter((l) => l.type === "achievement")).toHaveLength(await Achievement.countDocuments());
    expect(lines.filter((l) => l.type === "demand")).toHaveLength(await Demand.countDocuments());
    expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);

    // A buyer token sees what the public sees: no drafts.
    const publicLines = await exportLines(buyer);
    const publicCount =
      (await Achievement.countDocuments({ status: "published" })) + (await Demand.countDocuments({ status: "published" }));
    expect(publicLines).toHaveLength(publicCount);
    expect(publicLines.every((l) => l.status === "published")).toBe(true);
    expect(publicLines.length).toBeLessThan(lines.length);

    const demandsOnly = await exportLines(admin, "?type=demand");
    expect(demandsOnly.every((l) => l.type === "demand")).toBe(true);
    expect(demandsOnly).toHaveLength(await Demand.countDocuments());
  });

  it("an export line can be imported elsewhere as it is", async () => {
    const lines = (await exportLines(admin)).filter((l) => (l as { source?: string }).source === "mixed");
    expect(lines.length).toBeGreaterThan(0);
    const { json } = await importJson(admin, {
      source: "mirror",
      achievements: lines.filter((l) => l.type === "achievement"),
      demands: lines.filter((l) => l.type === "demand"),
    });
    expect(json.totals).toMatchObject({ received: lines.length, created: lines.length, refused: 0 });
    const mirrored = await exportLines(admin, "?type=demand");
    const original = mirrored.find(
      (l) => (l as { source?: string; externalId?: string }).source === "mixed" && (l as { externalId?: string }).externalId === "M-D1",
    );
    const copy = mirrored.find(
      (l) => (l as { source?: string; externalId?: string }).source === "mirror" && (l as { externalId?: string }).externalId === "M-D1",
    );
    const content = (l: Record<string, unknown>) => {
      const { id, source, createdAt, updatedAt, publishedAt, noticeEndsAt, ...rest } = l;
      return rest;
    };
    expect(content(copy as Record<string, unknown>)).toEqual(content(original as Record<string, unknown>));
  });

  it("pages through achievements with a cursor, returning each record exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10_000; page++) {
      const qs = new URLSearchParams({ limit: "500", ...(cursor ? { cursor } : {}) });
      const res = await call(listAchievements as Handler, `/api/v1/achievements?${qs}`, { token: admin });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { id: string; updatedAt: string }[]; nextCursor: string | null; hasMore: boolean };
      seen.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      if (!body.hasMore) break;
    }
    expect(seen.length).toBe(await Achievement.countDocuments());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("updatedSince returns only what changed since, and the saved cursor picks up later changes", async () => {
    // Everything so far, followed to the end: remember the cursor as a sync client would.
    let cursor: string | null = null;
    for (;;) {
      const qs = new URLSearchParams({ limit: "500", ...(cursor ? { cursor } : {}) });
      const body = (await (await call(listDemands as Handler, `/api/v1/demands?${qs}`, { token: admin })).json()) as {
        nextCursor: string | null;
        hasMore: boolean;
      };
      cursor = body.nextCursor;
      if (!body.hasMore) break;
    }
    const since = new Date(Date.now() - 1).toISOString();
    await new Promise((r) => setTimeout(r, 5)); // the next writes get a later updatedAt than `since`
    await importJson(admin, { source: "later", demands: [demand("L1"), demand("L2"), demand("L3")] });
    await importJson(admin, { source: "mixed", demands: [demand("M-D1", { title: "三七烘干设备节能改造（更新）" })] });

    const changed = (await (
      await call(listDemands as Handler, `/api/v1/demands?updatedSince=${since}&limit=2`, { token: admin })
    ).json()) as {
      items: { externalId: string }[];
      nextCursor: string;
      hasMore: boolean;
    };
    expect(changed.items).toHaveLength(2);
    expect(changed.hasMore).toBe(true);
    const rest = (await (
      await call(listDemands as Handler, `/api/v1/demands?updatedSince=${since}&limit=2&cursor=${changed.nextCursor}`, { token: admin })
    ).json()) as {
      items: { externalId: string }[];
      hasMore: boolean;
    };
    expect([...changed.items, ...rest.items].map((i) => i.externalId).sort()).toEqual(["L1", "L2", "L3", "M-D1"]);
    expect(rest.hasMore).toBe(false);

    const resumed = (await (await call(listDemands as Handler, `/api/v1/demands?cursor=${cursor}`, { token: admin })).json()) as {
      items: { externalId: string }[];
    };
    expect(resumed.items.map((i) => i.externalId).sort()).toEqual(["L1", "L2", "L3", "M-D1"]);
  });

  it("answers 400 with the parameter named for a bad limit, date or cursor, and 404 for an unknown id", async () => {
    for (const [qs, field] of [
      ["limit=0", "limit"],
      ["updatedSince=yesterday", "updatedSince"],
      ["cursor=nonsense", "cursor"],
    ] as const) {
      const res = await call(listAchievements as Handler, `/api/v1/achievements?${qs}`, { token: admin });
      expect(res.status).toBe(400);
      expect(Object.keys((await res.json()).error.fields)).toEqual([field]);
    }
    const missing = await call(getAchievement as Handler, "/api/v1/achievements/0123456789abcdef01234567", {
      token: admin,
      params: { id: "0123456789abcdef01234567" },
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    expect((await call(listAchievements as Handler, "/api/v1/achievements", {})).status).toBe(401);
  });
});

describe("organisations", () => {
  it("a credit code in the record is validated (a wrong check character refuses the record)", async () => {
    const good = makeUscc("91", "532623", "导入测试企业");
    const bad = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
    const { json } = await importJson(admin, {
      source: "orgs",
      demands: [
        demand("O1", { enterprise: { name: "导入测试企业", creditCode: good } }),
        demand("O2", { enterprise: { name: "导入测试企业", creditCode: bad } }),
      ],
    });
    expect(json.demands.map((d: { status: string }) => d.status)).toEqual(["created", "refused"]);
    expect(Object.keys(json.demands[1].errors)).toEqual(["enterprise.creditCode"]);
    expect(await Organization.countDocuments({ creditCode: good })).toBe(1);
  });
});

describe("per-option prices (issue 13, point 5)", () => {
  it("imports prices per mode and licence kind in yuan, reads one amount as every option's price, and refuses a bad list naming the entry", async () => {
    const { json } = await importJson(admin, {
      source: "prices-test",
      achievements: [
        achievement("P1", {
          licenseExclusivity: ["exclusive", "non-exclusive"],
          price: { mode: "fixed" },
          prices: [
            { transactionMode: "transfer", amount: 300000 },
            { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: "5万" },
          ],
        }),
        achievement("P2", { licenseExclusivity: ["non-exclusive"] }),
        achievement("P3", {
          licenseExclusivity: ["non-exclusive"],
          prices: [
            { transactionMode: "equity", amount: 1 },
            { transactionMode: "license", licenseExclusivity: "sole", amount: 2 },
          ],
        }),
        achievement("P4", { prices: [7, { transactionMode: "transfer", amount: "abc" }] }),
      ],
    });
    const [p1, p2, p3, p4] = json.achievements;
    expect(p1.status).toBe("created");
    const read = async (id: string) =>
      (await call(getAchievement as Handler, `/api/v1/achievements/${id}`, { token: buyer, params: { id } })).json();
    expect(await read(p1.id)).toMatchObject({
      price: { mode: "fixed", amount: 50000 },
      prices: [
        { transactionMode: "transfer", licenseExclusivity: null, amount: 300000 },
        { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 50000 },
      ],
    });
    // One amount, as before: the price of every offered option.
    expect((await read(p2.id)).prices).toEqual([
      { transactionMode: "transfer", licenseExclusivity: null, amount: 300000 },
      { transactionMode: "license", licenseExclusivity: "non-exclusive", amount: 300000 },
    ]);
    expect(p3.status).toBe("refused");
    expect(p3.errors).toMatchObject({
      "prices.0.transactionMode": [expect.stringContaining("未提供此交易方式")],
      "prices.1.licenseExclusivity": [expect.stringContaining("未提供此许可方式")],
    });
    // Each entry named by its own position.
    expect(p4.status).toBe("refused");
    expect(p4.errors).toMatchObject({ "prices.0": [expect.stringContaining("prices")], "prices.1.amount": [expect.any(String)] });
    // The same record again is unchanged.
    const again = await importJson(admin, {
      source: "prices-test",
      achievements: [achievement("P2", { licenseExclusivity: ["non-exclusive"] })],
    });
    expect(again.json.achievements[0].status).toBe("unchanged");
  });
});
