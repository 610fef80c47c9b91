import { describe, expect, it } from "vitest";
import { z } from "zod";
import { cardErrorsToForm } from "~/components/rooms/card-form.ts";
import { resultFor } from "~/schemas/action-result.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { serviceErrorsToForm } from "~/schemas/listing-form.ts";
import { offerFieldErrors } from "~/schemas/offers.ts";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";

/**
 * Field errors are keyed by paths that can come from outside: a JSON body's own keys, a form's
 * field names. Keys that are also Object.prototype's members are keys like any other.
 */
const KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

const strictIssues = (keys: string[]) => {
  const body = JSON.parse(`{${keys.map((k) => `"${k}":1`).join(",")}}`) as unknown;
  const parsed = z.object({ a: z.string() }).strict().safeParse(body);
  if (parsed.success) throw new Error("expected a failure");
  return parsed.error;
};

describe("field errors keyed by paths from outside", () => {
  it("a record of field errors takes __proto__, constructor and toString as ordinary keys", () => {
    const errors = fieldErrors();
    for (const k of KEYS) fieldErrorList(errors, k).push("x");
    expect(Object.keys(errors).sort()).toEqual([...KEYS].sort());
    expect(JSON.parse(JSON.stringify(errors))).toEqual(Object.fromEntries(KEYS.map((k) => [k, ["x"]])));
    // Also on a plain object handed in: an own key, the prototype left alone.
    const plain: Record<string, string[]> = {};
    fieldErrorList(plain, "__proto__").push("y");
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(["__proto__"]);
  });

  it("offerFieldErrors and flattenZodErrors name each unknown key, whatever its name", () => {
    const error = strictIssues(KEYS);
    const offers = offerFieldErrors(error);
    for (const k of KEYS) expect(Object.hasOwn(offers, k) && offers[k]).toEqual(["offers.errors.unknownField"]);
    const flat = flattenZodErrors(z.object({}).strict().safeParse(JSON.parse('{"__proto__":1}')).error!);
    expect(Object.keys(flat)).toEqual([""]);
    const nested = z.object({ a: z.object({}).catchall(z.string()) }).safeParse(JSON.parse('{"a":{"__proto__":1,"constructor":2}}'));
    expect(Object.keys(flattenZodErrors(nested.error!)).sort()).toEqual(["a.__proto__", "a.constructor"]);
    const top = z.record(z.string()).safeParse(JSON.parse('{"__proto__":1,"toString":2}'));
    expect(Object.keys(flattenZodErrors(top.error!)).sort()).toEqual(["__proto__", "toString"]);
  });

  it("form mappings and the page's feedback keep such keys without touching a prototype", () => {
    expect(Object.keys(serviceErrorsToForm("achievement", { constructor: ["a"], toString: ["b"], __proto__: ["c"] } as never))).toEqual([
      "",
    ]);
    const fromJson = JSON.parse('{"__proto__":["a"],"constructor":["b"]}') as Record<string, string[]>;
    expect(Object.keys(serviceErrorsToForm("achievement", fromJson))).toEqual([""]);
    expect(Object.keys(cardErrorsToForm(fromJson, [])).sort()).toEqual(["__proto__", "constructor"]);
    const feedback = resultFor(
      {
        ok: false,
        intent: "save",
        target: null,
        reply: { status: "error", error: fromJson, initialValue: JSON.parse('{"__proto__":"v","toString":"w"}') },
      } as never,
      "save",
    )!;
    expect(Object.keys(feedback.fieldErrors).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.keys(feedback.values).sort()).toEqual(["__proto__", "toString"]);
  });
});
