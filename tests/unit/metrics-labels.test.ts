import { readConfig } from "@remix-run/dev/dist/config.js";
import { matchRoutes } from "@remix-run/react";
import { beforeAll, describe, expect, it } from "vitest";
import { isPrivateAddress } from "../../server/metrics.ts";
import { routeLabeler, routePatterns, UNMATCHED, type BuildRoute } from "../../server/route-label.ts";
import { ServiceUnavailableError } from "~/utils/errors.ts";
import { newRequestId, requestIdFrom, runWithRequestId } from "~/utils/request-context.server.ts";
import { internalErrorResponse } from "~/web/internal-error.server.ts";
import { serviceUnavailablePage, serviceUnavailableResponse } from "~/web/unavailable.server.ts";
import { ROOT } from "../setup/tmp.ts";

/**
 * The `route` label of /metrics (server/route-label.ts): the pattern of the route Remix serves a
 * path with, whatever the ids in the path — the same answer as React Router's own matching for
 * every route of the app — so the series stay as many as the routes.
 */

type Manifest = Record<string, BuildRoute>;
let manifest: Manifest;
let label: (pathname: string) => string;

beforeAll(async () => {
  manifest = (await readConfig(ROOT)).routes as Manifest;
  label = routeLabeler(manifest);
});

interface TreeRoute {
  id: string;
  path?: string;
  index?: boolean;
  children?: TreeRoute[];
}

/** The manifest as the nested route objects React Router matches against. */
function tree(m: Manifest): TreeRoute[] {
  const node = (r: BuildRoute): TreeRoute => {
    const children = Object.values(m)
      .filter((c) => c.parentId === r.id)
      .map(node);
    return { id: r.id, path: r.path, index: r.index, ...(children.length && !r.index ? { children } : {}) };
  };
  return [node(m.root!)];
}

const ID = "64b7f0c2a1b2c3d4e5f60718";
const sample = (pattern: string) => pattern.replace(/:[A-Za-z0-9_]+\??/g, ID).replace(/\*$/, "some/thing");

describe("route label", () => {
  it("is React Router's deepest match for a sample path of every route", () => {
    const routes = tree(manifest);
    const patterns = routePatterns(manifest);
    expect(patterns.length).toBeGreaterThan(50);
    for (const { pattern } of patterns) {
      const path = sample(pattern);
      const matches = matchRoutes(routes as never, path) as { route: TreeRoute }[] | null;
      const deepest = matches?.at(-1)?.route;
      const expected = deepest ? patterns.find((p) => p.pattern && isPatternOf(deepest, p.pattern))?.pattern : UNMATCHED;
      expect({ path, label: label(path) }).toEqual({ path, label: expected });
    }
  });

  it("names the pattern, not the ids; a static route wins over a dynamic one; unknown paths fall to the splat", () => {
    expect(label(`/deals/${ID}`)).toBe("/deals/:id");
    expect(label(`/deals/${ID}/stages/3`)).toBe("/deals/:id/stages/:number");
    expect(label(`/deals/${ID}/contract.pdf`)).toBe("/deals/:id/contract.pdf");
    expect(label("/achievements/new")).toBe("/achievements/new");
    expect(label("/")).toBe("/");
    expect(label("/search/")).toBe("/search");
    expect(label("/api/v1/no/such/thing")).toBe("/api/v1/*");
    expect(label("/no-such-page/%E4%B8%AD")).toBe("/*");
  });

  it("has as many values as there are route patterns, however many paths are asked", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(label(`/${["deals", "achievements", "x", "api/v1/deals"][i % 4]}/${i.toString(16)}/${i}`));
    const all = new Set(routePatterns(manifest).map((p) => p.pattern));
    for (const l of seen) expect(all.has(l)).toBe(true);
  });
});

/** Whether `pattern` is the full pattern of `route` (the manifest's parents joined). */
function isPatternOf(route: TreeRoute, pattern: string): boolean {
  const full = (id: string): string => {
    const r = manifest[id]!;
    const parent = r.parentId ? full(r.parentId) : "";
    return [parent, r.path ?? ""].filter(Boolean).join("/");
  };
  return "/" + full(route.id).replace(/^\/+/, "").replace(/\/+$/, "") === pattern;
}

describe("who may scrape /metrics without a token", () => {
  it("loopback and private networks may, the internet may not", () => {
    for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "172.20.0.5", "192.168.1.9", "fd00::5", "::ffff:10.0.0.1"])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    for (const ip of ["203.0.113.7", "8.8.8.8", "172.32.0.1", "2001:db8::1", "::ffff:8.8.8.8", "", undefined, "not an ip"])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });
});

describe("request ids", () => {
  it("keeps a valid incoming id and replaces anything else", () => {
    expect(requestIdFrom("edge-7f3a9c21.42")).toBe("edge-7f3a9c21.42");
    expect(requestIdFrom("123e4567-e89b-12d3-a456-426614174000")).toBe("123e4567-e89b-12d3-a456-426614174000");
    for (const bad of ["short", "x".repeat(65), "has space in it", "line\nbreak-injected", '{"json":1}', "", null, undefined]) {
      const id = requestIdFrom(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-hjkmnp-tv-z]{12}$/);
    }
  });

  it("makes new ids that differ", () => {
    const ids = new Set(Array.from({ length: 1000 }, newRequestId));
    expect(ids.size).toBe(1000);
  });
});

describe("the request id on the answers of a failure", () => {
  it("is on the 503 page and in the 503 and 500 envelopes, escaped and only when there is one", async () => {
    const page = await runWithRequestId("ops-case-0042", () => serviceUnavailablePage()).text();
    expect(page).toContain("错误编号 / Error reference: <code data-request-id>ops-case-0042</code>");
    expect(await serviceUnavailablePage().text()).not.toContain("错误编号");
    const unavailable = await runWithRequestId("ops-case-0043", () => serviceUnavailableResponse(new ServiceUnavailableError(5))).json();
    expect(unavailable.error).toMatchObject({ status: 503, requestId: "ops-case-0043" });
    const internal = await runWithRequestId("ops-case-0044", () => internalErrorResponse()).json();
    expect(internal.error).toMatchObject({ status: 500, code: "internal_error", requestId: "ops-case-0044" });
  });
});
