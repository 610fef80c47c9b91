import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { singleton } from "./singleton.server.ts";

/**
 * The process's Prometheus metrics (prom-client), served at /metrics (server/metrics.ts;
 * docs/decisions/039-metrics-and-request-ids.md). One registry per process, made once: the server
 * and the Remix build load their own copies of this module, and both count into the same series.
 * Every name starts with `chengguo_`; every label takes values from a bounded set (route patterns,
 * event and job names, outcomes), never from a URL or a user's input.
 *
 * The gauges read from MongoDB at scrape time (outbox backlog, payments by state) are added by
 * server/metrics.ts, which knows where to read them.
 */
export const METRIC_PREFIX = "chengguo_";

function make() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const r = [registry];
  return {
    registry,
    httpDuration: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: "HTTP requests by method, route pattern (or static, healthz, metrics) and status code, and how long they took",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    }),
    socketsConnected: new Gauge({
      name: `${METRIC_PREFIX}socket_connections`,
      help: "socket.io connections open on this instance",
      registers: r,
    }),
    socketConnections: new Counter({
      name: `${METRIC_PREFIX}socket_connections_total`,
      help: "socket.io connections opened on this instance",
      registers: r,
    }),
    socketEvents: new Counter({
      name: `${METRIC_PREFIX}socket_events_received_total`,
      help: "socket.io events received from clients, by event (names the site does not know: other)",
      labelNames: ["event"] as const,
      registers: r,
    }),
    socketRefusals: new Counter({
      name: `${METRIC_PREFIX}socket_event_refusals_total`,
      help: "socket.io events answered with { ok: false }, by event and error",
      labelNames: ["event", "error"] as const,
      registers: r,
    }),
    socketDeliveries: new Counter({
      name: `${METRIC_PREFIX}socket_room_deliveries_total`,
      help: "deal-room events handed to this instance's sockets after their membership check, by event",
      labelNames: ["event"] as const,
      registers: r,
    }),
    jobRuns: new Counter({
      name: `${METRIC_PREFIX}job_runs_total`,
      help: "Runs of periodic jobs on this instance, by job and outcome (ok, failed)",
      labelNames: ["job", "outcome"] as const,
      registers: r,
    }),
    jobDuration: new Histogram({
      name: `${METRIC_PREFIX}job_duration_seconds`,
      help: "How long runs of periodic jobs took on this instance, by job",
      labelNames: ["job"] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: r,
    }),
    webhookDeliveries: new Counter({
      name: `${METRIC_PREFIX}webhook_deliveries_total`,
      help: "Payment gateway webhook deliveries received, by endpoint, event type (unverified before the signature is checked) and result",
      labelNames: ["endpoint", "type", "result"] as const,
      registers: r,
    }),
    webhookFailures: new Counter({
      name: `${METRIC_PREFIX}webhook_failures_total`,
      help: "Webhook deliveries not applied, by endpoint, event type and reason (bad_signature, too_large, error)",
      labelNames: ["endpoint", "type", "reason"] as const,
      registers: r,
    }),
    mailSent: new Counter({
      name: `${METRIC_PREFIX}mail_sent_total`,
      help: "Mails handed to the SMTP server by this instance",
      registers: r,
    }),
    mailFailures: new Counter({
      name: `${METRIC_PREFIX}mail_failures_total`,
      help: "Attempts to send a mail that the SMTP server refused or that failed (the mail is retried)",
      registers: r,
    }),
  };
}

export type AppMetrics = ReturnType<typeof make>;

/** The process's metrics, made on first use. */
export function metrics(): AppMetrics {
  return singleton("metrics", make);
}

/** A label value from code-defined text (an error key, an event type): as it is when it looks like one, else "other". */
export function boundedLabel(value: unknown): string {
  return typeof value === "string" && /^[A-Za-z][\w.: -]{0,79}$/.test(value) ? value : "other";
}
