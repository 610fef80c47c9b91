/**
 * The `route` label of an HTTP request in /metrics: the URL pattern of the Remix route that serves
 * it (`/deals/:id/stages/:number`), never the URL itself, so that the number of series stays that
 * of the routes however many deals there are. Requests that never reach Remix are labelled by
 * what served them (server/metrics.ts): `static`, `/healthz`, `/metrics`.
 *
 * The patterns are ranked the way React Router ranks them (static segments before dynamic ones,
 * a splat last) and compiled once per build, bucketed by the first segment, so labelling a
 * request is a few regular-expression tests, not a route match.
 */

/** A route as the Remix build lists it (`build.routes`). */
export interface BuildRoute {
  id: string;
  path?: string;
  index?: boolean;
  parentId?: string;
}

/** The label of a path no route matches (only possible without a catch-all route). */
export const UNMATCHED = "unmatched";

interface Compiled {
  pattern: string;
  re: RegExp;
  score: number;
  order: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** React Router's ranking (computeScore): more and more static segments first, a splat last. */
function score(pattern: string, index: boolean): number {
  const segments = pattern.split("/").filter(Boolean);
  let s = segments.length;
  if (segments.includes("*")) s -= 2;
  if (index) s += 2;
  for (const seg of segments) {
    if (seg === "*") continue;
    s += seg.startsWith(":") ? 3 : 10;
  }
  return s;
}

function compile(pattern: string): RegExp {
  const parts = pattern
    .split("/")
    .filter(Boolean)
    .map((seg) => {
      if (seg === "*") return "(?:/.*)?";
      if (seg.startsWith(":")) return seg.endsWith("?") ? "(?:/[^/]+)?" : "/[^/]+";
      return `/${escape(seg)}`;
    });
  return new RegExp(`^${parts.join("")}/?$`, "i");
}

/** The full URL pattern of every route that can end a match (root and pathless layouts cannot). */
export function routePatterns(routes: Record<string, BuildRoute | undefined>): { pattern: string; index: boolean }[] {
  const full = (r: BuildRoute): string => {
    const parent = r.parentId ? routes[r.parentId] : undefined;
    const own = r.path ?? "";
    return parent ? [full(parent), own].filter(Boolean).join("/") : own;
  };
  const out: { pattern: string; index: boolean }[] = [];
  for (const r of Object.values(routes)) {
    if (!r || r.id === "root" || (r.path === undefined && !r.index)) continue;
    out.push({ pattern: "/" + full(r).replace(/^\/+/, "").replace(/\/+$/, ""), index: !!r.index });
  }
  return out;
}

/** A function from a request's path (no query string) to its route label. */
export function routeLabeler(routes: Record<string, BuildRoute | undefined>): (pathname: string) => string {
  const compiled: Compiled[] = routePatterns(routes)
    .map(({ pattern, index }, order) => ({ pattern, re: compile(pattern), score: score(pattern, index), order }))
    .sort((a, b) => b.score - a.score || a.order - b.order);
  // Bucketed by the first segment, so a path is tested against its own first segment's routes and
  // the few that begin with a parameter or a splat (or are "/"), still in rank order.
  const first = (pattern: string) => pattern.split("/")[1] ?? "";
  const isStatic = (seg: string) => seg !== "" && seg !== "*" && !seg.startsWith(":");
  const generic = compiled.filter((c) => !isStatic(first(c.pattern)));
  const buckets = new Map<string, Compiled[]>();
  for (const c of compiled) {
    const seg = first(c.pattern).toLowerCase();
    if (isStatic(seg) && !buckets.has(seg)) {
      buckets.set(
        seg,
        compiled.filter((x) => x.pattern.split("/")[1]?.toLowerCase() === seg || generic.includes(x)),
      );
    }
  }
  return (pathname) => {
    const end = pathname.indexOf("/", 1);
    const seg = (end === -1 ? pathname.slice(1) : pathname.slice(1, end)).toLowerCase();
    for (const c of buckets.get(seg) ?? generic) if (c.re.test(pathname)) return c.pattern;
    return UNMATCHED;
  };
}
