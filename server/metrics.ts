import { timingSafeEqual } from "node:crypto";
import { BlockList, isIPv4 } from "node:net";
import type { NextFunction, Request, Response } from "express";
import { Counter, Gauge } from "prom-client";
import { countPaymentsByState } from "~/services/payments/queries.server.ts";
import { countStagesByStatus } from "~/services/settlement/queries.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { METRIC_PREFIX, metrics } from "~/utils/metrics.server.ts";
import { outboxBacklog } from "../search/outbox.ts";
import { supervisedServices } from "./embedded/supervisor.ts";

/**
 * /metrics for Prometheus (docs/decisions/039-metrics-and-request-ids.md): the request-side
 * instrumentation of the Express chain, the gauges read at scrape time, and who may scrape.
 */

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** The route label a handler outside Remix gives its requests (Remix's are set by `remixRouteLabel`). */
export function labelRoute(res: Response, route: string): void {
  res.locals.metricsRoute = route;
}

/**
 * Times every request from its first middleware to the last byte (or the client going away:
 * status "aborted"), labelled by method, route and status. A request that no labelled handler
 * took was served by express.static: "static".
 */
export function requestMetrics() {
  const histogram = metrics().httpDuration;
  return (req: Request, res: Response, next: NextFunction) => {
    const start = process.hrtime.bigint();
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      histogram.observe(
        {
          method: METHODS.has(req.method) ? req.method : "other",
          route: (res.locals.metricsRoute as string | undefined) ?? "static",
          status: res.writableFinished ? String(res.statusCode) : "aborted",
        },
        seconds,
      );
    });
    next();
  };
}

/** The label of a request Remix serves, from its path (server/route-label.ts). */
export function remixRouteLabel(label: () => (pathname: string) => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    labelRoute(res, label()(req.path));
    next();
  };
}

// Loopback and the private ranges (RFC 1918, unique-local IPv6, link-local): a scraper on the host
// or inside the operator's network.
const PRIVATE = new BlockList();
PRIVATE.addSubnet("127.0.0.0", 8, "ipv4");
PRIVATE.addSubnet("10.0.0.0", 8, "ipv4");
PRIVATE.addSubnet("172.16.0.0", 12, "ipv4");
PRIVATE.addSubnet("192.168.0.0", 16, "ipv4");
PRIVATE.addSubnet("169.254.0.0", 16, "ipv4");
PRIVATE.addAddress("::1", "ipv6");
PRIVATE.addSubnet("fc00::", 7, "ipv6");
PRIVATE.addSubnet("fe80::", 10, "ipv6");

/** Whether an address (as Express gives `req.ip`, IPv4-mapped or not) is loopback or private. */
export function isPrivateAddress(ip: string | undefined): boolean {
  if (!ip) return false;
  const v4 = ip.startsWith("::ffff:") && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  try {
    return isIPv4(v4) ? PRIVATE.check(v4, "ipv4") : PRIVATE.check(v4, "ipv6");
  } catch {
    return false;
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * GET /metrics: this instance's metrics in Prometheus's text format. Answered to loopback and
 * private-network clients (by `req.ip`, which follows TRUST_PROXY: behind a proxy, the address it
 * forwards), and to anyone with `Authorization: Bearer <METRICS_TOKEN>` when that is set; others
 * get 401 (a token would do) or 403 (none is set). Not cached; never part of the public site.
 */
export function metricsEndpoint(options: { token?: string }) {
  const { registry } = metrics();
  return async (req: Request, res: Response) => {
    labelRoute(res, "/metrics");
    res.set("Cache-Control", "no-store");
    const byToken = options.token ? tokenMatches(req.headers.authorization, options.token) : false;
    if (!byToken && !isPrivateAddress(req.ip)) {
      if (options.token) {
        res.status(401).set("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("metrics: a bearer token is required\n");
      } else {
        res.status(403).type("text/plain").send("metrics: only loopback and private addresses may scrape (or set METRICS_TOKEN)\n");
      }
      return;
    }
    try {
      const text = await registry.metrics();
      // As prom-client names it (res.set would reorder the charset into it).
      res.setHeader("Content-Type", registry.contentType);
      res.end(text);
    } catch (err) {
      logger.error({ err }, "metrics: collecting failed");
      res.status(500).type("text/plain").send("metrics: collecting failed\n");
    }
  };
}

/** A value read at most every `ms` (concurrent scrapes share one read), bounded in time. */
function cachedRead<T>(ms: number, read: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | undefined;
  return () => {
    if (!value || Date.now() - at >= ms) {
      at = Date.now();
      value = Promise.race([
        read(),
        new Promise<T>((_, reject) => setTimeout(() => reject(new Error("did not answer within 2 s")), 2_000).unref()),
      ]);
      // A failed read is tried again at the next scrape.
      value.catch(() => (at = 0));
    }
    return value;
  };
}

const READ_CACHE_MS = 5_000;

/**
 * The gauges read at scrape time: from MongoDB (cached a few seconds, so frequent scrapes or
 * several scrapers cost one read) and from this process. While MongoDB cannot be read, those
 * series are left out rather than shown stale. Call once per process.
 */
export function registerScrapeGauges(): void {
  const r = [metrics().registry];
  const warnOnce = (() => {
    let last = 0;
    return (what: string, err: unknown) => {
      if (Date.now() - last < 60_000) return;
      last = Date.now();
      logger.warn({ err: (err as Error).message }, `metrics: ${what} not read`);
    };
  })();

  const backlog = cachedRead(READ_CACHE_MS, outboxBacklog);
  new Gauge({
    name: `${METRIC_PREFIX}search_outbox_pending`,
    help: "Listing changes not yet applied to the search index (the outbox; counted up to 100000)",
    registers: r,
    async collect() {
      this.reset();
      await backlog().then(
        (b) => this.set(b.pending),
        (err) => warnOnce("search outbox backlog", err),
      );
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}search_outbox_oldest_seconds`,
    help: "Age of the oldest change waiting in the search outbox (0 when it is empty)",
    registers: r,
    async collect() {
      this.reset();
      await backlog().then(
        (b) => this.set(b.oldestSeconds ?? 0),
        () => undefined,
      );
    },
  });

  const payments = cachedRead(READ_CACHE_MS, countPaymentsByState);
  new Gauge({
    name: `${METRIC_PREFIX}payments`,
    help: "Payments by purpose, kind and state (all instances: read from MongoDB)",
    labelNames: ["purpose", "kind", "status"] as const,
    registers: r,
    async collect() {
      this.reset();
      await payments().then(
        (rows) => rows.forEach((p) => this.inc({ purpose: p.purpose, kind: p.kind, status: p.status }, p.count)),
        (err) => warnOnce("payments by state", err),
      );
    },
  });

  const stages = cachedRead(READ_CACHE_MS, countStagesByStatus);
  new Gauge({
    name: `${METRIC_PREFIX}deal_stages`,
    help: "Payment stages of deals by status (all instances: read from MongoDB)",
    labelNames: ["status"] as const,
    registers: r,
    async collect() {
      this.reset();
      await stages().then(
        (rows) => rows.forEach((s) => this.inc({ status: s.status }, s.count)),
        (err) => warnOnce("deal stages by status", err),
      );
    },
  });

  new Counter({
    name: `${METRIC_PREFIX}embedded_service_restarts_total`,
    help: "Restarts of the embedded services this instance runs (mongod, meilisearch) since it started",
    labelNames: ["service"] as const,
    registers: r,
    collect() {
      this.reset();
      for (const [service, s] of Object.entries(supervisedServices())) this.inc({ service }, s.restarts);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}embedded_service_up`,
    help: "Whether each embedded service this instance runs is up (1) or restarting or stopped (0)",
    labelNames: ["service"] as const,
    registers: r,
    collect() {
      this.reset();
      for (const [service, s] of Object.entries(supervisedServices())) this.set({ service }, s.state === "up" ? 1 : 0);
    },
  });
}
