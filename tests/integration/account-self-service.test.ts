import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { AccountToken } from "~/models/account-token.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import { OutgoingMail } from "~/models/outgoing-mail.server.ts";
import { User } from "~/models/user.server.ts";
import * as accountPage from "~/routes/account.tsx";
import * as confirmPage from "~/routes/confirm-email.$token.tsx";
import * as forgotPage from "~/routes/forgot-password.tsx";
import * as resetPage from "~/routes/reset-password.$token.tsx";
import type { ActionFailure } from "~/schemas/action-result.ts";
import { createSession, getUserForSession, verifyLogin, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { linksIn, mailbox } from "../support/mailbox.ts";
import { pageRequests } from "../support/page-requests.ts";

/**
 * A person's own account (issue 13, point 10): the profile with a validated, normalised phone;
 * changing the password (the current one required; other sessions end); and a forgotten password
 * reset by a mailed single-use link that expires, with the same answer for unknown addresses.
 */

const pages = pageRequests({ context: { clientIp: "10.11.0.1" } });
const box = mailbox();
const tag = () => randomBytes(3).toString("hex");
const PASSWORD = "Terraces2025"; // the fixtures' password
const failure = async (res: Response) => (await res.json()) as ActionFailure;

async function sessionIdOf(user: SessionUser, request: Request) {
  const s = await sessionStorage().getSession(request.headers.get("Cookie"));
  return { id: s.get(SESSION_ID_KEY)!, user };
}

beforeAll(async () => {
  await pages.init();
});

describe("the profile", () => {
  it("saves the name, a phone in its normalised form and the language of mails; a bad phone is named on its field", async () => {
    const user = await pages.person(`profile-${tag()}@self.cn`, ["buyer"], null);
    const bad = await pages.call(accountPage.action, pages.post("/account", user, { intent: "profile", name: "杨社长", phone: "12345" }));
    expect(bad.status).toBe(400);
    expect((await failure(bad)).reply.error!.phone).toEqual(["profile.errors.phone"]);
    const noName = await pages.call(accountPage.action, pages.post("/account", user, { intent: "profile", name: " ", phone: "" }));
    expect((await failure(noName)).reply.error!.name).toEqual(["errors.required"]);

    const saved = await pages.call(
      accountPage.action,
      pages.post("/account", user, { intent: "profile", name: "合作社 杨社长", phone: "+86 138 1234 5678", locale: "en" }),
    );
    expect(saved.status).toBe(302);
    expect(saved.headers.get("Location")).toBe("/account?done=profile");
    expect(saved.headers.get("Set-Cookie")).toContain("lng=en");
    expect(await User.findById(user.id).lean()).toMatchObject({ name: "合作社 杨社长", phone: "13812345678", locale: "en" });
    const page = await (await pages.call(accountPage.loader, pages.get("/account", user))).json();
    expect(page.profile).toEqual({ name: "合作社 杨社长", email: user.email, phone: "13812345678", locale: "en" });

    await pages.call(
      accountPage.action,
      pages.post("/account", user, { intent: "profile", name: "合作社 杨社长", phone: "0876 212 3456" }),
    );
    expect(await User.findById(user.id).lean()).toMatchObject({ phone: "0876-2123456" });
    expect((await User.findById(user.id).lean())!.locale).toBeUndefined();
    expect(await AuditEvent.countDocuments({ subjectType: "user", subject: user.id, action: "profileEdited" })).toBe(2);
  });
});

describe("changing the password", () => {
  it("needs the current password, applies the strength rules, and ends every other session", async () => {
    const user = await pages.person(`change-${tag()}@self.cn`, ["seller"], null);
    const other = await createSession(user.id, "another phone");
    const change = (fields: Record<string, string>) =>
      pages.call(accountPage.action, pages.post("/account", user, { intent: "password", ...fields }));

    const wrong = await change({ currentPassword: "not-it-123", newPassword: "Karst2025new", confirmPassword: "Karst2025new" });
    expect((await failure(wrong)).reply.error!.currentPassword).toEqual(["profile.errors.currentPasswordWrong"]);
    const weak = await change({ currentPassword: PASSWORD, newPassword: "short", confirmPassword: "short" });
    expect((await failure(weak)).reply.error!.newPassword).toEqual(["errors.passwordWeak"]);
    expect(await getUserForSession(other)).not.toBeNull();

    const done = await change({ currentPassword: PASSWORD, newPassword: "Karst2025new", confirmPassword: "Karst2025new" });
    expect(done.headers.get("Location")).toBe("/account?done=password");
    expect(await getUserForSession(other)).toBeNull();
    const mine = await sessionIdOf(user, pages.get("/account", user));
    expect(await getUserForSession(mine.id)).toMatchObject({ id: user.id });
    expect(await verifyLogin(user.email, PASSWORD)).toBeNull();
    expect(await verifyLogin(user.email, "Karst2025new")).toMatchObject({ id: user.id });
  });
});

describe("changing the email", () => {
  it("needs the current password and a link mailed to the new address; then the account logs in with the new one, once", async () => {
    const user = await pages.person(`old-${tag()}@self.cn`, ["buyer"], null);
    const newEmail = `new-${tag()}@self.cn`;
    const ask = (fields: Record<string, string>) =>
      pages.call(accountPage.action, pages.post("/account", user, { intent: "email", ...fields }));

    const wrong = await ask({ newEmail, currentPassword: "not-it-123" });
    expect((await failure(wrong)).reply.error!.currentPassword).toEqual(["profile.errors.currentPasswordWrong"]);
    const same = await ask({ newEmail: user.email.replace("old-", "OLD-"), currentPassword: PASSWORD });
    expect((await failure(same)).reply.error!.newEmail).toEqual(["profile.errors.sameEmail"]);
    const someoneElse = await pages.person(`taken-${tag()}@self.cn`, ["buyer"], null);
    const taken = await ask({ newEmail: someoneElse.email, currentPassword: PASSWORD });
    expect((await failure(taken)).reply.error!.newEmail).toEqual(["errors.emailTaken"]);
    const bad = await ask({ newEmail: "not an email", currentPassword: PASSWORD });
    expect((await failure(bad)).reply.error!.newEmail).toEqual(["errors.email"]);

    const sent = await ask({ newEmail, currentPassword: PASSWORD });
    expect(sent.headers.get("Location")).toBe("/account?done=emailSent");
    // Nothing changes until the new address confirms.
    expect(await User.findById(user.id).lean()).toMatchObject({ email: user.email });
    const mail = await box.waitFor(newEmail);
    expect(mail.subject).toBe("确认您的新邮箱");
    const link = new URL(linksIn(mail)[0]!);
    const token = link.pathname.split("/")[2]!;
    expect(link.pathname).toBe(`/confirm-email/${token}`);

    // Opening the link changes nothing (mail scanners fetch links); the button does.
    const shown = await pages.call(confirmPage.loader, pages.get(link.pathname, null), { token });
    expect(await shown.json()).toEqual({ email: newEmail });
    expect(await User.findById(user.id).lean()).toMatchObject({ email: user.email });
    const confirmed = await pages.call(confirmPage.action, pages.post(link.pathname, null, {}), { token });
    expect(confirmed.headers.get("Location")).toBe("/login?done=emailChanged");
    expect(await verifyLogin(newEmail, PASSWORD)).toMatchObject({ id: user.id });
    expect(await verifyLogin(user.email, PASSWORD)).toBeNull();

    expect((await pages.call(confirmPage.loader, pages.get(link.pathname, null), { token })).status).toBe(410);
    const again = await pages.call(confirmPage.action, pages.post(link.pathname, null, {}), { token });
    expect((await failure(again)).reply.error![""]).toEqual(["profile.errors.emailLinkInvalid"]);
    expect(
      await AuditEvent.exists({ subjectType: "user", subject: user.id, action: "emailChanged", from: user.email, to: newEmail }),
    ).toBeTruthy();
  });
});

describe("a forgotten password", () => {
  it("is reset by the mailed link, once: the old password stops working and every session ends", async () => {
    const user = await pages.person(`forgot-${tag()}@self.cn`, ["buyer"], null);
    const session = await createSession(user.id);
    const asked = await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email: user.email.toUpperCase() }));
    expect(asked.status).toBe(200);
    expect(await asked.json()).toMatchObject({ ok: true, data: { sent: true } });

    const mail = await box.waitFor(user.email);
    expect(mail.subject).toBe("重置您的密码");
    const link = new URL(linksIn(mail)[0]!);
    const token = link.pathname.split("/")[2]!;
    expect(link.pathname).toBe(`/reset-password/${token}`);
    const stored = (await AccountToken.findOne({ user: user.id, purpose: "password-reset" }).lean())!;
    expect(stored.tokenHash).not.toBe(token);
    expect(Math.round((stored.expiresAt.getTime() - stored.createdAt.getTime()) / 60_000)).toBe(60);

    expect((await pages.call(resetPage.loader, pages.get(link.pathname, null), { token })).status).toBe(200);
    const mismatch = await pages.call(
      resetPage.action,
      pages.post(link.pathname, null, { newPassword: "Karst2025rst", confirmPassword: "other" }),
      { token },
    );
    expect((await failure(mismatch)).reply.error!.confirmPassword).toEqual(["errors.passwordMismatch"]);
    const reset = await pages.call(
      resetPage.action,
      pages.post(link.pathname, null, { newPassword: "Karst2025rst", confirmPassword: "Karst2025rst" }),
      {
        token,
      },
    );
    expect(reset.status).toBe(302);
    expect(reset.headers.get("Location")).toBe("/login?done=passwordReset");
    expect(await getUserForSession(session)).toBeNull();
    expect(await verifyLogin(user.email, PASSWORD)).toBeNull();
    expect(await verifyLogin(user.email, "Karst2025rst")).toMatchObject({ id: user.id });

    // Once: the link is dead now.
    expect((await pages.call(resetPage.loader, pages.get(link.pathname, null), { token })).status).toBe(410);
    const again = await pages.call(
      resetPage.action,
      pages.post(link.pathname, null, { newPassword: "Karst2025two", confirmPassword: "Karst2025two" }),
      {
        token,
      },
    );
    expect(again.status).toBe(400);
    expect((await failure(again)).reply.error![""]).toEqual(["passwordReset.errors.linkInvalid"]);
    expect(await verifyLogin(user.email, "Karst2025two")).toBeNull();
  });

  it("answers an unknown address exactly as a known one, and sends nothing", async () => {
    const known = await pages.person(`known-${tag()}@self.cn`, ["buyer"], null);
    const unknown = `nobody-${tag()}@self.cn`;
    const a = await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email: known.email }));
    const b = await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email: unknown }));
    expect([b.status, await b.text()]).toEqual([a.status, await a.text()]);
    await box.waitFor(known.email);
    expect(await OutgoingMail.countDocuments({ to: unknown })).toBe(0);
  });

  it("expires after an hour, and a newer link replaces an older one", async () => {
    const user = await pages.person(`expire-${tag()}@self.cn`, ["buyer"], null);
    await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email: user.email }));
    const first = new URL(linksIn(await box.waitFor(user.email))[0]!).pathname.split("/")[2]!;
    await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email: user.email }));
    await expect.poll(async () => (await box.to(user.email)).length).toBe(2);
    const second = new URL(linksIn((await box.to(user.email))[1]!)[0]!).pathname.split("/")[2]!;
    expect((await pages.call(resetPage.loader, pages.get(`/reset-password/${first}`, null), { token: first })).status).toBe(410);
    expect((await pages.call(resetPage.loader, pages.get(`/reset-password/${second}`, null), { token: second })).status).toBe(200);

    await AccountToken.updateMany({ user: user.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await pages.call(resetPage.loader, pages.get(`/reset-password/${second}`, null), { token: second })).status).toBe(410);
  });

  it("is throttled per address: the fourth request within the hour is refused with Retry-After", async () => {
    const email = `throttle-${tag()}@self.cn`;
    for (let i = 0; i < 3; i++) {
      expect((await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email }))).status).toBe(200);
    }
    const refused = await pages.call(forgotPage.action, pages.post("/forgot-password", null, { email }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});
