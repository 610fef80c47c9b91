import fc from "fast-check";
import { badFormValue, badIntent, badJsonValue, badKey, badParam, LONG, rawJson, wrongBody } from "./fuzz-inputs.ts";
import { fill } from "./route-tree.ts";
import type { FuzzTarget } from "./fuzz-targets.ts";

/**
 * One fuzz request, built from a target and what the harness learned about it (who may see its
 * page, which ids are theirs, which forms the page shows). Every request is invalid in at least one
 * field by construction, so a stored change is always a finding:
 * - a known intent with the real ids of its page carries a hard poison (a string no field takes:
 *   100,000 characters, control characters) in a field its form really has;
 * - a known intent whose form has no field of its own (a bare "accept" button) goes only with ids
 *   that name nothing, without a CSRF token, or as a body of the wrong kind;
 * - everything else has an intent, a field name or an id that does not exist.
 */

/** A scraped `<form method="post">`: its intent (hidden input or button) and its other field names. */
export interface PageForm {
  intent: string | null;
  fields: string[];
}

/** Who posts, to which ids, having seen which forms. */
export interface Binding {
  /** Index into the harness's clients (0 = anonymous). */
  client: number;
  params: Record<string, string>;
  forms: PageForm[];
}

export interface FuzzRequest {
  target: FuzzTarget;
  method: string;
  client: number;
  url: string;
  contentType: string | null;
  body: string | FormData | null;
  /** Send the client's CSRF token (forms). */
  csrf: boolean;
  /** How it was made, for the report. */
  what: string;
  /** An API caller: the client's personal token, the role-only admin token, or the session cookie. */
  auth?: "token" | "admin-token" | "cookie" | "none";
  headers?: Record<string, string>;
}

/** Control characters and a long string: what no field of the site takes. */
const hardPoison: fc.Arbitrary<string> = fc.oneof(
  fc.constant(LONG),
  fc.constantFrom("\u0000", "ok\u0000", "\u0007\u001b[2J", "名称\u0008\u0008", "a\u007fb", "\u0085x", "\u001f"),
);

// eslint-disable-next-line no-control-regex -- control characters are what this shows escaped
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
export const describeValue = (v: string) =>
  v.length > 200 ? `<${v.length} chars>` : JSON.stringify(v).replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

export function formParts(pairs: [string, string][]): URLSearchParams {
  const body = new URLSearchParams();
  for (const [k, v] of pairs) body.append(k, v);
  return body;
}

/** Requests for a page's form action (and the resource routes that take forms). */
export function formRequest(target: FuzzTarget, bindings: Binding[]): fc.Arbitrary<FuzzRequest> {
  const pageForms = bindings.flatMap((b) => b.forms);
  const knownIntents = [...new Set([...target.intents, ...pageForms.map((f) => f.intent).filter((i): i is string => !!i)])];
  const staticFields = target.fields.length ? target.fields : ["name", "amount", "note"];
  return fc
    .record({
      binding: fc.constantFrom(...bindings),
      useBadParams: target.route.params.length ? fc.boolean() : fc.constant(false),
      badParams: fc.array(badParam, { minLength: 4, maxLength: 4 }),
      formIndex: fc.nat(),
      intentKind: fc.constantFrom("known", "known", "known", "bad", "none"),
      intentPick: fc.nat(),
      badIntentValue: badIntent,
      values: fc.array(badFormValue, { minLength: 12, maxLength: 12 }),
      poison: hardPoison,
      poisonAt: fc.nat(),
      extras: fc.array(fc.tuple(badKey, badFormValue), { maxLength: 3 }),
      staticPick: fc.subarray(staticFields, { minLength: 1, maxLength: Math.min(6, staticFields.length) }),
      repeat: fc.boolean(),
      shape: fc.constantFrom("urlencoded", "urlencoded", "urlencoded", "urlencoded", "multipart", "json", "wrong", "no-csrf"),
      wrong: wrongBody,
    })
    .map((r): FuzzRequest => {
      const binding = r.binding;
      let params = binding.params;
      const notes: string[] = [];
      if (r.useBadParams) {
        params = Object.fromEntries(target.route.params.map((p, i) => [p, r.badParams[i]!]));
        notes.push(`ids ${JSON.stringify(params)}`);
      }
      // Which form of the page, or the route file's fields when the page showed none.
      const forms = binding.forms.length ? binding.forms : [{ intent: null, fields: [] }];
      const form = forms[r.formIndex % forms.length]!;
      let intent: string | null = null;
      if (r.intentKind === "known" && knownIntents.length) intent = form.intent ?? knownIntents[r.intentPick % knownIntents.length]!;
      else if (r.intentKind === "bad" || (r.intentKind === "known" && !knownIntents.length)) intent = r.badIntentValue;
      const formOfIntent = intent === null ? form : (pageForms.find((f) => f.intent === intent) ?? null);
      const ownFields = formOfIntent?.fields ?? [];
      const isKnown = intent === null ? !knownIntents.length : knownIntents.includes(intent);
      let shape = r.shape;
      const fields = ownFields.length ? ownFields : r.staticPick;
      const pairs: [string, string][] = [];
      if (intent !== null) pairs.push(["intent", intent]);
      fields.forEach((f, i) => {
        pairs.push([f, r.values[i % r.values.length]!]);
        if (r.repeat) pairs.push([f, r.values[(i + 1) % r.values.length]!]);
      });
      if (isKnown && !r.useBadParams) {
        if (ownFields.length) {
          // A hard poison in a field this form really has: the request cannot be valid.
          const at = r.poisonAt % ownFields.length;
          const k = ownFields[at]!;
          for (const p of pairs) if (p[0] === k) p[1] = r.poison;
          notes.push(`poison in ${k}: ${describeValue(r.poison)}`);
        } else if (shape === "urlencoded" || shape === "multipart") {
          // A known intent with no field of its own would be a valid click: send it without its CSRF token instead.
          shape = "no-csrf";
        }
      }
      for (const [k, v] of r.extras) pairs.push([k, v]);
      const path = fill(target.route.pattern, params);
      const url = path + (target.route.hasLoader && !target.route.isResource ? `?_data=${encodeURIComponent(target.route.id)}` : "");
      const what = [`${shape}`, intent === null ? "no intent" : `intent ${describeValue(intent)}`, ...notes].join("; ");
      const base = { target, method: "POST", client: binding.client, url, what };
      switch (shape) {
        case "multipart": {
          const fd = new FormData();
          for (const [k, v] of pairs) fd.append(k, v);
          return { ...base, contentType: null, body: fd, csrf: true };
        }
        case "json":
          return { ...base, contentType: "application/json", body: JSON.stringify(Object.fromEntries(pairs)), csrf: false };
        case "wrong":
          return { ...base, contentType: r.wrong.contentType, body: r.wrong.body, csrf: false, what: `${what}; ${r.wrong.kind}` };
        case "no-csrf":
          return { ...base, contentType: "application/x-www-form-urlencoded", body: formParts(pairs).toString(), csrf: false };
        default:
          return { ...base, contentType: "application/x-www-form-urlencoded", body: formParts(pairs).toString(), csrf: true };
      }
    });
}

/** Requests for an API route: writes with bad JSON or bodies of the wrong kind, and reads with bad query strings. */
export function apiRequest(target: FuzzTarget, bindings: Binding[], queryNames: string[]): fc.Arbitrary<FuzzRequest> {
  const fields = target.fields.length ? target.fields : ["id", "amount", "name"];
  const actionParam = target.route.params.includes("action");
  return fc
    .record({
      binding: fc.constantFrom(...bindings),
      auth: fc.constantFrom<"token" | "admin-token" | "cookie" | "none">("token", "token", "token", "admin-token", "cookie", "none"),
      useBadParams: target.route.params.length ? fc.nat(3).map((n) => n === 0) : fc.constant(false),
      badParams: fc.array(badParam, { minLength: 4, maxLength: 4 }),
      action: fc.oneof(
        fc.constantFrom(...(target.intents.length ? target.intents : ["x"])),
        badIntent.filter((s) => s.length < 300),
      ),
      method: fc.constantFrom("POST", "POST", "POST", "PUT", "PATCH", "DELETE", "GET"),
      keys: fc.subarray(fields, { minLength: 1, maxLength: Math.min(5, fields.length) }),
      values: fc.array(badJsonValue, { minLength: 5, maxLength: 5 }),
      poison: fc.oneof(hardPoison, fc.constantFrom("\ud800", "x\udfff")),
      extras: fc.array(fc.tuple(badKey, badJsonValue), { maxLength: 2 }),
      shape: fc.constantFrom("json", "json", "json", "raw", "wrong", "form"),
      raw: rawJson(fields),
      wrong: wrongBody,
      query: fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...queryNames), badKey),
          badFormValue.filter((v) => v.length < 3000),
        ),
        {
          minLength: 1,
          maxLength: 4,
        },
      ),
    })
    .map((r): FuzzRequest => {
      const params = { ...r.binding.params };
      const notes: string[] = [];
      if (actionParam) params.action = r.action;
      if (r.useBadParams) {
        target.route.params.forEach((p, i) => (params[p] = r.badParams[i]!));
        notes.push(`ids ${JSON.stringify(params)}`);
      }
      const path = fill(target.route.pattern, params);
      const base = { target, client: r.binding.client, auth: r.auth, csrf: false };
      if (r.method === "GET") {
        const q = formParts(r.query).toString();
        return { ...base, method: "GET", url: `${path}?${q}`, contentType: null, body: null, what: `GET ?${q.slice(0, 200)}` };
      }
      const method = r.method;
      if (r.shape === "raw")
        return {
          ...base,
          method,
          url: path,
          contentType: "application/json",
          body: r.raw.raw,
          what: `${method} raw JSON: ${r.raw.kind}; ${notes.join("; ")}`,
        };
      if (r.shape === "wrong")
        return {
          ...base,
          method,
          url: path,
          contentType: r.wrong.contentType,
          body: r.wrong.body,
          what: `${method} ${r.wrong.kind}; ${notes.join("; ")}`,
        };
      const obj: Record<string, unknown> = {};
      r.keys.forEach((k, i) => (obj[k] = r.values[i]));
      // Always one hard poison in a real field name: no body here can be valid.
      obj[r.keys[0]!] = r.poison;
      notes.push(`poison in ${r.keys[0]}: ${describeValue(r.poison)}`);
      for (const [k, v] of r.extras) obj[k] = v;
      if (r.shape === "form") {
        const pairs: [string, string][] = Object.entries(obj).map(([k, v]) => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "")]);
        return {
          ...base,
          method,
          url: path,
          contentType: "application/x-www-form-urlencoded",
          body: formParts(pairs).toString(),
          what: `${method} a form to the API; ${notes.join("; ")}`,
        };
      }
      return {
        ...base,
        method,
        url: path,
        contentType: "application/json",
        body: JSON.stringify(obj),
        what: `${method} JSON ${Object.keys(obj).join(",").slice(0, 120)}; ${notes.join("; ")}`,
      };
    });
}

/** Webhooks: unsigned, badly signed, or not JSON at all. */
export function webhookRequest(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      raw: rawJson(["type", "data"]),
      value: badJsonValue,
      signature: fc.constantFrom(null, "", "t=1,v1=00", "t=NaN,v1=", "x".repeat(5000)),
    })
    .map((r): FuzzRequest => ({
      target,
      method: "POST",
      client: 0,
      url: target.route.pattern,
      contentType: "application/json",
      body: r.raw.raw.startsWith("{") ? r.raw.raw : JSON.stringify({ type: "checkout.session.completed", data: { object: r.value } }),
      csrf: false,
      what: `webhook, signature ${describeValue(String(r.signature))}`,
      headers: r.signature === null ? {} : { "Stripe-Signature": r.signature },
    }));
}
