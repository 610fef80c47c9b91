import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { Organization } from "~/models/organization.server.ts";
import { Session } from "~/models/session.server.ts";
import { User } from "~/models/user.server.ts";
import { RegisterSchema, type RegisterInput } from "~/schemas/account.ts";
import {
  createSession,
  endSession,
  getUserForSession,
  getUsersForSessions,
  listUsers,
  registerUser,
  setUserRoles,
  verifyLogin,
} from "~/services/accounts/accounts.server.ts";
import { ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { makeUscc } from "../../seeds/factories.ts";

let n = 0;
function input(over: Partial<RegisterInput> = {}): RegisterInput {
  n += 1;
  return RegisterSchema.parse({
    email: `user${n}@example.cn`,
    name: `用户${n}`,
    password: "Terraces2025",
    confirmPassword: "Terraces2025",
    roles: ["buyer"],
    accountType: "enterprise",
    orgName: `西畴县测试企业${n}`,
    creditCode: makeUscc("91", "532623", `org-${n}-${Math.random()}`),
    ...over,
    ...(over.password ? { confirmPassword: over.password } : {}),
  });
}

describe("registration", () => {
  it("creates the user with a hashed password and their organisation", async () => {
    const i = input({ roles: ["seller", "buyer"] });
    const user = await registerUser(i);
    expect(user.roles).toEqual(["seller", "buyer"]);
    expect(user.organization).toMatchObject({ name: i.orgName, type: "enterprise" });
    const stored = await User.findById(user.id).select("+passwordHash").lean();
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored!.passwordHash).not.toContain("Terraces2025");
    expect(await Organization.countDocuments({ creditCode: i.creditCode })).toBe(1);
  });

  it("refuses a duplicate email without creating a second organisation", async () => {
    const first = input();
    await registerUser(first);
    const orgsBefore = await Organization.countDocuments();
    const again = input({ email: first.email.toUpperCase() });
    await expect(registerUser(again)).rejects.toMatchObject({ fieldErrors: { email: ["errors.emailTaken"] } });
    expect(await Organization.countDocuments()).toBe(orgsBefore);
  });

  it("answers a credit code that is already registered with the organisation's name and the offer to ask to join", async () => {
    const first = input();
    await registerUser(first);
    const err = await registerUser(input({ creditCode: first.creditCode })).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors).toEqual({ creditCode: [`errors.orgExistsJoin?org=${encodeURIComponent(first.orgName!)}`] });
  });

  it("lets only one of two simultaneous registrations with the same email through", async () => {
    const a = input();
    const b = input({ email: a.email });
    const results = await Promise.allSettled([registerUser(a), registerUser(b)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await User.countDocuments({ email: a.email })).toBe(1);
    // The loser's organisation was rolled back with its user: no orphan organisation.
    expect(await Organization.countDocuments({ name: { $in: [a.orgName!, b.orgName!] } })).toBe(1);
  });

  it("registers an individual without an organisation code", async () => {
    const user = await registerUser(input({ accountType: "individual", orgName: undefined, creditCode: undefined }));
    expect(user.organization?.type).toBe("individual");
  });
});

describe("login and sessions", () => {
  it("verifies the password and refuses a wrong one or an unknown email", async () => {
    const i = input();
    await registerUser(i);
    expect((await verifyLogin(i.email, "Terraces2025"))?.email).toBe(i.email);
    expect(await verifyLogin(i.email, "terraces2025")).toBeNull();
    expect(await verifyLogin("nobody@example.cn", "Terraces2025")).toBeNull();
  });

  it("a disabled user can neither log in nor keep using a session", async () => {
    const i = input();
    const user = await registerUser(i);
    const sid = await createSession(user.id);
    expect((await getUserForSession(sid))?.id).toBe(user.id);
    await User.updateOne({ _id: user.id }, { disabled: true });
    expect(await verifyLogin(i.email, "Terraces2025")).toBeNull();
    expect(await getUserForSession(sid)).toBeNull();
  });

  it("logout ends the session on the server, and expired sessions do not count", async () => {
    const user = await registerUser(input());
    const sid = await createSession(user.id);
    await endSession(sid);
    expect(await getUserForSession(sid)).toBeNull();
    const old = await createSession(user.id);
    await Session.updateOne({ _id: old }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await getUserForSession(old)).toBeNull();
    expect(await getUserForSession("not-an-id")).toBeNull();
  });

  it("many sessions read at once: each answers as alone, in order, in three queries however many", async () => {
    const users = await Promise.all(Array.from({ length: 30 }, () => registerUser(input())));
    const sessions = await Promise.all(users.map((u) => createSession(u.id)));
    const second = await createSession(users[0]!.id); // two sessions of one person
    await User.updateOne({ _id: users[1]!.id }, { disabled: true });
    await Session.updateOne({ _id: sessions[2] }, { expiresAt: new Date(Date.now() - 1000) });
    await endSession(sessions[3]!);
    const ids = [...sessions, second, "not-an-id", String(new mongoose.Types.ObjectId())];

    const queries: string[] = [];
    mongoose.set("debug", (collection: string, method: string) => void queries.push(`${collection}.${method}`));
    let batch: Awaited<ReturnType<typeof getUsersForSessions>>;
    try {
      batch = await getUsersForSessions(ids);
    } finally {
      mongoose.set("debug", false);
    }
    expect(queries).toHaveLength(3);
    const alone = await Promise.all(ids.map((id) => getUserForSession(id)));
    expect(batch).toEqual(alone);
    expect(batch.map((u) => u?.id ?? null)).toEqual([
      users[0]!.id,
      null, // disabled
      null, // expired
      null, // logged out
      ...users.slice(4).map((u) => u.id),
      users[0]!.id,
      null,
      null,
    ]);
    expect(batch[0]!.organization?.name).toBe(users[0]!.organization?.name);
  });
});

describe("admin: users and roles", () => {
  it("an admin grants roles; a non-admin cannot list or change them", async () => {
    const admin = await registerUser(input());
    await User.updateOne({ _id: admin.id }, { roles: ["admin"] });
    const adminActor = { id: admin.id, roles: ["admin" as const] };
    const target = await registerUser(input());

    await setUserRoles(adminActor, target.id, ["broker", "buyer"]);
    expect((await User.findById(target.id).lean())!.roles).toEqual(["broker", "buyer"]);

    const seller = { id: target.id, roles: ["seller" as const] };
    await expect(setUserRoles(seller, target.id, ["admin"])).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listUsers(seller, { page: 1 })).rejects.toBeInstanceOf(ForbiddenError);
    expect((await User.findById(target.id).lean())!.roles).toEqual(["broker", "buyer"]);
  });

  it("an admin cannot remove their own admin role", async () => {
    const admin = await registerUser(input());
    await User.updateOne({ _id: admin.id }, { roles: ["admin"] });
    await expect(setUserRoles({ id: admin.id, roles: ["admin"] }, admin.id, ["seller"])).rejects.toThrow("errors.cannotDropOwnAdmin");
    expect((await User.findById(admin.id).lean())!.roles).toEqual(["admin"]);
  });

  it("lists users by role and finds them by organisation name", async () => {
    const i = input({ orgName: "文山州独特名称农机有限公司", roles: ["seller"] });
    await registerUser(i);
    const actor = { id: "x", roles: ["admin" as const] };
    const byOrg = await listUsers(actor, { q: "独特名称农机", page: 1 });
    expect(byOrg.users.map((u) => u.email)).toEqual([i.email]);
    const sellers = await listUsers(actor, { role: "seller", page: 1 });
    expect(sellers.users.every((u) => u.roles.includes("seller"))).toBe(true);
    expect(sellers.users.map((u) => u.email)).toContain(i.email);
  });
});
