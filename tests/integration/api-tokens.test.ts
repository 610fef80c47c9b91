import { execFile } from "node:child_process";
import { promisify } from "node:util";
import mongoose from "mongoose";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ApiToken } from "~/models/api-token.server.ts";
import { User } from "~/models/user.server.ts";
import * as adminTokens from "~/routes/admin.tokens.tsx";
import { loader as listAchievements } from "~/routes/api.v1.achievements._index.ts";
import { createSession, getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import {
  authenticateApiToken,
  CLI_ISSUER,
  createApiToken,
  hashToken,
  LAST_USED_THROTTLE_MS,
  listApiTokens,
  revokeApiToken,
} from "~/services/accounts/api-tokens.server.ts";
import { AuthenticationError, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { ROOT } from "../setup/tmp.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";
import { csrfProtection } from "~/web/forms.server.ts";

const run = promisify(execFile);
const BASE = "http://localhost";

let adminUser: SessionUser;
let sellerUser: SessionUser;

beforeAll(async () => {
  const a = await upsertUser({ email: "admin@tokens.test", name: "管理员（测试）", password: "Demo1234", roles: ["admin"] });
  adminUser = (await getSessionUserById(String(a._id)))!;
  const org = await upsertOrganization({ name: "文山学院（令牌测试）", type: "university", region: "532601" });
  const s = await upsertUser({
    email: "seller@tokens.test",
    name: "张教授",
    password: "Demo1234",
    roles: ["seller", "buyer"],
    organization: org,
  });
  sellerUser = (await getSessionUserById(String(s._id)))!;
});

describe("API tokens", () => {
  it("look like cg_ + 43 base64url characters; only a hash and a short prefix are stored", async () => {
    const { token, view } = await createApiToken(CLI_ISSUER, { name: "州平台", roles: ["admin", "broker"] });
    expect(token).toMatch(/^cg_[A-Za-z0-9_-]{43}$/);
    expect(view.prefix).toBe(token.slice(0, 10));
    const stored = await ApiToken.findById(view.id).lean();
    expect(stored!.hash).toBe(hashToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(view.roles).toEqual(["broker", "admin"]);
  });

  it("authenticate a bearer header; unknown, malformed and revoked tokens are refused", async () => {
    const { token, view } = await createApiToken(CLI_ISSUER, { name: "只读", roles: ["buyer"] });
    const p = await authenticateApiToken(`Bearer ${token}`);
    expect(p).toMatchObject({ name: "只读", roles: ["buyer"], user: null });
    await expect(authenticateApiToken(null)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(authenticateApiToken(`Basic ${token}`)).rejects.toBeInstanceOf(AuthenticationError);
    await expect(authenticateApiToken(`Bearer ${token.slice(0, -1)}x`)).rejects.toMatchObject({ message: "apiErrors.tokenInvalid" });
    await revokeApiToken(CLI_ISSUER, view.id);
    await expect(authenticateApiToken(`Bearer ${token}`)).rejects.toMatchObject({ message: "apiErrors.tokenRevoked" });
    // Revoking twice is harmless and keeps the first time.
    const first = (await ApiToken.findById(view.id).lean())!.revokedAt;
    await revokeApiToken(CLI_ISSUER, view.id);
    expect((await ApiToken.findById(view.id).lean())!.revokedAt).toEqual(first);
  });

  it("record lastUsedAt, at most once a minute", async () => {
    const { token, view } = await createApiToken(CLI_ISSUER, { name: "同步", roles: ["broker"] });
    expect((await ApiToken.findById(view.id).lean())!.lastUsedAt ?? null).toBeNull();
    const t0 = new Date("2026-03-01T08:00:00Z");
    await authenticateApiToken(`Bearer ${token}`, t0);
    await authenticateApiToken(`Bearer ${token}`, new Date(t0.getTime() + 10_000));
    expect((await ApiToken.findById(view.id).lean())!.lastUsedAt).toEqual(t0);
    const later = new Date(t0.getTime() + LAST_USED_THROTTLE_MS + 1);
    await authenticateApiToken(`Bearer ${token}`, later);
    expect((await ApiToken.findById(view.id).lean())!.lastUsedAt).toEqual(later);
  });

  it("a personal token acts as its user, with no more than the user's current roles", async () => {
    const { token, view } = await createApiToken(CLI_ISSUER, { name: "张教授的同步", userEmail: "SELLER@tokens.test" });
    expect(view.roles).toEqual(["seller", "buyer"]);
    expect(view.user?.email).toBe("seller@tokens.test");
    const p = await authenticateApiToken(`Bearer ${token}`);
    expect(p.actor).toMatchObject({ id: sellerUser.id, name: "张教授的同步", organization: { name: "文山学院（令牌测试）" } });

    await expect(createApiToken(CLI_ISSUER, { name: "越权", roles: ["admin"], userEmail: "seller@tokens.test" })).rejects.toMatchObject({
      fieldErrors: { roles: ["tokens.errors.roleNotHeld"] },
    });
    await User.updateOne({ _id: sellerUser.id }, { $set: { roles: ["seller"] } });
    expect((await authenticateApiToken(`Bearer ${token}`)).roles).toEqual(["seller"]);
    await User.updateOne({ _id: sellerUser.id }, { $set: { disabled: true } });
    await expect(authenticateApiToken(`Bearer ${token}`)).rejects.toMatchObject({ message: "apiErrors.tokenUserDisabled" });
    await User.updateOne({ _id: sellerUser.id }, { $set: { disabled: false, roles: ["seller", "buyer"] } });
  });

  it("refuse bad input with the field named, and only admins may manage them", async () => {
    const err = (p: Promise<unknown>) => p.catch((e) => e);
    expect(await err(createApiToken(CLI_ISSUER, { name: " ", roles: ["admin"] }))).toMatchObject({
      fieldErrors: { name: ["errors.required"] },
    });
    expect(await err(createApiToken(CLI_ISSUER, { name: "无角色", roles: [] }))).toMatchObject({
      fieldErrors: { roles: ["errors.rolesRequired"] },
    });
    expect(await err(createApiToken(CLI_ISSUER, { name: "x", userEmail: "nobody@tokens.test" }))).toBeInstanceOf(ValidationError);
    const seller = { id: sellerUser.id, name: sellerUser.name, roles: sellerUser.roles };
    expect(await err(createApiToken(seller, { name: "x", roles: ["admin"] }))).toBeInstanceOf(ForbiddenError);
    expect(await err(listApiTokens(seller))).toBeInstanceOf(ForbiddenError);
  });
});

describe("the API with a token", () => {
  it("answers 401 in the JSON envelope without a token and 200 with one; the call marks the token used", async () => {
    const { token, view } = await createApiToken(CLI_ISSUER, { name: "读取", roles: ["buyer"] });
    const noToken = await listAchievements({
      request: new Request(`${BASE}/api/v1/achievements`),
      params: {},
      context: { clientIp: "::1" },
    });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: { status: 401, code: "unauthorized" } });
    const ok = await listAchievements({
      request: new Request(`${BASE}/api/v1/achievements`, { headers: { Authorization: `Bearer ${token}` } }),
      params: {},
      context: { clientIp: "::1" },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ items: [], nextCursor: null, hasMore: false });
    expect((await ApiToken.findById(view.id).lean())!.lastUsedAt).toBeInstanceOf(Date);
  });
});

describe("/admin/tokens", () => {
  let csrf: { token: string; cookie: string };
  const args = (request: Request) => ({ request, params: {}, context: { clientIp: "::1" } });
  async function cookieOf(user: SessionUser) {
    const storage = sessionStorage();
    const session = await storage.getSession();
    session.set(SESSION_ID_KEY, await createSession(user.id));
    return (await storage.commitSession(session)).split(";")[0]!;
  }
  async function post(user: SessionUser, fields: [string, string][]) {
    const body = new URLSearchParams([...fields, ["csrf", csrf.token]]);
    const request = new Request(`${BASE}/admin/tokens`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: `${await cookieOf(user)}; ${csrf.cookie}` },
      body,
    });
    return adminTokens.action(args(request)).catch((e) => e as Response);
  }

  beforeAll(async () => {
    const [token, cookie] = await csrfProtection().commitToken(new Request(BASE));
    csrf = { token: token as string, cookie: (cookie as string).split(";")[0]! };
  });

  it("creates a token for an admin, shows it once, and lists it by prefix afterwards", async () => {
    const res = await post(adminUser, [
      ["intent", "create"],
      ["name", "州平台（网页创建）"],
      ["roles", "broker"],
      ["roles", "bureau"],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const data = await res.json();
    expect(data.created.token).toMatch(/^cg_/);
    expect((await authenticateApiToken(`Bearer ${data.created.token}`)).roles).toEqual(["broker", "bureau"]);

    const list = await adminTokens.loader(args(new Request(`${BASE}/admin/tokens`, { headers: { Cookie: await cookieOf(adminUser) } })));
    const { tokens } = await list.json();
    const row = tokens.find((t: { name: string }) => t.name === "州平台（网页创建）");
    expect(row).toMatchObject({ prefix: data.created.token.slice(0, 10), createdByName: "管理员（测试）", revokedAt: null });
    expect(JSON.stringify(tokens)).not.toContain(data.created.token);

    const revoke = await post(adminUser, [
      ["intent", "revoke"],
      ["tokenId", row!.id],
    ]);
    expect(revoke.status).toBe(200);
    await expect(authenticateApiToken(`Bearer ${data.created.token}`)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it("answers 400 with each field's error for bad input", async () => {
    const res = await post(adminUser, [
      ["intent", "create"],
      ["name", ""],
      ["userEmail", "nobody@tokens.test"],
    ]);
    expect(res.status).toBe(400);
    const data = await res.json();
    expect(Object.keys(data.errors)).toContain("name");
    const unknownUser = await post(adminUser, [
      ["intent", "create"],
      ["name", "个人"],
      ["userEmail", "nobody@tokens.test"],
    ]);
    expect(unknownUser.status).toBe(400);
    expect((await unknownUser.json()).errors).toEqual({ userEmail: ["tokens.errors.userUnknown"] });
  });

  it("is refused to anyone without token:manage", async () => {
    const res = await post(sellerUser, [
      ["intent", "create"],
      ["name", "偷偷"],
      ["roles", "admin"],
    ]);
    expect(res.status).toBe(403);
    expect(await ApiToken.countDocuments({ name: "偷偷" })).toBe(0);
  });
});

describe("npm run token", () => {
  // The command against this file's database, as with MONGODB_URI / MEILI_HOST set (the app stopped).
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: "test",
    MONGODB_URI: inject("mongoUri").replace(/^(mongodb:\/\/[^/]+)\/[^?]*/, `$1/${mongoose.connection.name}`),
    MEILI_HOST: inject("meiliHost"),
    MEILI_MASTER_KEY: inject("meiliKey"),
  });
  const token = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", "server/cli/token.ts", ...args], { cwd: ROOT, env: env(), encoding: "utf8" }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it("prints only the token on stdout and a confirmation on stderr; the token works", async () => {
    const r = await token("--role", "admin", "--role", "broker,bureau", "--name", "命令行创建");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cg_[A-Za-z0-9_-]{43}\n$/);
    expect(r.stderr).toMatch(/created "命令行创建" \(cg_\S{7}…\) with roles broker, bureau, admin/);
    const p = await authenticateApiToken(`Bearer ${r.stdout.trim()}`);
    expect(p).toMatchObject({ name: "命令行创建", roles: ["broker", "bureau", "admin"] });
  });

  it("makes a personal token with --user", async () => {
    const r = await token("--name", "张教授的脚本", "--user", "seller@tokens.test");
    expect(r.code).toBe(0);
    const p = await authenticateApiToken(`Bearer ${r.stdout.trim()}`);
    expect(p.actor.id).toBe(sellerUser.id);
  });

  it("exits with 2 and says what is wrong for bad arguments", async () => {
    const cases: [string[], RegExp][] = [
      [["--name", "x", "--role", "superuser"], /Unknown role: superuser/],
      [["--role", "admin"], /--name is required/],
      [["--name", "x"], /at least one --role/],
      [["--name", "x", "--role", "admin", "--colour", "red"], /Unknown option '--colour'/],
      [["--name", "x", "--user", "not-an-email"], /--user/],
      [["--name", "x", "--user", "nobody@tokens.test"], /--user: 没有使用该邮箱的有效用户/],
    ];
    for (const [args, message] of cases) {
      const r = await token(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });
});
