import fc from "fast-check";

/**
 * The malformed inputs the fuzzer throws at forms and the API (fast-check arbitraries): wrong
 * types, huge, negative and non-finite numbers, long and control-character strings, lone
 * surrogates, prototype keys, MongoDB operator keys, deep nesting, arrays where a scalar belongs,
 * and bodies of the wrong content type. Every value here is meant to be refused by any field of
 * the site (tests/e2e/fuzz.test.ts checks that it is, and that nothing stored changes).
 */

/** A string longer than any field of the site takes (the longest, a description, is a few thousand characters). */
export const LONG = "长".repeat(60_000) + "a".repeat(40_000);

/** Values as a form sends them (strings). */
export const badFormValue: fc.Arbitrary<string> = fc.oneof(
  // numbers no field takes
  fc.constantFrom("NaN", "Infinity", "-Infinity", "1e309", "-1e309", "9007199254740993", "-9007199254740993", "1e-400", "0x1F", "1_000"),
  fc.constantFrom("-1", "-0", "-100000000000000000000", "99999999999999999999999999", "1.5e300", "３", "٣"),
  // wrong types
  fc.constantFrom("true", "null", "undefined", "[object Object]", "{}", "[]", '{"$gt":""}', "function(){}"),
  // lengths
  fc.constantFrom(LONG, "x".repeat(100_001)),
  // control characters, lone surrogates, bidi overrides
  fc.constantFrom("\u0000", "a\u0000b", "\u0007\u001b[31m\u0008", "\ud800", "x\udfffy", "\u202e\u2066", "\ufeff", "\r\n\r\n"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).map((s) => "\u0001" + s),
  // injection-shaped text, dates that do not exist, ids of nothing
  fc.constantFrom("$where", "a.b", "../../etc/passwd", "%00", "2026-02-30", "0000-00-00", "9999-99-99T99:99", "000000000000000000000000"),
);

/** Field names that are not fields: prototype members, operators, dotted paths, deep nesting. */
export const badKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "prototype",
    "__proto__[polluted]",
    "constructor[prototype][polluted]",
    "toString",
    "hasOwnProperty",
  ),
  fc.constantFrom("$gt", "$where", "$set", "a.b", "$ne[x]", "price.$gt", "amount[$gt]"),
  fc.integer({ min: 2, max: 40 }).map((n) => "a" + "[b]".repeat(n)),
  fc.integer({ min: 2, max: 40 }).map((n) => "a" + ".b".repeat(n)),
  fc.constantFrom("x".repeat(300), "", " ", "\u0000", "items[]", "items[-1]", "items[99999999]"),
);

/** Intent values a page does not have, next to the real ones the caller adds. */
export const badIntent: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", " ", "__proto__", "constructor", "toString", "hasOwnProperty", "$where", "unknown", "PAY", "delete"),
  badFormValue,
);

/** A path segment (an id, a token, a stage number) that names nothing. */
export const badParam: fc.Arbitrary<string> = fc.constantFrom(
  "not-an-id",
  "000000000000000000000000",
  "ffffffffffffffffffffffff",
  "0",
  "-1",
  "1e309",
  "NaN",
  "Infinity",
  "__proto__",
  "constructor",
  "$gt",
  "a.b",
  "%00",
  "%E0%A4%A",
  "x".repeat(2000),
  "6" + "0".repeat(22) + "z",
);

/** JSON values of the wrong type or range, and structures where a scalar belongs. */
export const badJsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false, -1, -0, 0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63), 2 ** 64, {}, []),
    badFormValue,
    fc.constant({ $gt: "" }),
    fc.constant({ $where: "sleep(100)" }),
    fc.constant({ "a.b": 1 }),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(badKey, tie("value"), { maxKeys: 3 }),
  ),
})).value;

/** JSON text that JSON.stringify cannot write: non-finite literals in place, own "__proto__" keys, deep nesting. */
export interface RawJson {
  raw: string;
  /** What it is, for the report. */
  kind: string;
}

export const rawJson = (fields: string[]): fc.Arbitrary<RawJson> =>
  fc.oneof(
    fc.constantFrom(...fields, "x").map((f) => ({ kind: "1e400 literal", raw: `{${JSON.stringify(f)}:1e400}` })),
    fc
      .constantFrom(...fields, "x")
      .map((f) => ({ kind: "own __proto__ key", raw: `{"__proto__":{"polluted":true},${JSON.stringify(f)}:{"__proto__":1}}` })),
    fc
      .constantFrom(...fields, "x")
      .map((f) => ({ kind: "constructor.prototype", raw: `{${JSON.stringify(f)}:{"constructor":{"prototype":{"polluted":true}}}}` })),
    fc.integer({ min: 33, max: 1000 }).map((n) => ({ kind: `nested ${n} deep`, raw: '{"a":'.repeat(n) + "1" + "}".repeat(n) })),
    fc.integer({ min: 33, max: 1000 }).map((n) => ({ kind: `array nested ${n} deep`, raw: "[".repeat(n) + "]".repeat(n) })),
    fc.constantFrom(
      { kind: "not JSON", raw: "{not json" },
      { kind: "trailing comma", raw: '{"a":1,}' },
      { kind: "a bare string", raw: '"hello"' },
      { kind: "a bare number", raw: "42" },
      { kind: "null", raw: "null" },
      { kind: "an array", raw: "[1,2,3]" },
      { kind: "BOM then garbage", raw: "\ufeff{" },
      { kind: "NUL bytes", raw: '{"a":"\u0000"}\u0000' },
      { kind: "lone surrogate escape", raw: '{"a":"\\ud800"}' },
      { kind: "duplicate keys", raw: '{"a":1,"a":{"$gt":""}}' },
    ),
  );

/** A body of another kind than the route takes, or a broken one. */
export interface WrongBody {
  kind: string;
  contentType: string | null;
  body: string;
}

export const wrongBody: fc.Arbitrary<WrongBody> = fc.constantFrom<WrongBody>(
  { kind: "text/plain", contentType: "text/plain", body: "intent=x&amount=1" },
  { kind: "no content type", contentType: null, body: "intent=x" },
  { kind: "multipart without a boundary", contentType: "multipart/form-data", body: "--x\r\n" },
  {
    kind: "multipart garbage",
    contentType: "multipart/form-data; boundary=zzz",
    body: '--zzz\r\nContent-Disposition: form-data; name="a"\r\n\r\n\u0000\u0001\r\n--zzz\r\nContent-Disposition: form-data; name=\r\n\r\n',
  },
  {
    kind: "multipart, the boundary never closes",
    contentType: "multipart/form-data; boundary=b",
    body: '--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nvalue',
  },
  { kind: "xml", contentType: "application/xml", body: "<a>1</a>" },
  { kind: "a bogus type", contentType: "application/x-www-form-urlencoded; charset=klingon", body: "%E0%A4%A=%ZZ&&=&a" },
  { kind: "urlencoded garbage", contentType: "application/x-www-form-urlencoded", body: "%%%&=&==&a=%ZZ&b=%ff%fe" },
  { kind: "octet-stream", contentType: "application/octet-stream", body: "\u0000\u0001\u0002" },
);

/** A query string for a GET of the API: its real parameter names and fuzz keys with bad values, repeated keys, operators. */
export const badQuery = (names: string[]): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...names), badKey),
        fc.oneof(
          badFormValue.filter((v) => v.length < 5000),
          badKey,
        ),
      ),
      {
        minLength: 1,
        maxLength: 5,
      },
    )
    .map((pairs) => {
      const q = new URLSearchParams();
      for (const [k, v] of pairs) q.append(k, v);
      return q.toString();
    });
