import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../seeds/demo.ts";
import { HttpClient } from "../support/http.ts";

/**
 * The HTTP edge of the running server (started like `npm start`) against what a security and
 * fault probe sent (issue 12): redirect payloads, the browser security headers, oversized and
 * malformed bodies, and the throttles of the account forms.
 */

const baseURL = inject("baseURL");

/** Where a redirect leads, resolved as a browser would: `null` when it stays on the site. */
function offSite(location: string | null): string | null {
  if (location === null) return null;
  const url = new URL(location, baseURL);
  return url.origin === new URL(baseURL).origin && !url.pathname.startsWith("//") ? null : url.href;
}

/** A client that is its own IP behind the loopback proxy, so per-IP throttles of other tests do not meet. */
let nextIp = 1;
const ownIp = () => new HttpClient(baseURL, { "X-Forwarded-For": `198.51.100.${nextIp++}` });

/** The app's resident memory in MB (its pid is in the DATA_DIR's services.json). */
/**
 * A post the server refuses while the client is still sending: the server answers 413 and closes,
 * and now and then the client's next write meets the closed socket (EPIPE / ECONNRESET) before it
 * has read the answer. Known and left: the server does not yet linger to drain (see the closing
 * note); the test retries that race, never a wrong status.
 */
async function postRefused(send: () => Promise<Response>): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const code = ((e as Error).cause as { code?: string } | undefined)?.code;
      if (attempt >= 5 || (code !== "EPIPE" && code !== "ECONNRESET")) throw e;
    }
  }
}

async function appRssMb(): Promise<number> {
  const { pid } = JSON.parse(await fs.readFile(path.join(inject("appDataDir"), "services.json"), "utf8"));
  const status = await fs.readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const REDIRECT_PAYLOADS = [
  "/%09/evil.example/phish",
  "/\t/evil.example/phish",
  "/.%2F%5Cevil.example",
  "/./\\evil.example",
  "/\\evil.example",
  "\\\\evil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "//evil.example",
  "/\r\n/evil.example",
  "/%0d%0a/evil.example",
  "/%2509/evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  " //evil.example",
];

describe("redirects after login and a language switch stay on the site", () => {
  it("POST /login with each probe payload lands on the site (302 to a same-site path)", async () => {
    const c = ownIp();
    const { csrf } = await c.page("/login");
    for (const redirectTo of REDIRECT_PAYLOADS) {
      const res = await c.post("/login", { csrf, email: "buyer@demo.chengguo.cn", password: DEMO_PASSWORD, redirectTo });
      expect(res.status, redirectTo).toBe(302);
      expect(offSite(res.headers.get("location")), redirectTo).toBeNull();
      expect(res.headers.get("location"), redirectTo).toBe("/");
    }
  });

  it("a phishing link /login?redirectTo=… puts the payload in the form, and the login still stays on the site", async () => {
    // The links as an attacker writes them: the query decodes to a tab, a backslash, "/./\\".
    for (const link of [
      "/login?redirectTo=/%09/evil.example/phish",
      "/login?redirectTo=/.%2F%5Cevil.example",
      "/login?redirectTo=/%5Cevil",
    ]) {
      const c = ownIp();
      const { html, csrf } = await c.page(link);
      // The login form's own field (the language switch in the header has one too, before it).
      const field = [...html.matchAll(/name="redirectTo" value="([^"]*)"/g)].at(-1)![1]!;
      const redirectTo = field
        .replace(/&#x27;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, "&");
      expect(redirectTo).toBe(new URL(link, baseURL).searchParams.get("redirectTo"));
      const res = await c.post("/login", { csrf, email: "buyer@demo.chengguo.cn", password: DEMO_PASSWORD, redirectTo });
      expect(res.status, link).toBe(302);
      expect(res.headers.get("location"), link).toBe("/");
    }
  });

  it("POST /set-language with each probe payload lands on the site", async () => {
    const c = ownIp();
    const { csrf } = await c.page("/");
    for (const redirectTo of REDIRECT_PAYLOADS) {
      const res = await c.post("/set-language", { csrf, lng: "en", redirectTo });
      expect(res.status, redirectTo).toBe(302);
      expect(res.headers.get("location"), redirectTo).toBe("/");
    }
  });

  it("a same-site redirectTo is kept, with its query", async () => {
    const c = ownIp();
    const { csrf } = await c.page("/login");
    const res = await c.post("/login", {
      csrf,
      email: "buyer@demo.chengguo.cn",
      password: DEMO_PASSWORD,
      redirectTo: "/search?q=三七&page=2",
    });
    expect(res.headers.get("location")).toBe("/search?q=%E4%B8%89%E4%B8%83&page=2");
    const lang = await c.post("/set-language", {
      csrf: (await c.page("/")).csrf,
      lng: "zh-CN",
      redirectTo: "/achievements?field=plateau-agriculture",
    });
    expect(lang.headers.get("location")).toBe("/achievements?field=plateau-agriculture");
  });

  it("a redirectTo with CR/LF or non-Latin-1 characters logs in (302, ASCII Location), never a 500", async () => {
    for (const redirectTo of ["/account\r\nSet-Cookie: x=1", "/成果/详情?q=三七", "/account\u2028"]) {
      const c = ownIp();
      const { csrf } = await c.page("/login");
      const res = await c.post("/login", { csrf, email: "seller@demo.chengguo.cn", password: DEMO_PASSWORD, redirectTo });
      expect(res.status, JSON.stringify(redirectTo)).toBe(302);
      const location = res.headers.get("location")!;
      expect(location).toMatch(/^\/[\x21-\x7e]*$/);
      expect(res.headers.getSetCookie().join("\n")).not.toMatch(/(^|\n)x=1/);
      expect((await c.page("/account")).res.status).toBe(200); // the session it made works
    }
    // A NUL is a control character no field takes (decision 035): refused naming the field, no session.
    const c = ownIp();
    const { csrf } = await c.page("/login");
    const res = await c.post("/login", { csrf, email: "seller@demo.chengguo.cn", password: DEMO_PASSWORD, redirectTo: "/account\u0000x" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("redirectTo: contains a control character"); // on the error page
    expect((await c.page("/account")).res.status).not.toBe(200);
  });
});

describe("browser security headers on every answer", () => {
  const expectCommon = (res: Response) => {
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    // `npm start` runs production.
    expect(res.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'(;|$)/);
    expect(csp).toMatch(/style-src 'self' 'nonce-/);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:\d+ wss:\/\/localhost:\d+/);
    return csp;
  };

  it("a page: the CSP's nonce is on each of Remix's inline scripts, and a new one per request", async () => {
    const c = new HttpClient(baseURL);
    const { res, html } = await c.page("/");
    const csp = expectCommon(res);
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) {
      if (/\bsrc=/.test(attrs)) continue;
      expect(attrs).toContain(`nonce="${nonce}"`);
    }
    expect(html).not.toMatch(/\sstyle="/); // no inline style attributes (style-src has no 'unsafe-inline')
    const again = await c.get("/");
    expect(again.headers.get("content-security-policy")).not.toContain(nonce);
  });

  it("an API answer and a file carry them too", async () => {
    const api = await fetch(`${baseURL}/api/v1/achievements`);
    expectCommon(api);
    const { html } = await new HttpClient(baseURL).page("/");
    const asset = /(\/build\/[^"]+\.js)"/.exec(html)![1]!;
    const file = await fetch(baseURL + asset);
    expect(file.status).toBe(200);
    expectCommon(file);
    expect(file.headers.get("cache-control")).toContain("max-age"); // a static file keeps its own caching
  });

  it("pages for a logged-in user are private, no-store; a visitor's page without cookies is not", async () => {
    const c = ownIp();
    expect((await c.login("seller@demo.chengguo.cn", DEMO_PASSWORD)).status).toBe(302);
    for (const p of ["/", "/rooms", "/deals", "/offers", "/notifications", "/account", "/achievements", "/my/achievements"]) {
      const res = await c.get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get("cache-control"), p).toBe("private, no-store");
    }
    const admin = ownIp();
    await admin.login("admin@demo.chengguo.cn", DEMO_PASSWORD);
    const users = await admin.get("/admin/users");
    expect(users.status).toBe(200);
    expect(users.headers.get("cache-control")).toBe("private, no-store");
    // A visitor who already has the CSRF cookie gets a page nobody's session is in.
    const visitor = new HttpClient(baseURL);
    await visitor.get("/achievements");
    const second = await visitor.get("/achievements");
    expect(second.headers.getSetCookie()).toEqual([]);
    expect(second.headers.get("cache-control") ?? "").not.toContain("private");
  });
});

describe("bounded bodies", () => {
  it("an anonymous 50 MB form post to /login is refused with 413 before it is read; the app's memory stays flat", async () => {
    const before = await appRssMb();
    const big = Buffer.alloc(50 * 1024 * 1024, "a");
    for (let i = 0; i < 3; i++) {
      const res = await postRefused(() =>
        fetch(`${baseURL}/login`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: big,
        }),
      );
      expect(res.status).toBe(413);
      expect(await res.text()).toContain("1 MB");
    }
    expect(await appRssMb()).toBeLessThan(before + 40);
  });

  it("a streamed (chunked) 50 MB form post is cut off at the limit with 413, for /login and /set-language", async () => {
    const before = await appRssMb();
    for (const target of ["/login", "/set-language"]) {
      const chunk = new Uint8Array(64 * 1024).fill(97);
      const res = await postRefused(() => {
        let sent = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 50 * 1024 * 1024) return controller.close();
            sent += chunk.byteLength;
            controller.enqueue(chunk);
          },
        });
        return fetch(baseURL + target, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body,
          duplex: "half", // Node's fetch needs it for a streamed body
        });
      });
      expect(res.status).toBe(413);
      expect(await res.text()).toContain("1 MB");
    }
    expect(await appRssMb()).toBeLessThan(before + 40);
  });

  it("the Stripe webhook refuses a body over its limit with 413, by Content-Length, before the signature", async () => {
    const res = await postRefused(() =>
      fetch(`${baseURL}/webhooks/stripe`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=x" },
        body: Buffer.alloc(20 * 1024 * 1024, "a"),
      }),
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error).toContain("512 KB");
  });

  it("a JSON API body over a small limit names the real limit (16 KB, not 0 MB)", async () => {
    const c = ownIp();
    await c.login("buyer@demo.chengguo.cn", DEMO_PASSWORD);
    const res = await fetch(`${baseURL}/api/v1/offers`, {
      method: "POST",
      headers: { Cookie: c.cookieHeader(), "Content-Type": "application/json" },
      body: JSON.stringify({ note: "x".repeat(20_000) }),
    });
    expect(res.status).toBe(413);
    const body = await res.json();
    expect(JSON.stringify(body)).toContain("16 KB");
    expect(JSON.stringify(body)).not.toContain("0 MB");
  });
});

describe("posts that are not forms", () => {
  it("POST /logout with no body or another Content-Type is a 415 naming the problem, not a 500", async () => {
    const none = await fetch(`${baseURL}/logout`, { method: "POST", redirect: "manual" });
    expect(none.status).toBe(415);
    expect(await none.text()).toContain("application/x-www-form-urlencoded");
    const json = await fetch(`${baseURL}/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(json.status).toBe(415);
    const text = await fetch(`${baseURL}/set-language`, { method: "POST", headers: { "Content-Type": "text/plain" }, body: "lng=en" });
    expect(text.status).toBe(415);
  });

  it("a broken multipart body is a 400, not a 500", async () => {
    const res = await fetch(`${baseURL}/login`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\nbroken',
    });
    expect(res.status).toBe(400);
  });
});

describe("account throttles", () => {
  it("a throttled no-JS login answers the page with 429 and Retry-After", async () => {
    const c = ownIp();
    const { csrf } = await c.page("/login");
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await c.post("/login", { csrf, email: "food@demo.chengguo.cn", password: "wrong-password-1" });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(last!.headers.get("content-type")).toContain("text/html");
    expect(await last!.text()).toContain("登录失败次数过多");
  });

  it("registration is throttled per IP: the 11th attempt within the hour is a 429 with Retry-After; another IP is not", async () => {
    const c = ownIp();
    const { csrf } = await c.page("/register");
    const attempt = (client: HttpClient, token: string) =>
      client.post("/register", {
        csrf: token,
        roles: "buyer",
        email: "buyer@demo.chengguo.cn", // taken: a well-formed attempt that creates nothing
        name: "试探者",
        password: "Terraces2025",
        confirmPassword: "Terraces2025",
        accountType: "individual",
      });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await attempt(c, csrf)).status);
    expect(statuses).toEqual(Array(10).fill(400));
    const refused = await attempt(c, csrf);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
    expect(await refused.text()).toContain("注册尝试次数过多");
    const other = ownIp();
    expect((await attempt(other, (await other.page("/register")).csrf)).status).toBe(400);
  });
});
