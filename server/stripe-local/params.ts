import { randomBytes } from "node:crypto";
import { invalid, unknownParam } from "./errors.ts";
import type { Json, Metadata } from "./objects.ts";

/**
 * Reading a request's parameters the way Stripe does (form-encoded, brackets for nesting, parsed
 * with `qs`): unknown parameters, wrong types and bad values are refused with Stripe's
 * `parameter_*` errors naming the parameter. And the small helpers every resource uses.
 */

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let s = "";
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return prefix + s;
}

/** Stripe's clock: whole seconds since the epoch. */
export const now = () => Math.floor(Date.now() / 1000);
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Canonical JSON (sorted keys) so "the same parameters" does not depend on their order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as Json)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function allowOnly(params: Json, allowed: string[], prefix = ""): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw unknownParam(prefix ? `${prefix}[${key}]` : key);
  }
}

export function str(params: Json, name: string, label = name): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalid(`Invalid string: ${label}`, { param: label, code: "parameter_invalid_string" });
  return v;
}

export function int(params: Json, name: string, label = name): number | undefined {
  const v = params[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) {
    throw invalid(`Invalid integer: ${typeof v === "string" ? v : label}`, { param: label, code: "parameter_invalid_integer" });
  }
  return Number(v);
}

export function bool(params: Json, name: string, label = name): boolean | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalid(`Invalid boolean: ${String(v)}`, { param: label, code: "parameter_invalid_boolean" });
}

export function obj(params: Json, name: string, label = name): Json | undefined {
  const v = params[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalid(`Invalid object`, { param: label, code: "parameter_invalid_object" });
  return v as Json;
}

export function list(params: Json, name: string): unknown[] | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  // qs turns `a[0]=x` into an array, and indexes past its array limit into an object.
  if (Array.isArray(v)) return v;
  if (v && typeof v === "object") return Object.values(v as Json);
  throw invalid(`Invalid array`, { param: name, code: "parameter_invalid_array" });
}

export function metadata(params: Json, name = "metadata"): Metadata {
  const m = obj(params, name);
  if (!m) return {};
  const out: Metadata = {};
  const keys = Object.keys(m);
  if (keys.length > 50) throw invalid("Metadata can have at most 50 keys.", { param: name });
  for (const k of keys) {
    const v = m[k];
    if (typeof v !== "string") throw invalid(`Invalid metadata value for ${k}`, { param: `${name}[${k}]` });
    if (k.length > 40) throw invalid(`Metadata keys can be at most 40 characters long.`, { param: `${name}[${k}]` });
    if (v.length > 500) throw invalid(`Metadata values can be at most 500 characters long.`, { param: `${name}[${k}]` });
    if (v !== "") out[k] = v;
  }
  return out;
}

export function absoluteUrl(params: Json, name: string): string | undefined {
  const v = str(params, name);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v.replace(/\{CHECKOUT_SESSION_ID\}/g, "x"));
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    throw invalid(`Not a valid URL`, { param: name, code: "url_invalid" });
  }
  return v;
}

export function expandList(params: Json): string[] {
  return (list(params, "expand") ?? []).map(String);
}

/** A three-letter currency code, lower case as Stripe returns it. */
export function currency(params: Json, name: string, label = name): string | undefined {
  const cur = str(params, name, label)?.toLowerCase();
  if (!cur) return undefined;
  if (!/^[a-z]{3}$/.test(cur)) throw invalid(`Invalid currency: ${cur}.`, { param: label });
  return cur;
}

/** Minor units → "¥1,234.56" (cny and every other 2-decimal currency). */
export function formatAmount(amount: number, currency: string): string {
  const major = (amount / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === "cny" ? `¥${major}` : `${major} ${currency.toUpperCase()}`;
}

/**
 * A Stripe list answer: newest first, `limit` (1–100, default 10), cursors `starting_after` /
 * `ending_before` (ids of objects in the list), `has_more`.
 */
export function listOf<T extends { id: string; created?: number }>(
  params: Json,
  items: T[],
  url: string,
  view: (item: T) => unknown = clone,
): { object: "list"; data: unknown[]; has_more: boolean; url: string } {
  const limit = int(params, "limit") ?? 10;
  if (limit < 1 || limit > 100) throw invalid("This value must be between 1 and 100.", { param: "limit" });
  // Stable newest-first: by created, then by insertion order reversed.
  let sorted = items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => (b.item.created ?? 0) - (a.item.created ?? 0) || b.i - a.i)
    .map((x) => x.item);
  const after = str(params, "starting_after");
  const before = str(params, "ending_before");
  if (after !== undefined) {
    const at = sorted.findIndex((x) => x.id === after);
    if (at < 0) throw invalid(`No such object: '${after}'`, { param: "starting_after", code: "resource_missing" });
    sorted = sorted.slice(at + 1);
  } else if (before !== undefined) {
    const at = sorted.findIndex((x) => x.id === before);
    if (at < 0) throw invalid(`No such object: '${before}'`, { param: "ending_before", code: "resource_missing" });
    sorted = sorted.slice(Math.max(0, at - limit), at);
  }
  return { object: "list", data: sorted.slice(0, limit).map(view), has_more: sorted.length > limit, url };
}
