import { describe, expect, it } from "vitest";
import { safeRedirect } from "~/web/auth.server.ts";
import { formatBytes } from "~/web/body.server.ts";
import { contentSecurityPolicy, HSTS, securityHeaders } from "../../server/security-headers.ts";

describe("safeRedirect: only a path of this site, read as a browser reads it", () => {
  it.each([
    "/%09/evil.example/phish",
    "/\t/evil.example/phish",
    "/.%2F%5Cevil.example",
    "/./\\evil.example",
    "/\t/evil",
    "\\\\evil",
    "/%5Cevil",
    "/\\evil",
    "//evil.example",
    "/%2F/evil.example",
    "/%252F%252Fevil.example",
    "/\r\n/evil.example",
    "/\n/evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    " /evil",
    "evil.example",
    "",
  ])("refuses %j", (to) => {
    expect(safeRedirect(to, "/home")).toBe("/home");
  });

  it.each([
    ["/", "/"],
    ["/achievements?field=plateau-agriculture#top", "/achievements?field=plateau-agriculture#top"],
    ["/search?q=三七", "/search?q=%E4%B8%89%E4%B8%83"],
    ["/account\r\n", "/account"],
    ["/a b", "/a%20b"],
    ["/search?q=%2F%2Fx", "/search?q=%2F%2Fx"],
    ["/100%", "/100%"],
  ])("keeps %j as %j (ASCII, a valid Location)", (to, expected) => {
    expect(safeRedirect(to)).toBe(expected);
  });

  it("ignores what is not a string", () => {
    expect(safeRedirect(null)).toBe("/");
    expect(safeRedirect(new File([], "x"))).toBe("/");
  });
});

describe("formatBytes: a limit as people read it", () => {
  it("never says 0 MB", () => {
    expect(formatBytes(16 * 1024)).toBe("16 KB");
    expect(formatBytes(512 * 1024)).toBe("512 KB");
    expect(formatBytes(1024 * 1024)).toBe("1 MB");
    expect(formatBytes(32 * 1024 * 1024)).toBe("32 MB");
    expect(formatBytes(500)).toBe("500 bytes");
  });
});

describe("security headers", () => {
  function run(production: boolean, headers: Record<string, string> = {}) {
    const set = new Map<string, string>();
    const res = {
      locals: {} as Record<string, unknown>,
      setHeader: (k: string, v: string) => set.set(k.toLowerCase(), v),
      getHeader: (k: string) => set.get(k.toLowerCase()),
      writeHead: () => res,
    };
    let called = false;
    securityHeaders({ production })({ headers } as never, res as never, () => (called = true));
    expect(called).toBe(true);
    return { set, res };
  }

  it("HSTS in production only", () => {
    expect(run(true).set.get("strict-transport-security")).toBe(HSTS);
    expect(run(false).set.has("strict-transport-security")).toBe(false);
  });

  it("a session's answer is private, no-store unless the route chose its caching", () => {
    const personal = run(false, { cookie: "csrf=1; __session=abc" });
    personal.res.writeHead();
    expect(personal.set.get("cache-control")).toBe("private, no-store");
    const own = run(false, { cookie: "__session=abc" });
    own.set.set("cache-control", "public, max-age=60");
    own.res.writeHead();
    expect(own.set.get("cache-control")).toBe("public, max-age=60");
    const visitor = run(false, {});
    visitor.res.writeHead();
    expect(visitor.set.has("cache-control")).toBe(false);
  });

  it("a Host that is not a plain host name adds nothing to the policy", () => {
    expect(contentSecurityPolicy("n", "localhost:3000")).toContain("connect-src 'self' ws://localhost:3000 wss://localhost:3000;");
    expect(contentSecurityPolicy("n", "x; script-src *")).toContain("connect-src 'self';");
    expect(contentSecurityPolicy("n", "x; script-src *")).not.toContain("script-src *");
  });
});
