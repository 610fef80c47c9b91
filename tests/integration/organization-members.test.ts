import { randomBytes } from "node:crypto";
import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { AccountToken } from "~/models/account-token.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { JoinRequest } from "~/models/join-request.server.ts";
import { Notification } from "~/models/notification.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { User } from "~/models/user.server.ts";
import * as orgPage from "~/routes/account_.organization.tsx";
import * as invitePage from "~/routes/invite.$token.tsx";
import * as registerPage from "~/routes/register.tsx";
import type { ActionFailure } from "~/schemas/action-result.ts";
import { OutgoingMail } from "~/models/outgoing-mail.server.ts";
import { getUserForSession, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { INVITATION_MAILS_PER_DAY } from "~/services/accounts/membership.server.ts";
import { listNotifications } from "~/services/notifications/inbox.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { orgAdmins } from "../../server/migrations/003-org-admins.ts";
import { linksIn, mailbox } from "../support/mailbox.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * Organisations with several people (issue 13, point 10; decision 015): a second person of an
 * organisation asks to join and its admin approves; an admin invites by mail (a single-use link
 * that expires) or by a shareable link; admins manage members and an organisation never loses its
 * last admin. Driven through the pages' real loaders and actions; mails read from the catcher.
 */

const pages = pageRequests({ context: { clientIp: "10.10.0.1" } });
const box = mailbox();
const tag = () => randomBytes(3).toString("hex");

/** A person of a fresh organisation (type institute) made its admin, with a session. */
async function orgAdmin(orgName = `文山测试研究所${tag()}`) {
  const admin = await pages.person(`admin-${tag()}@members.cn`, ["seller"], orgName);
  await User.updateOne({ _id: admin.id }, { $set: { orgRole: "admin" } });
  const org = await Organization.findById(admin.organization!.id).lean();
  return { admin, org: org! };
}

async function member(orgName: string, orgRole: "admin" | "member" = "member") {
  const m = await pages.person(`member-${tag()}@members.cn`, ["seller"], orgName);
  await User.updateOne({ _id: m.id }, { $set: { orgRole } });
  return m;
}

const failure = async (res: Response) => (await res.json()) as ActionFailure;

async function sessionUserOf(setCookie: string): Promise<SessionUser | null> {
  const s = await sessionStorage().getSession(setCookie.split(";")[0]);
  return getUserForSession(s.get(SESSION_ID_KEY)!);
}

const registration = (over: Record<string, string>) => ({
  name: "新同事",
  password: "Karst2025ok",
  confirmPassword: "Karst2025ok",
  roles: "seller",
  accountType: "institute",
  orgName: "文山测试研究所",
  ...over,
});

beforeAll(async () => {
  await pages.init();
});

describe("a join request", () => {
  it("is offered when the credit code is registered; the admins are told in-app and by mail; approval makes the person a member and tells them", async () => {
    const { admin, org } = await orgAdmin();
    const email = `applicant-${tag()}@members.cn`;

    // The old dead end: now the answer names the organisation and offers to ask to join.
    const refused = await pages.call(
      registerPage.action,
      pages.post("/register", null, registration({ email, creditCode: org.creditCode! })),
    );
    expect(refused.status).toBe(400);
    const creditCodeErrors = (await failure(refused)).reply.error!.creditCode!;
    expect(creditCodeErrors[0]).toMatch(/^errors\.orgExistsJoin\?org=/);
    expect(decodeURIComponent(creditCodeErrors[0]!)).toContain(org.name);
    expect(await User.exists({ email })).toBeNull();

    const res = await pages.call(
      registerPage.action,
      pages.post(
        "/register",
        null,
        registration({ email, creditCode: org.creditCode!, joinExisting: "on", joinMessage: "我是新来的技术员" }),
      ),
    );
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/account?welcome=1&done=welcomeJoin");
    const cookie = res.headers.get("Set-Cookie")!;
    const applicant = (await sessionUserOf(cookie))!;
    // Until approved the account exists, can log in, and belongs to no organisation.
    expect(applicant).toMatchObject({ email, organization: null, orgRole: null });
    expect(await JoinRequest.countDocuments({ user: applicant.id, organization: org._id, status: "pending" })).toBe(1);

    const note = await Notification.findOne({ user: admin.id, type: "org.joinRequested" }).lean();
    expect(note).toMatchObject({ link: "/account/organization", params: { person: "新同事", email } });
    // The notifications page shows it with a link to the organisation page (not a listing).
    const inbox = await listNotifications(admin.id, { actor: admin });
    expect(inbox.items.find((n) => n.type === "org.joinRequested")).toMatchObject({ gone: false, link: "/account/organization" });
    const mail = await box.waitFor(admin.email, (m) => m.subject.includes("新同事"));
    expect(mail.subject).toBe(`新同事 申请加入「${org.name}」`);
    expect(linksIn(mail)[0]).toMatch(/\/account\/organization$/);
    // One mail per admin: the notification's own (notify() mails it), not a second copy.
    expect(await OutgoingMail.countDocuments({ to: admin.email })).toBe(1);

    // The admin sees it on the organisation page and approves it.
    const page = await (await pages.call(orgPage.loader, pages.get("/account/organization", admin))).json();
    const request = page.requests.find((r: { email: string }) => r.email === email);
    expect(request).toMatchObject({ name: "新同事", message: "我是新来的技术员" });
    const approved = await pages.call(
      orgPage.action,
      pages.post("/account/organization", admin, { intent: "approve", requestId: request.id }),
    );
    expect(approved.status).toBe(302);
    expect(approved.headers.get("Location")).toBe("/account/organization?done=approved");

    expect(await sessionUserOf(cookie)).toMatchObject({ organization: { id: String(org._id), name: org.name }, orgRole: "member" });
    const told = await box.waitFor(email);
    expect(told.subject).toBe(`您已加入「${org.name}」`);
    expect(await Notification.exists({ user: applicant.id, type: "org.joinApproved" })).toBeTruthy();
    expect(await AuditEvent.exists({ subjectType: "organization", subject: org._id, action: "joinApproved" })).toBeTruthy();
  });

  it("can be approved only by an admin of that organisation; a rejection tells the person and leaves them without one", async () => {
    const { admin, org } = await orgAdmin();
    const colleague = await member(org.name);
    const email = `rejected-${tag()}@members.cn`;
    const res = await pages.call(
      registerPage.action,
      pages.post("/register", null, registration({ email, creditCode: org.creditCode!, joinExisting: "on" })),
    );
    expect(res.status).toBe(302);
    const request = (await JoinRequest.findOne({ organization: org._id, status: "pending" }).lean())!;
    const { admin: stranger } = await orgAdmin();

    for (const who of [colleague, stranger]) {
      const refused = await pages.call(
        orgPage.action,
        pages.post("/account/organization", who, { intent: "approve", requestId: String(request._id) }),
      );
      expect(refused.status).toBeGreaterThanOrEqual(403);
    }
    expect(await JoinRequest.findById(request._id).lean()).toMatchObject({ status: "pending" });

    const rejected = await pages.call(
      orgPage.action,
      pages.post("/account/organization", admin, { intent: "reject", requestId: String(request._id) }),
    );
    expect(rejected.status).toBe(302);
    expect((await box.waitFor(email)).subject).toBe(`加入「${org.name}」的申请未通过`);
    expect(await User.findOne({ email }).lean()).toMatchObject({ email });
    expect((await User.findOne({ email }).lean())!.organization).toBeUndefined();
  });
});

describe("an invitation by email", () => {
  it("mails a link that registers the colleague straight into the organisation, and works once", async () => {
    const { admin, org } = await orgAdmin();
    const email = `invited-${tag()}@members.cn`;
    const sent = await pages.call(orgPage.action, pages.post("/account/organization", admin, { intent: "invite", email }));
    expect(sent.headers.get("Location")).toBe("/account/organization?done=invited");

    const mail = await box.waitFor(email);
    expect(mail.subject).toBe(`${admin.name} 邀请您加入「${org.name}」`);
    const link = new URL(linksIn(mail)[0]!);
    expect(link.pathname).toMatch(/^\/invite\/[\w-]{43}$/);
    const token = link.pathname.split("/")[2]!;
    // Only a hash of the token is stored.
    expect(await AccountToken.exists({ tokenHash: token })).toBeNull();

    const view = await pages.call(invitePage.loader, pages.get(link.pathname, null), { token });
    expect(view.status).toBe(200);
    expect((await view.json()).invitation).toMatchObject({ organization: { name: org.name }, email });

    const form = { intent: "register", email, name: "受邀同事", password: "Karst2025ok", confirmPassword: "Karst2025ok", roles: "seller" };
    const registered = await pages.call(invitePage.action, pages.post(link.pathname, null, form), { token });
    expect(registered.status).toBe(302);
    expect(registered.headers.get("Location")).toBe("/account?welcome=1");
    expect(await sessionUserOf(registered.headers.get("Set-Cookie")!)).toMatchObject({
      email,
      organization: { id: String(org._id) },
      orgRole: "member",
    });

    // Used: the link no longer works, for anyone.
    const again = await pages.call(invitePage.loader, pages.get(link.pathname, null), { token });
    expect(again.status).toBe(410);
    const second = await pages.call(invitePage.action, pages.post(link.pathname, null, { ...form, email: `second-${tag()}@members.cn` }), {
      token,
    });
    expect(second.status).toBe(409);
    expect((await failure(second)).reply.error![""]).toEqual(["membership.errors.invitationInvalid"]);
    expect(await User.countDocuments({ organization: org._id })).toBe(2);
  });

  it("expires after seven days, and registers only the address it was sent to", async () => {
    const { admin } = await orgAdmin();
    const email = `late-${tag()}@members.cn`;
    await pages.call(orgPage.action, pages.post("/account/organization", admin, { intent: "invite", email }));
    const token = new URL(linksIn(await box.waitFor(email))[0]!).pathname.split("/")[2]!;
    const stored = (await AccountToken.findOne({ email, purpose: "invitation" }).lean())!;
    expect(Math.round((stored.expiresAt.getTime() - stored.createdAt.getTime()) / 3_600_000)).toBe(7 * 24);

    const form = {
      intent: "register",
      email: `other-${tag()}@members.cn`,
      name: "冒用",
      password: "Karst2025ok",
      confirmPassword: "Karst2025ok",
      roles: "buyer",
    };
    const mismatch = await pages.call(invitePage.action, pages.post(`/invite/${token}`, null, form), { token });
    expect(mismatch.status).toBe(400);
    expect((await failure(mismatch)).reply.error!.email).toEqual(["membership.errors.inviteEmailMismatch"]);

    await AccountToken.updateOne({ _id: stored._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await pages.call(invitePage.loader, pages.get(`/invite/${token}`, null), { token })).status).toBe(410);
    const late = await pages.call(invitePage.action, pages.post(`/invite/${token}`, null, { ...form, email }), { token });
    expect(late.status).toBe(409);
    expect(await User.exists({ email })).toBeNull();
  });
});

describe("invitation mails", () => {
  it("are limited per organisation and day; the form says so", async () => {
    const { admin, org } = await orgAdmin();
    await AccountToken.insertMany(
      Array.from({ length: INVITATION_MAILS_PER_DAY }, (_, i) => ({
        purpose: "invitation",
        tokenHash: `earlier-${tag()}-${i}`,
        organization: org._id,
        email: `earlier-${i}@members.cn`,
        expiresAt: new Date(Date.now() + 3_600_000),
      })),
    );
    const email = `one-too-many-${tag()}@members.cn`;
    const refused = await pages.call(orgPage.action, pages.post("/account/organization", admin, { intent: "invite", email }));
    expect(refused.status).toBe(409);
    expect((await failure(refused)).reply.error![""]).toEqual([`membership.errors.tooManyInvitations?max=${INVITATION_MAILS_PER_DAY}`]);
    expect(await OutgoingMail.countDocuments({ to: email })).toBe(0);
  });
});

describe("an individual's account", () => {
  it("has no colleagues to invite", async () => {
    const me = await pages.person(`individual-${tag()}@members.cn`, ["seller"], null);
    const org = await Organization.create({ name: "个人 王老师", type: "individual" });
    await User.updateOne({ _id: me.id }, { $set: { organization: org._id, orgRole: "admin" } });
    for (const fields of <Record<string, string>[]>[{ intent: "invite", email: `friend-${tag()}@members.cn` }, { intent: "createLink" }]) {
      const refused = await pages.call(orgPage.action, pages.post("/account/organization", me, fields));
      expect(refused.status).toBe(403);
      expect((await failure(refused)).reply.error![""]).toEqual(["membership.errors.individualAccount"]);
    }
    expect(await AccountToken.countDocuments({ organization: org._id })).toBe(0);
  });
});

describe("an invitation link", () => {
  it("lets several colleagues join (a new one registers, a signed-in one without an organisation accepts) until it is revoked", async () => {
    const { admin, org } = await orgAdmin();
    const created = await pages.call(orgPage.action, pages.post("/account/organization", admin, { intent: "createLink" }));
    const { data } = (await created.json()) as { data: { url: string } };
    const token = new URL(data.url).pathname.split("/")[2]!;

    const email = `linked-${tag()}@members.cn`;
    const form = { intent: "register", email, name: "链接同事", password: "Karst2025ok", confirmPassword: "Karst2025ok", roles: "buyer" };
    expect((await pages.call(invitePage.action, pages.post(`/invite/${token}`, null, form), { token })).status).toBe(302);

    const loner = await pages.person(`loner-${tag()}@members.cn`, ["buyer"], null);
    const accepted = await pages.call(invitePage.action, pages.post(`/invite/${token}`, loner, { intent: "accept" }), { token });
    expect(accepted.headers.get("Location")).toBe("/account/organization?done=joined");
    expect(await User.countDocuments({ organization: org._id, orgRole: "member" })).toBe(2);

    const page = await (await pages.call(orgPage.loader, pages.get("/account/organization", admin))).json();
    const invitation = page.invitations.find((i: { multiUse: boolean }) => i.multiUse);
    expect(invitation).toMatchObject({ uses: 2, email: null });
    await pages.call(orgPage.action, pages.post("/account/organization", admin, { intent: "revoke", invitationId: invitation.id }));
    expect((await pages.call(invitePage.loader, pages.get(`/invite/${token}`, null), { token })).status).toBe(410);
    expect(
      await AuditEvent.countDocuments({
        subject: org._id,
        action: { $in: ["invitationLinkCreated", "memberJoined", "invitationRevoked"] },
      }),
    ).toBe(4);
  });
});

describe("managing members", () => {
  it("never leaves an organisation without an admin: the last one cannot step down, leave or be removed until another is made admin", async () => {
    const { admin, org } = await orgAdmin();
    const colleague = await member(org.name);
    const post = (who: SessionUser, fields: Record<string, string>) =>
      pages.call(orgPage.action, pages.post("/account/organization", who, fields));

    for (const fields of <Record<string, string>[]>[
      { intent: "setRole", userId: admin.id, orgRole: "member" },
      { intent: "remove", userId: admin.id },
    ]) {
      const refused = await post(admin, fields);
      expect(refused.status).toBe(409);
      expect((await failure(refused)).reply.error![""]).toEqual(["membership.errors.lastAdmin"]);
    }
    expect(await User.findById(admin.id).lean()).toMatchObject({ orgRole: "admin" });

    // A member cannot manage anyone.
    expect((await post(colleague, { intent: "setRole", userId: colleague.id, orgRole: "admin" })).status).toBe(403);

    expect((await post(admin, { intent: "setRole", userId: colleague.id, orgRole: "admin" })).status).toBe(302);
    // Now the first admin may leave; the organisation keeps its other admin.
    expect((await post(admin, { intent: "remove", userId: admin.id })).headers.get("Location")).toBe("/account/organization?done=left");
    expect((await User.findById(admin.id).lean())!.organization).toBeUndefined();
    // The new admin removes nobody else's member: someone of another organisation is not found.
    const { admin: stranger } = await orgAdmin();
    const foreign = await post(colleague, { intent: "remove", userId: stranger.id });
    expect(foreign.status).toBe(404);
    expect(await AuditEvent.exists({ subject: org._id, action: "memberRoleChanged", to: "admin" })).toBeTruthy();
    expect(await AuditEvent.exists({ subject: org._id, action: "memberLeft" })).toBeTruthy();
  });
});

describe("003-org-admins", () => {
  it("makes the earliest person of each organisation its admin and the others members, and changes nothing on a second run", async () => {
    const db = mongoose.connection.db!;
    const org = new mongoose.Types.ObjectId();
    const old = (name: string, at: string) => ({
      _id: new mongoose.Types.ObjectId(),
      email: `${name}-${tag()}@old.cn`,
      name,
      passwordHash: "x",
      roles: ["seller"],
      organization: org,
      createdAt: new Date(at),
    });
    const [second, first, third] = [old("second", "2026-02-01"), old("first", "2026-01-01"), old("third", "2026-03-01")];
    await db.collection("users").insertMany([second, first, third]);
    await orgAdmins.up(db);
    const roles = async () =>
      Object.fromEntries((await db.collection("users").find({ organization: org }).toArray()).map((u) => [u.name, u.orgRole]));
    expect(await roles()).toEqual({ first: "admin", second: "member", third: "member" });
    await db.collection("users").updateOne({ _id: first._id }, { $set: { orgRole: "member" } });
    await db.collection("users").updateOne({ _id: second._id }, { $set: { orgRole: "admin" } });
    await orgAdmins.up(db);
    expect(await roles()).toEqual({ first: "member", second: "admin", third: "member" });
  });
});

describe("the demo data", () => {
  it("has an organisation with an admin and a member, and a join request waiting for the cooperative's admin", async () => {
    const { seedDemo } = await import("../../seeds/demo.ts");
    await seedDemo();
    const wsu = (await Organization.findOne({ name: "文山学院" }).lean())!;
    const people = await User.find({ organization: wsu._id }).sort({ email: 1 }).lean();
    expect(people.map((p) => [p.email, p.orgRole])).toEqual([
      ["seller3@demo.chengguo.cn", "member"],
      ["seller@demo.chengguo.cn", "admin"],
    ]);
    const coop = (await Organization.findOne({ name: "西畴县兴街镇三七种植专业合作社" }).lean())!;
    const applicant = (await User.findOne({ email: "applicant@demo.chengguo.cn" }).lean())!;
    expect(applicant.organization).toBeUndefined();
    expect(await JoinRequest.countDocuments({ user: applicant._id, organization: coop._id, status: "pending" })).toBe(1);
    const coopAdmin = (await User.findOne({ email: "buyer@demo.chengguo.cn" }).lean())!;
    expect(coopAdmin.orgRole).toBe("admin");
    expect(await Notification.countDocuments({ user: coopAdmin._id, type: "org.joinRequested" })).toBe(1);
    // Seeding again changes nothing.
    await seedDemo();
    expect(await JoinRequest.countDocuments({ user: applicant._id })).toBe(1);
    expect(await Notification.countDocuments({ user: coopAdmin._id, type: "org.joinRequested" })).toBe(1);
  });
});
