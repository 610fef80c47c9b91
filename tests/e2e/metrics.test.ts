import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { MongoClient, ObjectId } from "mongodb";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../server/embedded/process.ts";
import { appEnv, waitForHealthy } from "../setup/app.global.ts";
import { ROOT, tmpDir } from "../setup/tmp.ts";

const run = promisify(execFile);

/**
 * /metrics and request ids as an operator meets them (issue 17, point 6; decision 039): an app of
 * its own, with METRICS_TOKEN set and its JSON log lines captured, so that the id an error page
 * shows can be looked up in the log as an operator would.
 */
const TOKEN = "metrics-test-token-0123456789";
const OUTSIDE = { "X-Forwarded-For": "203.0.113.9" }; // trusted from loopback (TRUST_PROXY=loopback)
const ID = /^[A-Za-z0-9._:-]{8,64}$/;

let app: ChildProcess;
let baseURL: string;
let dataDir: string;
let mongo: MongoClient;
let bearer: string;
let log = "";

beforeAll(async () => {
  dataDir = await tmpDir("metrics");
  const port = await freePort();
  baseURL = `http://localhost:${port}`;
  app = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: appEnv({
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: "info",
      METRICS_TOKEN: TOKEN,
      SEED_ON_EMPTY: "false",
      EMBEDDED_MONGO_PORT: String(await freePort()),
      EMBEDDED_MEILI_PORT: String(await freePort()),
      EMBEDDED_STRIPE_PORT: String(await freePort()),
      EMBEDDED_MAIL_SMTP_PORT: String(await freePort()),
      EMBEDDED_MAIL_WEB_PORT: String(await freePort()),
    }),
    stdio: ["ignore", "pipe", "inherit"],
  });
  app.stdout!.setEncoding("utf8").on("data", (chunk: string) => (log += chunk));
  await waitForHealthy(baseURL, app);
  mongo = await MongoClient.connect(JSON.parse(await fs.readFile(path.join(dataDir, "services.json"), "utf8")).mongoUri);
  const { stdout } = await run(process.execPath, ["--import", "tsx", "server/cli/token.ts", "--name", "metrics", "--role", "admin"], {
    cwd: ROOT,
    env: appEnv({ DATA_DIR: dataDir }),
  });
  bearer = /cg_[A-Za-z0-9_-]+/.exec(stdout)![0];
}, 180_000);

afterAll(async () => {
  await mongo?.close();
  if (app && app.exitCode === null) {
    const exited = new Promise((r) => app.once("exit", r));
    app.kill("SIGTERM");
    await exited;
  }
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
}, 60_000);

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus's text format, as a scraper reads it. */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, "$1");
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${baseURL}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parse(await res.text());
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

function connect(): Promise<Socket> {
  const socket = io(baseURL, { transports: ["websocket"], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once("session", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const logLines = () =>
  log
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { reqId?: string; msg?: string; url?: string });

describe("who may read /metrics", () => {
  it("answers loopback, and from outside only with METRICS_TOKEN", async () => {
    expect((await fetch(`${baseURL}/metrics`)).status).toBe(200);
    const refused = await fetch(`${baseURL}/metrics`, { headers: OUTSIDE });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(await refused.text()).not.toContain("chengguo_");
    expect((await fetch(`${baseURL}/metrics`, { headers: { ...OUTSIDE, Authorization: "Bearer wrong-token-0123456789" } })).status).toBe(
      401,
    );
    const allowed = await fetch(`${baseURL}/metrics`, { headers: { ...OUTSIDE, Authorization: `Bearer ${TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("chengguo_process_cpu_seconds_total");
  });

  it("is refused to the internet on an app without a token (the shared e2e app)", async () => {
    const shared = inject("baseURL");
    const res = await fetch(`${shared}/metrics`, { headers: OUTSIDE });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("chengguo_");
    expect((await fetch(`${shared}/metrics`)).status).toBe(200);
  });
});

describe("what /metrics counts", () => {
  it("counts requests by route pattern, socket events and refusals, webhook failures, jobs, payments and the outbox", async () => {
    // A payment and a stage in known states (read at scrape time from MongoDB, whoever wrote them).
    const db = mongo.db();
    await db.collection("payments").insertOne({
      purpose: "auction-deposit",
      kind: "hold",
      gateway: "stripe",
      status: "held",
      amount: 100_00,
      currency: "CNY",
      payer: new ObjectId(),
      subject: { kind: "auction-registration", id: new ObjectId() },
    });
    const before = await scrape();

    const dealId = new ObjectId().toHexString();
    expect((await fetch(`${baseURL}/`)).status).toBe(200);
    expect([200, 302, 303]).toContain((await fetch(`${baseURL}/deals/${dealId}`, { redirect: "manual" })).status);
    expect((await fetch(`${baseURL}/no-such-page-${dealId}`)).status).toBe(404);
    expect((await fetch(`${baseURL}/healthz`)).status).toBe(200);
    expect((await fetch(`${baseURL}/api/v1/policies/${dealId}`)).status).toBe(401);

    const socket = await connect();
    const answer = await socket.emitWithAck("auction:watch" as never, { auctionId: "not-an-id" } as never);
    expect(answer).toMatchObject({ ok: false, error: "invalid auctionId" });
    socket.emit("no:such:event" as never, {} as never);
    // The event is handled on the server before the next one on the same socket.
    await socket.emitWithAck("auction:watch" as never, { auctionId: "still-not-an-id" } as never);
    const whileConnected = await scrape();
    socket.disconnect();

    const hook = await fetch(`${baseURL}/webhooks/stripe`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=forged" },
      body: JSON.stringify({ id: "evt_forged", type: "payment_intent.succeeded" }),
    });
    expect(hook.status).toBe(400);

    const after = await until("a job run and the payment counted", async () => {
      const s = await scrape();
      return total(s, "chengguo_job_runs_total", { outcome: "ok" }) > 0 &&
        total(s, "chengguo_payments", { purpose: "auction-deposit", status: "held" }) >= 1
        ? s
        : undefined;
    });

    const http = "chengguo_http_request_duration_seconds_count";
    const grew = (name: string, labels: Record<string, string>) => total(after, name, labels) - total(before, name, labels);
    expect(grew(http, { method: "GET", route: "/", status: "200" })).toBeGreaterThanOrEqual(1);
    expect(grew(http, { method: "GET", route: "/deals/:id" })).toBe(1);
    expect(grew(http, { method: "GET", route: "/*", status: "404" })).toBe(1);
    expect(grew(http, { method: "GET", route: "/healthz", status: "200" })).toBeGreaterThanOrEqual(1);
    expect(grew(http, { method: "GET", route: "/api/v1/policies/:id", status: "401" })).toBe(1);
    expect(grew(http, { method: "POST", route: "/webhooks/stripe", status: "400" })).toBe(1);
    expect(grew(http, { route: "/metrics" })).toBeGreaterThanOrEqual(1);
    // Never the URL itself: no label anywhere holds the id that was in the paths.
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(dealId)))).toBe(false);

    expect(total(whileConnected, "chengguo_socket_connections")).toBeGreaterThanOrEqual(1);
    expect(grew("chengguo_socket_connections_total", {})).toBeGreaterThanOrEqual(1);
    expect(grew("chengguo_socket_events_received_total", { event: "auction:watch" })).toBe(2);
    expect(grew("chengguo_socket_events_received_total", { event: "other" })).toBe(1);
    expect(grew("chengguo_socket_event_refusals_total", { event: "auction:watch", error: "invalid auctionId" })).toBe(2);
    expect(after.some((s) => Object.values(s.labels).includes("no:such:event"))).toBe(false);

    expect(grew("chengguo_webhook_failures_total", { endpoint: "/webhooks/stripe", reason: "bad_signature" })).toBe(1);
    expect(grew("chengguo_webhook_deliveries_total", { endpoint: "/webhooks/stripe", result: "failed" })).toBe(1);

    expect(total(after, "chengguo_job_duration_seconds_count")).toBeGreaterThan(0);
    expect(after.some((s) => s.name === "chengguo_search_outbox_pending")).toBe(true);
    expect(total(after, "chengguo_embedded_service_up", { service: "mongod" })).toBe(1);
    expect(after.some((s) => s.name === "chengguo_embedded_service_restarts_total" && s.labels.service === "meilisearch")).toBe(true);
    expect(total(after, "chengguo_process_resident_memory_bytes")).toBeGreaterThan(0);
  });
});

describe("request ids", () => {
  it("answers every request with X-Request-Id: a valid one given is kept, anything else replaced", async () => {
    const plain = (await fetch(`${baseURL}/`)).headers.get("x-request-id");
    expect(plain).toMatch(ID);
    const kept = await fetch(`${baseURL}/healthz`, { headers: { "X-Request-Id": "lb-2f6c1a9e-0001" } });
    expect(kept.headers.get("x-request-id")).toBe("lb-2f6c1a9e-0001");
    const replaced = await fetch(`${baseURL}/`, { headers: { "X-Request-Id": 'x y"<script>' } });
    expect(replaced.headers.get("x-request-id")).toMatch(ID);
    expect(replaced.headers.get("x-request-id")).not.toContain("script");
  });

  it("shows a server error's id on the error page, in the API's envelope, and in the log line of the failure", async () => {
    // A policy whose stored date is not a date: reading it fails inside the service (a real bug's shape).
    const { insertedId } = await mongo
      .db()
      .collection("policies")
      .insertOne({ kind: "notice", status: "published", title: "损坏的记录", issuer: "科技局", body: "x", publishedAt: "not a date" });
    const id = insertedId.toHexString();

    const page = await fetch(`${baseURL}/policies/${id}`);
    expect(page.status).toBe(500);
    const pageId = page.headers.get("x-request-id")!;
    const html = await page.text();
    expect(html).toContain("错误编号");
    expect(/data-request-id[^>]*>([^<]+)</.exec(html)?.[1]).toBe(pageId);

    const given = await fetch(`${baseURL}/policies/${id}?_data=routes%2Fpolicies.%24id`, {
      headers: { "X-Request-Id": "support-case-4711" },
    });
    expect(given.status).toBe(500);
    expect(((await given.json()) as { error: { requestId: string } }).error.requestId).toBe("support-case-4711");

    const api = await fetch(`${baseURL}/api/v1/policies/${id}`, { headers: { Authorization: `Bearer ${bearer}` } });
    expect(api.status).toBe(500);
    const envelope = (await api.json()) as { error: { code: string; requestId: string } };
    expect(envelope.error.code).toBe("internal_error");
    expect(envelope.error.requestId).toBe(api.headers.get("x-request-id"));

    // The operator greps the log for the id the user quoted.
    const lines = await until("the failures in the log", async () => {
      const all = logLines();
      return [pageId, "support-case-4711", envelope.error.requestId].every((r) =>
        all.some((l) => l.reqId === r && /error/.test(l.msg ?? "")),
      )
        ? all
        : undefined;
    });
    const failure = lines.find((l) => l.reqId === pageId)!;
    expect(failure.msg).toBe("unhandled error in loader/action");
    expect(failure.url).toContain(`/policies/${id}`);
  });
});
