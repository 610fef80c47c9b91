import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AccountToken } from "~/models/account-token.server.ts";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { Deal } from "~/models/deal.server.ts";
import { DealRoom } from "~/models/deal-room.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { JoinRequest } from "~/models/join-request.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { Session } from "~/models/session.server.ts";
import { Settings } from "~/models/settings.server.ts";
import { User } from "~/models/user.server.ts";
import * as achievementPage from "~/routes/achievements.$id.tsx";
import * as achievementsIndex from "~/routes/achievements._index.tsx";
import * as home from "~/routes/_index.tsx";
import * as adminAudit from "~/routes/admin.audit.tsx";
import * as adminOrgs from "~/routes/admin.organizations.tsx";
import * as adminSettings from "~/routes/admin.settings.tsx";
import * as adminUsers from "~/routes/admin.users.tsx";
import * as loginPage from "~/routes/login.tsx";
import { getUserForSession, verifyLogin, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { mergeOrganizations } from "~/services/accounts/organizations.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { createAchievement } from "~/services/listings/commands.server.ts";
import { openRoom } from "~/services/rooms/open.server.ts";
import { forgetCachedSettings, updateSettings } from "~/services/settings/settings.server.ts";
import { setDemoMode } from "~/utils/demo-mode.server.ts";
import { ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { usccCheckChar } from "~/utils/uscc.ts";
import { makeUscc } from "../../seeds/factories.ts";
import { achievementContent, listingAt, publishedDemand, buyNowDeal } from "../../seeds/trading-fixtures.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * Issue 13, point 11: admins run the platform — organisations, users, the audit log, settings —
 * through the real loaders and actions; everyone else is refused.
 */

const pages = pageRequests({ orgType: "institute" });
const { person, get, post, call } = pages;

let admin: SessionUser, seller: SessionUser, broker: SessionUser, buyer: SessionUser;

beforeAll(async () => {
  await pages.init();
  admin = await person("admin@platform.cn", ["admin"], null);
  seller = await person("seller@wsu.cn", ["seller"], "文山学院");
  broker = await person("broker@agency.cn", ["broker"], "文山州科技成果转移转化服务中心");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
});

beforeEach(async () => {
  await Settings.deleteMany({});
  forgetCachedSettings();
});

const DAY = 86_400_000;
const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;
type Refusal = { ok: false; intent: string; target: string | null; reply: { error?: Record<string, string[]> } };

/** A valid credit code with the wrong check character. */
function badCheck(code: string): string {
  const wrong = code[17] === "0" ? "1" : "0";
  return code.slice(0, 17) + wrong;
}

describe("permissions", () => {
  it("refuses every admin page and form to non-admins (403), to anonymous visitors a login", async () => {
    for (const who of [seller, broker, buyer]) {
      for (const route of [adminOrgs, adminAudit, adminSettings]) {
        const path = route === adminOrgs ? "/admin/organizations" : route === adminAudit ? "/admin/audit" : "/admin/settings";
        expect((await call(route.loader, get(path, who))).status).toBe(403);
      }
      const org = await Organization.findOne({ name: "文山学院" }).lean();
      const posts = [
        call(adminOrgs.action, post("/admin/organizations", who, { intent: "verify", orgId: String(org!._id), verified: "true" })),
        call(adminSettings.action, post("/admin/settings", who, { noticeDays: "30", publicAgreementNoticeDays: "30", noticeTextZh: "x" })),
        call(adminUsers.action, post("/admin/users", who, { intent: "set-disabled", userId: buyer.id, disabled: "true" })),
      ];
      for (const res of await Promise.all(posts)) expect(res.status).toBe(403);
    }
    const anon = await call(adminAudit.loader, get("/admin/audit", null));
    expect(anon.status).toBe(302);
    expect(anon.headers.get("Location")).toMatch(/^\/login/);
    // Nothing changed.
    expect((await Organization.findOne({ name: "文山学院" }).lean())!.verifiedAt).toBeUndefined();
    expect(await Settings.countDocuments()).toBe(0);
    expect((await User.findById(buyer.id).lean())!.disabled).toBe(false);
    // The services refuse too, whoever calls them.
    await expect(
      updateSettings({ ...seller, roles: seller.roles }, (await import("~/schemas/settings.ts")).DEFAULT_SETTINGS),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("organisations", () => {
  it("lists and searches organisations by name or credit code", async () => {
    const wsu = await Organization.findOne({ name: "文山学院" }).lean();
    const byName = await json<{ organizations: { name: string }[] }>(
      await call(adminOrgs.loader, get("/admin/organizations?q=文山", admin)),
    );
    expect(byName.organizations.map((o) => o.name).sort()).toEqual(["文山州科技成果转移转化服务中心", "文山学院"].sort());
    const byCode = await json<{ organizations: { name: string }[] }>(
      await call(adminOrgs.loader, get(`/admin/organizations?q=${wsu!.creditCode}`, admin)),
    );
    expect(byCode.organizations.map((o) => o.name)).toEqual(["文山学院"]);
  });

  it("verifies an organisation: 已认证 on its listings, audited; the mark can be taken away", async () => {
    const org = await Organization.findOne({ name: "文山学院" }).lean();
    const id = await listingAt(seller, broker, "published", achievementContent({ title: "认证机构的成果" }));
    const before = await json<{ ownerVerified: boolean }>(await call(achievementPage.loader, get(`/achievements/${id}`, null), { id }));
    expect(before.ownerVerified).toBe(false);

    const res = await call(
      adminOrgs.action,
      post("/admin/organizations", admin, { intent: "verify", orgId: String(org!._id), verified: "true" }),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toContain("done=verify");
    const stored = await Organization.findById(org!._id).lean();
    expect(stored!.verifiedAt).toBeInstanceOf(Date);
    expect(String(stored!.verifiedBy)).toBe(admin.id);
    const after = await json<{ ownerVerified: boolean }>(await call(achievementPage.loader, get(`/achievements/${id}`, null), { id }));
    expect(after.ownerVerified).toBe(true);
    // … and on the public list's cards.
    const browse = await json<{ verifiedOwners: string[] }>(await call(achievementsIndex.loader, get("/achievements", null)));
    expect(browse.verifiedOwners).toEqual([String(org!._id)]);
    // … and among the organisations on the home page.
    const front = await json<{ recentOrganizations: { name: string; verified: boolean }[] }>(await call(home.loader, get("/", null)));
    expect(front.recentOrganizations.filter((o) => o.verified).map((o) => o.name)).toEqual(["文山学院"]);
    const list = await json<{ organizations: { verifiedAt: string | null }[] }>(
      await call(adminOrgs.loader, get("/admin/organizations?verified=yes&q=文山学院", admin)),
    );
    expect(list.organizations).toHaveLength(1);
    expect(await AuditEvent.countDocuments({ subjectType: "organization", subject: org!._id, action: "organizationVerified" })).toBe(1);

    await call(adminOrgs.action, post("/admin/organizations", admin, { intent: "verify", orgId: String(org!._id), verified: "false" }));
    const again = await json<{ ownerVerified: boolean }>(await call(achievementPage.loader, get(`/achievements/${id}`, null), { id }));
    expect(again.ownerVerified).toBe(false);
  });

  it("edits the name and credit code: a wrong check digit and another's code are field errors; listings follow the name", async () => {
    await person("seller@edit.cn", ["seller"], "待更名研究所");
    const org = (await Organization.findOne({ name: "待更名研究所" }).lean())!;
    const other = (await Organization.findOne({ name: "兴街镇三七种植专业合作社" }).lean())!;
    const owner = (await getUserForSessionByEmail("seller@edit.cn"))!;
    const id = await listingAt(owner, broker, "published", achievementContent({ title: "更名前的成果" }));
    const edit = (fields: Record<string, string>) =>
      call(adminOrgs.action, post("/admin/organizations", admin, { intent: "edit", orgId: String(org._id), ...fields }));

    const wrong = await edit({ name: "新名称研究所", creditCode: badCheck(org.creditCode!) });
    expect(wrong.status).toBe(400);
    expect(await json<Refusal>(wrong)).toMatchObject({
      intent: "edit",
      target: String(org._id),
      reply: { error: { creditCode: ["errors.uscc.check"] } },
    });
    const short = await edit({ name: "新名称研究所", creditCode: "12345" });
    expect((await json<Refusal>(short)).reply.error).toMatchObject({ creditCode: ["errors.uscc.length"] });
    const taken = await edit({ name: "新名称研究所", creditCode: other.creditCode! });
    expect(taken.status).toBe(400);
    expect((await json<Refusal>(taken)).reply.error).toMatchObject({ creditCode: ["admin.orgs.creditCodeTaken"] });
    expect((await Organization.findById(org._id).lean())!.name).toBe("待更名研究所");

    const code = makeUscc("12", "532623", "新名称研究所");
    expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
    const ok = await edit({ name: "新名称研究所", creditCode: code.toLowerCase() });
    expect(ok.status).toBe(302);
    const stored = (await Organization.findById(org._id).lean())!;
    expect(stored).toMatchObject({ name: "新名称研究所", creditCode: code });
    expect((await Achievement.findById(id).lean())!.ownerName).toBe("新名称研究所");
    const audit = await AuditEvent.findOne({ subject: org._id, action: "organizationEdited" }).lean();
    expect(audit!.reason).toContain("待更名研究所 → 新名称研究所");
  });

  it("merges a duplicate: members, listings, deals and rooms move to the organisation that stays, in one transaction; the duplicate is gone", async () => {
    const keepSeller = await person("keep@dup.cn", ["seller"], "西畴县农业科学研究所");
    const dupSeller = await person("dup@dup.cn", ["seller", "buyer"], "西畴县农科所");
    const keep = (await Organization.findOne({ name: "西畴县农业科学研究所" }).lean())!;
    const dup = (await Organization.findOne({ name: "西畴县农科所" }).lean())!;
    const sold = await listingAt(
      dupSeller,
      broker,
      "trading",
      achievementContent({ title: "重复机构的成果", price: { mode: "fixed", amount: 10_000_000 } }),
    );
    const dealId = await buyNowDeal(buyer, sold, { expectedAmountFen: 10_000_000, transactionMode: "transfer", licenseExclusivity: null });
    const other = await listingAt(keepSeller, broker, "trading", achievementContent({ title: "保留机构的成果" }));
    const roomId = await openRoom(dupSeller, { from: "listing", listingId: other });
    const demandId = await publishedDemand(dupSeller, broker, { title: "重复机构的需求" });
    const draft = await createAchievement(dupSeller, achievementContent({ title: "重复机构的草稿" }));

    // Refused: into itself, into nothing, without the confirmation.
    const self = await call(
      adminOrgs.action,
      post("/admin/organizations", admin, { intent: "merge", orgId: String(dup._id), into: String(dup._id), confirm: "yes" }),
    );
    expect((await json<Refusal>(self)).reply.error).toMatchObject({ into: ["admin.orgs.mergeSelf"] });
    const none = await call(
      adminOrgs.action,
      post("/admin/organizations", admin, { intent: "merge", orgId: String(dup._id), into: "not-a-code", confirm: "yes" }),
    );
    expect((await json<Refusal>(none)).reply.error).toMatchObject({ into: ["admin.orgs.mergeTargetMissing"] });
    const unconfirmed = await call(
      adminOrgs.action,
      post("/admin/organizations", admin, { intent: "merge", orgId: String(dup._id), into: keep.creditCode! }),
    );
    expect(unconfirmed.status).toBe(400);
    expect(await Organization.exists({ _id: dup._id })).toBeTruthy();

    // Each organisation's first person is its admin (as registration makes them).
    await User.updateMany({ _id: { $in: [keepSeller.id, dupSeller.id] } }, { $set: { orgRole: "admin" } });
    // Membership work in progress: a pending request to join the duplicate, an open invitation into it.
    const applicant = await User.create({ email: "applicant@dup.cn", name: "申请人", passwordHash: "x", roles: ["buyer"] });
    await JoinRequest.create({ organization: dup._id, user: applicant._id, status: "pending" });
    await AccountToken.create({
      purpose: "invitation",
      tokenHash: "merge-test-hash",
      organization: dup._id,
      email: "colleague@dup.cn",
      createdBy: dupSeller.id,
      expiresAt: new Date(Date.now() + 86_400_000),
    });

    // By the surviving organisation's credit code, as the admin reads it off the list.
    const res = await call(
      adminOrgs.action,
      post("/admin/organizations", admin, { intent: "merge", orgId: String(dup._id), into: keep.creditCode!, confirm: "yes" }),
    );
    expect(res.status).toBe(302);
    expect(await Organization.exists({ _id: dup._id })).toBeNull();
    expect(String((await User.findById(dupSeller.id).lean())!.organization)).toBe(String(keep._id));
    // The organisation that stays keeps its admin; the duplicate's admin joins it as a member.
    expect((await User.findById(dupSeller.id).lean())!.orgRole).toBe("member");
    expect((await User.findById(keepSeller.id).lean())!.orgRole).toBe("admin");
    // The pending request and the invitation now lead into the organisation that stays.
    expect(String((await JoinRequest.findOne({ user: applicant._id }).lean())!.organization)).toBe(String(keep._id));
    expect(String((await AccountToken.findOne({ tokenHash: "merge-test-hash" }).lean())!.organization)).toBe(String(keep._id));
    for (const a of [sold, draft]) {
      expect(await Achievement.findById(a).lean()).toMatchObject({ owner: keep._id, ownerName: "西畴县农业科学研究所" });
    }
    expect(await Demand.findById(demandId).lean()).toMatchObject({ enterprise: keep._id, enterpriseName: "西畴县农业科学研究所" });
    expect(String((await Deal.findById(dealId).lean())!.seller.organization)).toBe(String(keep._id));
    expect(String((await DealRoom.findById(roomId).lean())!.buyer!.organization)).toBe(String(keep._id));
    // Nothing anywhere points to the removed organisation.
    for (const [model, filter] of [
      [User, { organization: dup._id }],
      [JoinRequest, { organization: dup._id }],
      [AccountToken, { organization: dup._id }],
      [Achievement, { owner: dup._id }],
      [Demand, { enterprise: dup._id }],
      [Deal, { $or: [{ "seller.organization": dup._id }, { "buyer.organization": dup._id }] }],
      [DealRoom, { $or: [{ "seller.organization": dup._id }, { "buyer.organization": dup._id }] }],
    ] as const) {
      expect(await (model as typeof User).countDocuments(filter as Record<string, unknown>)).toBe(0);
    }
    // The moved member now acts for the surviving organisation.
    const session = await getUserForSession(await newSession(dupSeller.id));
    expect(session!.organization).toMatchObject({ id: String(keep._id), name: "西畴县农业科学研究所" });
    const audit = await AuditEvent.findOne({ subjectType: "organization", subject: keep._id, action: "organizationMerged" }).lean();
    expect(audit!.reason).toContain("西畴县农科所");
    expect(audit!.actorName).toBe(admin.name);
  });

  it("merges all or nothing: a failure halfway leaves every reference where it was", async () => {
    const a = await person("a@atomic.cn", ["seller"], "原子性甲");
    await person("b@atomic.cn", ["seller"], "原子性乙");
    const dup = (await Organization.findOne({ name: "原子性甲" }).lean())!;
    const keep = (await Organization.findOne({ name: "原子性乙" }).lean())!;
    const id = await createAchievement(a, achievementContent({ title: "原子性" }));
    // The audit model refuses a write with no actor name: the transaction aborts after the moves.
    await expect(
      mergeOrganizations({ id: admin.id, name: "", roles: ["admin"], organization: null }, String(dup._id), String(keep._id)),
    ).rejects.toThrow();
    expect(await Organization.exists({ _id: dup._id })).toBeTruthy();
    expect(String((await User.findById(a.id).lean())!.organization)).toBe(String(dup._id));
    expect(String((await Achievement.findById(id).lean())!.owner)).toBe(String(dup._id));
  });
});

async function getUserForSessionByEmail(email: string) {
  const u = await User.findOne({ email }).lean();
  return u ? getUserForSession(await newSession(String(u._id))) : null;
}

async function newSession(userId: string): Promise<string> {
  const s = await Session.create({ user: userId, expiresAt: new Date(Date.now() + DAY) });
  return String(s._id);
}

describe("users", () => {
  it("disables a user: they cannot log in and their open session stops working; enabling lets them back", async () => {
    const target = await person("target@coop.cn", ["buyer"], "兴街镇三七种植专业合作社");
    const cookieSession = await newSession(target.id);
    expect(await getUserForSession(cookieSession)).not.toBeNull();
    // Their page works before.
    expect((await call(adminUsers.loader, get("/admin/users", target))).status).toBe(403);

    const res = await call(adminUsers.action, post("/admin/users", admin, { intent: "set-disabled", userId: target.id, disabled: "true" }));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ ok: true, intent: "set-disabled", target: target.id, data: { disabled: true } });
    expect(await verifyLogin("target@coop.cn", "Terraces2025")).toBeNull();
    expect(await getUserForSession(cookieSession)).toBeNull();
    expect(await Session.countDocuments({ user: target.id })).toBe(0);
    // The existing cookie is a logged-out visitor now: a page that needs a login sends them to it.
    const page = await call(adminUsers.loader, get("/admin/users", target));
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toMatch(/^\/login/);
    // And the login form refuses them.
    const login = await call(loginPage.action, post("/login", null, { email: "target@coop.cn", password: "Terraces2025" }));
    expect(login.status).toBe(400);
    expect(await AuditEvent.countDocuments({ subjectType: "user", subject: target.id, action: "userDisabled" })).toBe(1);
    const listed = await json<{ users: { email: string; disabled: boolean }[] }>(
      await call(adminUsers.loader, get("/admin/users?q=target@coop", admin)),
    );
    expect(listed.users).toEqual([expect.objectContaining({ email: "target@coop.cn", disabled: true })]);

    await call(adminUsers.action, post("/admin/users", admin, { intent: "set-disabled", userId: target.id, disabled: "false" }));
    expect(await verifyLogin("target@coop.cn", "Terraces2025")).not.toBeNull();
    expect(await AuditEvent.countDocuments({ subjectType: "user", subject: target.id, action: "userEnabled" })).toBe(1);
  });

  it("an admin cannot disable themselves", async () => {
    const res = await call(adminUsers.action, post("/admin/users", admin, { intent: "set-disabled", userId: admin.id, disabled: "true" }));
    expect(res.status).toBe(403);
    expect(await json<Refusal>(res)).toMatchObject({
      intent: "set-disabled",
      target: admin.id,
      reply: { error: { "": ["admin.errors.cannotDisableSelf"] } },
    });
    expect((await User.findById(admin.id).lean())!.disabled).toBe(false);
  });

  it("never leaves a user with no role: a field error, roles unchanged", async () => {
    const target = await person("roles@coop.cn", ["buyer", "seller"], "兴街镇三七种植专业合作社");
    const res = await call(adminUsers.action, post("/admin/users", admin, { intent: "set-roles", userId: target.id }));
    expect(res.status).toBe(400);
    expect(await json<Refusal>(res)).toMatchObject({
      intent: "set-roles",
      target: target.id,
      reply: { error: { roles: ["admin.errors.noRole"] } },
    });
    expect((await User.findById(target.id).lean())!.roles).toEqual(["buyer", "seller"]);

    const ok = await call(adminUsers.action, post("/admin/users", admin, { intent: "set-roles", userId: target.id, roles: "broker" }));
    expect(ok.status).toBe(200);
    expect((await User.findById(target.id).lean())!.roles).toEqual(["broker"]);
    const audit = await AuditEvent.findOne({ subjectType: "user", subject: target.id, action: "rolesChanged" }).lean();
    expect(audit).toMatchObject({ from: "buyer,seller", to: "broker", actorName: admin.name });
  });
});

describe("the audit log", () => {
  type Page = {
    total: number;
    page: number;
    pageCount: number;
    entries: { action: string; subject: string; actorName: string; at: string }[];
  };
  const search = async (qs: string) => {
    const res = await call(adminAudit.loader, get(`/admin/audit?${qs}`, admin));
    return { status: res.status, body: await json<Page & { errors: Record<string, string[]> | null }>(res) };
  };

  it("searches by actor, action, object id, date range and words; newest first; paginated", async () => {
    await person("audit-seller@lab.cn", ["seller"], "审计研究所");
    const auditSeller = (await getUserForSessionByEmail("audit-seller@lab.cn"))!;
    const id = await createAchievement(auditSeller, achievementContent({ title: "审计用成果" }));
    const longAgo = new Date("2026-01-05T10:00:00+08:00");
    await transitionListing(auditSeller, "achievement", id, "submit", { now: longAgo });
    await transitionListing(broker, "achievement", id, "reject", { reason: "缺少专利证书扫描件", now: longAgo });
    // Entries written at past times: the audit entry takes the transition's time only via `at`, so add one by hand.
    await AuditEvent.create({ subjectType: "achievement", subject: id, action: "edit", actorName: "旧日操作员", via: "ui", at: longAgo });

    const bySubject = await search(`subject=${id}`);
    expect(bySubject.body.entries.every((e) => e.subject === id)).toBe(true);
    expect(bySubject.body.entries.map((e) => e.action)).toContain("reject");
    // Newest first.
    const times = bySubject.body.entries.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);

    const byActor = await search(`actor=${encodeURIComponent(broker.name)}`);
    expect(byActor.body.entries.length).toBeGreaterThan(0);
    expect(byActor.body.entries.every((e) => e.actorName === broker.name)).toBe(true);
    const byActorId = await search(`actor=${broker.id}`);
    expect(byActorId.body.total).toBe(byActor.body.total);

    const byAction = await search(`action=reject&subject=${id}`);
    expect(byAction.body.entries.map((e) => e.action)).toEqual(["reject"]);

    const byText = await search(`q=${encodeURIComponent("专利证书")}`);
    expect(byText.body.entries.map((e) => e.subject)).toEqual([id]);

    const byDate = await search(`fromDate=2026-01-05&toDate=2026-01-05&subject=${id}`);
    expect(byDate.body.entries.map((e) => e.actorName)).toEqual(["旧日操作员"]);
    const afterDate = await search(`fromDate=2026-01-06&subject=${id}`);
    expect(afterDate.body.entries.map((e) => e.actorName)).not.toContain("旧日操作员");

    // 60 entries: two pages of 50.
    await AuditEvent.insertMany(
      Array.from({ length: 60 }, (_, i) => ({
        subjectType: "settings",
        subject: id,
        action: "paging",
        actorName: "分页",
        via: "system",
        at: new Date(Date.now() - i * 1000),
      })),
    );
    const p1 = await search("action=paging");
    const p2 = await search("action=paging&page=2");
    expect(p1.body).toMatchObject({ total: 60, pageCount: 2 });
    expect(p1.body.entries).toHaveLength(50);
    expect(p2.body.entries).toHaveLength(10);
  });

  it("names a filter it cannot read (400) instead of widening the search", async () => {
    const bad = await search("fromDate=2026-02-30");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ entries: [], errors: { fromDate: ["admin.audit.badDate"] } });
    const backwards = await search("fromDate=2026-03-02&toDate=2026-03-01");
    expect(backwards.body.errors).toMatchObject({ toDate: ["admin.audit.badRange"] });
    const junkId = await search("subject=zzz");
    expect(junkId.status).toBe(400);
  });
});

describe("platform settings", () => {
  const save = (fields: Record<string, string>) =>
    call(
      adminSettings.action,
      post("/admin/settings", admin, {
        noticeDays: "15",
        publicAgreementNoticeDays: "15",
        noticeTextZh: "公示说明",
        noticeTextEn: "About the notice",
        ...fields,
      }),
    );
  const noticeDays = async (id: string) => {
    const a = (await Achievement.findById(id).lean())!;
    return (a.noticeEndsAt!.getTime() - a.publishedAt!.getTime()) / DAY;
  };

  it("changes the 公示 length of newly published listings; 协议定价 by a public institution has its own, at least 15 days", async () => {
    const enterpriseSeller = await pages.person("seller@firm.cn", ["seller"], "西畴县某科技有限公司");
    await Organization.updateOne({ name: "西畴县某科技有限公司" }, { $set: { type: "enterprise" } });
    const firm = (await getUserForSessionByEmail("seller@firm.cn"))!;
    expect(enterpriseSeller.id).toBe(firm.id);

    const before = await listingAt(seller, broker, "published", achievementContent({ title: "默认公示" }));
    expect(await noticeDays(before)).toBe(15);

    const res = await save({ noticeDays: "20", publicAgreementNoticeDays: "30" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/admin/settings?done=saved");
    const fixed = await listingAt(
      seller,
      broker,
      "published",
      achievementContent({ title: "挂牌价", price: { mode: "fixed", amount: 1_000_000 } }),
    );
    expect(await noticeDays(fixed)).toBe(20);
    const agreed = await listingAt(seller, broker, "published", achievementContent({ title: "协议定价", price: { mode: "negotiable" } }));
    expect(await noticeDays(agreed)).toBe(30);
    // An enterprise's negotiated price is not a public institution's: the general length.
    const firmAgreed = await listingAt(firm, broker, "published", achievementContent({ title: "企业面议", price: { mode: "negotiable" } }));
    expect(await noticeDays(firmAgreed)).toBe(20);
    // Items already published keep their notice.
    expect(await noticeDays(before)).toBe(15);
    expect(await AuditEvent.countDocuments({ subjectType: "settings", action: "settingsChanged" })).toBe(1);
  });

  it("enforces the 15-day floor for a public institution's negotiated price, and other bad input, as field errors", async () => {
    const res = await save({ publicAgreementNoticeDays: "14" });
    expect(res.status).toBe(400);
    expect((await json<Refusal>(res)).reply.error).toMatchObject({ publicAgreementNoticeDays: ["settings.errors.publicAgreementFloor"] });
    const zero = await save({ noticeDays: "0", noticeTextZh: "" });
    expect((await json<Refusal>(zero)).reply.error).toMatchObject({
      noticeDays: ["settings.errors.days"],
      noticeTextZh: ["errors.required"],
    });
    expect(await Settings.countDocuments()).toBe(0);
    // The service holds the floor for any caller, not only the form.
    const { DEFAULT_SETTINGS } = await import("~/schemas/settings.ts");
    await expect(updateSettings({ ...admin }, { ...DEFAULT_SETTINGS, publicAgreementNoticeDays: 10 })).rejects.toBeInstanceOf(
      ValidationError,
    );
    const agreed = await listingAt(seller, broker, "published", achievementContent({ title: "仍为15天", price: { mode: "negotiable" } }));
    expect(await noticeDays(agreed)).toBe(15);
  });

  it("shows the notice text on a listing in its 公示, in the reader's language", async () => {
    await save({ noticeTextZh: "公示期内如有异议请联系西畴县科技局", noticeTextEn: "Objections: contact the Xichou bureau" });
    const now = new Date();
    const id = await createAchievement(seller, achievementContent({ title: "公示说明" }));
    await transitionListing(seller, "achievement", id, "submit", { now });
    await transitionListing(broker, "achievement", id, "approve", { now });
    const zh = await json<{ noticeText: string | null }>(await call(achievementPage.loader, get(`/achievements/${id}`, null), { id }));
    expect(zh.noticeText).toBe("公示期内如有异议请联系西畴县科技局");
    const enReq = new Request(`http://localhost/achievements/${id}`, { headers: { Cookie: "lng=en" } });
    expect((await json<{ noticeText: string | null }>(await call(achievementPage.loader, enReq, { id }))).noticeText).toBe(
      "Objections: contact the Xichou bureau",
    );
    // After the notice: no notice text.
    const old = await listingAt(seller, broker, "published", achievementContent({ title: "公示已结束" }));
    expect(
      (await json<{ noticeText: string | null }>(await call(achievementPage.loader, get(`/achievements/${old}`, null), { id: old })))
        .noticeText,
    ).toBeNull();
  });

  it("turns the demo accounts hint on the login page off (it only ever shows in demo mode)", async () => {
    try {
      setDemoMode(true);
      expect(await json(await call(loginPage.loader, get("/login", null)))).toEqual({ demo: true });
      expect((await save({ showDemoAccounts: "" })).status).toBe(302);
      expect(await json(await call(loginPage.loader, get("/login", null)))).toEqual({ demo: false });
      await save({ showDemoAccounts: "on" });
      expect(await json(await call(loginPage.loader, get("/login", null)))).toEqual({ demo: true });
      setDemoMode(false);
      expect(await json(await call(loginPage.loader, get("/login", null)))).toEqual({ demo: false });
    } finally {
      setDemoMode(false);
    }
  });

  it("another instance's change is read within the cache's lifetime; a 公示 date never uses a stale copy", async () => {
    const { platformSettings, SETTINGS_TTL_MS } = await import("~/services/settings/settings.server.ts");
    const t0 = Date.now();
    expect((await platformSettings(t0)).noticeDays).toBe(15);
    // Another instance writes straight to MongoDB.
    await Settings.updateOne({ key: "platform" }, { $set: { noticeDays: 25 } }, { upsert: true });
    expect((await platformSettings(t0 + 1)).noticeDays).toBe(15);
    expect((await platformSettings(t0 + SETTINGS_TTL_MS + 1)).noticeDays).toBe(25);
    forgetCachedSettings();
    await platformSettings();
    await Settings.updateOne({ key: "platform" }, { $set: { noticeDays: 21 } });
    // The cached copy still says 25, but publishing reads MongoDB in its transaction.
    const id = await listingAt(seller, broker, "published", achievementContent({ title: "跨实例" }));
    expect(await noticeDays(id)).toBe(21);
  });
});
