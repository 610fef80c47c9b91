import fs from "node:fs/promises";
import path from "node:path";
import { ROOT } from "../setup/tmp.ts";
import { routeTree, type RouteEntry } from "./route-tree.ts";

/**
 * What the fuzzer posts to, from the route tree (tests/support/route-tree.ts): every page with an
 * action (its forms), every API route (its writes, and its reads with a query string), and the
 * other resource routes that take a body. A route with an action or under /api that is in none of
 * these kinds makes `fuzzTargets()` throw, so a new route cannot go unfuzzed.
 */
export type TargetKind =
  /** A page's form action: CSRF-checked urlencoded or multipart forms. */
  | "form"
  /** /api/v1: JSON in, the API's error envelope out. */
  | "api"
  /** A signed webhook: any unsigned body is refused before it is read as an event. */
  | "webhook";

export interface FuzzTarget {
  route: RouteEntry;
  kind: TargetKind;
  /** Intent values the route file names (`intent === "x"`, `case "x"`, `intentAction` handler keys, `z.literal("x")`), and the `:action` values of API routes. */
  intents: string[];
  /** Field names the route file and its schemas read (`values.x`, `x: z.…`). */
  fields: string[];
}

/** Resource routes that take a body but are neither API nor webhook: a form of their own (CSRF-checked). */
const RESOURCE_FORMS = new Set(["/logout", "/set-language"]);
const WEBHOOKS = new Set(["/webhooks/stripe", "/webhooks/stripe/connect"]);

async function sourceOf(route: RouteEntry): Promise<string> {
  const file = path.join(ROOT, "app", route.file);
  // A route folder (route.tsx + its pieces): read the pieces too.
  const dir = path.dirname(file);
  if (path.basename(file).startsWith("route.")) {
    const names = await fs.readdir(dir);
    return (await Promise.all(names.filter((n) => /\.tsx?$/.test(n)).map((n) => fs.readFile(path.join(dir, n), "utf8")))).join("\n");
  }
  return fs.readFile(file, "utf8");
}

/** The schema modules a route imports (app/schemas/x.ts), read for their field names. */
async function schemaSources(source: string): Promise<string> {
  const out: string[] = [];
  for (const m of source.matchAll(/from "~\/schemas\/([\w-]+)\.ts"/g)) {
    out.push(await fs.readFile(path.join(ROOT, "app/schemas", `${m[1]}.ts`), "utf8").catch(() => ""));
  }
  return out.join("\n");
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

export function intentsIn(source: string): string[] {
  const found: string[] = [];
  for (const re of [
    /intent\s*===?\s*"([\w-]+)"/g,
    /case\s+"([\w-]+)"\s*:/g,
    /intent:\s*z\.literal\("([\w-]+)"\)/g,
    /name="intent"\s+value="([\w-]+)"/g,
  ]) {
    for (const m of source.matchAll(re)) found.push(m[1]!);
  }
  // intentAction(values, { pay: async () => …, report: handle, "set-roles": … })
  for (const block of source.matchAll(/intentAction\([^,]+,\s*\{([\s\S]*?)\n\s{2}\}\)/g)) {
    for (const m of block[1]!.matchAll(/(?:^|[\s,{])"?([a-z][\w-]*)"?\s*:\s*(?:async|handle|\(|\w+\b(?=[,\s}]))/gm)) found.push(m[1]!);
  }
  // const ACTIONS = ["accept", "reject", …]
  for (const block of source.matchAll(/ACTIONS\s*=\s*\[([^\]]*)\]/g)) for (const m of block[1]!.matchAll(/"([\w-]+)"/g)) found.push(m[1]!);
  return uniq(found);
}

export function fieldsIn(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/values\.(\w+)/g)) found.push(m[1]!);
  for (const m of source.matchAll(/(?:form|values)\.get(?:All)?\("([\w.[\]-]+)"\)/g)) found.push(m[1]!);
  for (const m of source.matchAll(/^\s+(\w+):\s*(?:z\.|\w+Schema\b)/gm)) found.push(m[1]!);
  return uniq(found.filter((f) => f !== "intent" && f !== "csrf"));
}

/** Every target, or a thrown list of the routes with an action (or under /api) that fit no kind. */
export async function fuzzTargets(): Promise<FuzzTarget[]> {
  const targets: FuzzTarget[] = [];
  const unknown: string[] = [];
  for (const route of await routeTree()) {
    const p = route.pattern;
    let kind: TargetKind | null = null;
    if (p.startsWith("/api/")) kind = "api";
    else if (WEBHOOKS.has(p)) kind = "webhook";
    else if (route.hasAction && (!route.isResource || RESOURCE_FORMS.has(p))) kind = "form";
    else if (!route.hasAction) continue; // a page or a file without an action: nothing to post
    if (!kind) {
      unknown.push(`${p} (${route.file})`);
      continue;
    }
    const source = await sourceOf(route);
    const all = source + "\n" + (await schemaSources(source));
    targets.push({ route, kind, intents: intentsIn(source), fields: fieldsIn(all) });
  }
  if (unknown.length) throw new Error(`routes with an action that the fuzzer does not know how to post to:\n${unknown.join("\n")}`);
  return targets;
}
