import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, tooDeepPath } from "~/utils/json-depth.ts";

describe("tooDeepPath", () => {
  it("lets values within the limit through and names the first path beyond it", () => {
    expect(tooDeepPath({ a: [1, { b: "x" }], c: null }, 3)).toBeNull();
    expect(tooDeepPath({ a: [1, { b: {} }] }, 3)).toBe("a.1.b");
    expect(tooDeepPath({ a: {}, b: [[[]]] }, 2)).toBe("b.0");
    expect(tooDeepPath("text", 0)).toBeNull();
    expect(tooDeepPath({}, 0)).toBe("");
    expect(tooDeepPath(JSON.parse('{"__proto__":{"constructor":{"x":{}}}}'), 3)).toBe("__proto__.constructor.x");
  });

  it("walks a value nested a million levels deep without recursion", () => {
    const n = 1_000_000;
    const deep = JSON.parse("[".repeat(n) + "]".repeat(n)) as unknown;
    expect(tooDeepPath(deep)).toBe(Array.from({ length: MAX_JSON_DEPTH }, () => "0").join("."));
  });
});
