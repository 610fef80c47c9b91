import path from "node:path";
import { readConfig } from "@remix-run/dev/dist/config.js";
import { ROOT } from "../setup/tmp.ts";

/**
 * The app's route tree as Remix itself reads it (`remix.config.js`, flat routes under app/routes),
 * so that tests which must cover every route — the authorization matrix, the fuzzing — fail when
 * a route is added that they do not know.
 */
export interface RouteEntry {
  /** Remix's route id, e.g. `routes/deals.$id_.registration`. */
  id: string;
  /** The route module, relative to app/. */
  file: string;
  /** The full URL pattern, e.g. `/deals/:id/registration` (`/*` for a splat). */
  pattern: string;
  /** The dynamic segments in order (`*` for a splat). */
  params: string[];
  hasLoader: boolean;
  hasAction: boolean;
  /** A resource route: no component (API, files, PDFs, CSV, webhooks). */
  isResource: boolean;
}

interface ManifestRoute {
  id: string;
  file: string;
  path?: string;
  index?: boolean;
  parentId?: string;
}

let cached: Promise<RouteEntry[]> | undefined;

/** Every route with a loader or an action (layout-only routes without either are left out). */
export function routeTree(): Promise<RouteEntry[]> {
  cached ??= load();
  return cached;
}

async function load(): Promise<RouteEntry[]> {
  const config = await readConfig(ROOT);
  const manifest = config.routes as Record<string, ManifestRoute>;
  const fullPath = (r: ManifestRoute): string => {
    const own = r.path ?? "";
    const parent = r.parentId ? manifest[r.parentId] : undefined;
    return parent ? [fullPath(parent), own].filter(Boolean).join("/") : own;
  };
  const out: RouteEntry[] = [];
  for (const r of Object.values(manifest)) {
    if (r.id === "root") continue;
    const mod = (await import(path.join(ROOT, "app", r.file))) as Record<string, unknown>;
    const hasLoader = typeof mod.loader === "function";
    const hasAction = typeof mod.action === "function";
    if (!hasLoader && !hasAction) continue;
    const pattern = "/" + fullPath(r).replace(/^\/+/, "");
    const params = pattern
      .split("/")
      .filter((s) => s.startsWith(":") || s === "*")
      .map((s) => (s === "*" ? "*" : s.slice(1).replace(/\?$/, "")));
    out.push({ id: r.id, file: r.file, pattern, params, hasLoader, hasAction, isResource: typeof mod.default !== "function" });
  }
  return out.sort((a, b) => a.pattern.localeCompare(b.pattern) || a.id.localeCompare(b.id));
}

/** `pattern` with its params filled in (missing ones throw, so a test cannot silently skip a route). */
export function fill(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:([A-Za-z0-9_]+)\??|\*/g, (m, name: string | undefined) => {
    const key = name ?? "*";
    const v = values[key];
    if (v === undefined) throw new Error(`no value for ${m} in ${pattern}`);
    return encodeURI(v);
  });
}
