import { beforeAll, describe, expect, it } from "vitest";
import { Session } from "~/models/session.server.ts";
import { RateLimitedError } from "~/utils/errors.ts";
import { consumeRegistrationAttempt, REGISTRATIONS_PER_IP } from "~/utils/rate-limit.server.ts";
import * as loginRoute from "~/routes/login.tsx";
import { isDemoMode, setDemoMode } from "~/utils/demo-mode.server.ts";
import * as registerRoute from "~/routes/register.tsx";
import { pageRequests } from "../support/page-requests.ts";

const pages = pageRequests({ context: { clientIp: "10.9.0.1" } });

beforeAll(async () => {
  await pages.init();
});

describe("login with an awkward redirectTo (issue 12, point 11)", () => {
  it("CR/LF and non-Latin-1 characters: a 302 to an ASCII same-site path, and exactly one session per login", async () => {
    const user = await pages.person(`redirect-${Date.now()}@example.cn`, ["buyer"], null);
    for (const redirectTo of ["/account\r\nX-Evil: 1", "/成果?q=三七", "/\u2028account", "/%0d%0a/evil.example"]) {
      const before = await Session.countDocuments({ user: user.id });
      const res = await pages.call(
        loginRoute.action,
        pages.post("/login", null, { email: user.email, password: "Terraces2025", redirectTo }),
      );
      expect(res.status, JSON.stringify(redirectTo)).toBe(302);
      expect(res.headers.get("location")).toMatch(/^\/[\x21-\x7e]*$/);
      expect(res.headers.get("x-evil")).toBeNull();
      expect(await Session.countDocuments({ user: user.id })).toBe(before + 1);
    }
  });
});

describe("registration throttling (kept in MongoDB, per IP)", () => {
  it(`allows ${REGISTRATIONS_PER_IP} attempts per IP in an hour, then refuses with a Retry-After; another IP is not affected`, async () => {
    const ip = `10.8.${Date.now() % 250}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < REGISTRATIONS_PER_IP; i++) await consumeRegistrationAttempt(ip);
    const err = await consumeRegistrationAttempt(ip).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.message).toBe("errors.tooManyRegistrations");
    expect(err.retryAfterSeconds).toBeGreaterThan(3000);
    await expect(consumeRegistrationAttempt(`${ip}9`)).resolves.toBeUndefined();
  });
});

describe("registration with a weak password (issue 13, point 17)", () => {
  it("answers 400 with the weak-password message once next to the password", async () => {
    const email = `weak-${Date.now()}@example.cn`;
    const res = await pages.call(
      registerRoute.action,
      pages.post("/register", null, {
        email,
        name: "王弱",
        password: "abc",
        confirmPassword: "abc",
        roles: "buyer",
        accountType: "individual",
      }),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { reply: { error: Record<string, string[] | null> } };
    expect(body.reply.error.password).toEqual(["errors.passwordWeak"]);
    expect(
      Object.values(body.reply.error)
        .flat()
        .filter((m) => m === "errors.passwordWeak"),
    ).toHaveLength(1);
  });
});

describe("the login page's demo accounts (issue 13, point 17)", () => {
  const demoOf = async () => ((await (await pages.call(loginRoute.loader, pages.get("/login", null))).json()) as { demo: boolean }).demo;

  it("are mentioned only in demo mode (embedded, seeded database), never otherwise", async () => {
    const before = isDemoMode();
    try {
      setDemoMode(false); // an external MONGODB_URI, or no demo data
      expect(await demoOf()).toBe(false);
      setDemoMode(true);
      expect(await demoOf()).toBe(true);
    } finally {
      setDemoMode(before);
    }
  });
});
