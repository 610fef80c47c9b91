import { describe, expect, it } from "vitest";
import { parseEnv } from "~/utils/env.server.ts";
import { originAllowed } from "../../server/realtime/origin.ts";

describe("socket.io handshake origins", () => {
  it("lets the site's own pages and the listed origins open a socket, and refuses any other page", () => {
    expect(originAllowed("http://localhost:3000", "localhost:3000", [])).toBe(true);
    expect(originAllowed("https://chengguo.example", "chengguo.example", [])).toBe(true);
    expect(originAllowed("https://Chengguo.Example", "chengguo.example", [])).toBe(true);
    expect(originAllowed("https://evil.example", "chengguo.example", [])).toBe(false);
    expect(originAllowed("https://chengguo.example.evil.example", "chengguo.example", [])).toBe(false);
    expect(originAllowed("http://localhost:4000", "localhost:3000", [])).toBe(false);
    expect(originAllowed("null", "chengguo.example", [])).toBe(false);
    expect(originAllowed("file://", "chengguo.example", [])).toBe(false);
    expect(originAllowed("https://evil.example", undefined, [])).toBe(false);
    expect(originAllowed("https://www.chengguo.example", "app.internal:3000", ["https://www.chengguo.example"])).toBe(true);
    // No Origin: not a browser's cross-origin request; the session check still applies.
    expect(originAllowed(undefined, "chengguo.example", [])).toBe(true);
  });

  it("reads ALLOWED_ORIGINS as a comma-separated list of http(s) origins", () => {
    expect(parseEnv({}).ALLOWED_ORIGINS).toEqual([]);
    expect(parseEnv({ ALLOWED_ORIGINS: "https://www.chengguo.example/, http://localhost:5173" }).ALLOWED_ORIGINS).toEqual([
      "https://www.chengguo.example",
      "http://localhost:5173",
    ]);
    expect(() => parseEnv({ ALLOWED_ORIGINS: "chengguo.example" })).toThrow(/ALLOWED_ORIGINS/);
    expect(() => parseEnv({ ALLOWED_ORIGINS: "ftp://chengguo.example" })).toThrow(/ALLOWED_ORIGINS/);
  });
});
