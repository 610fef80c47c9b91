/**
 * A local Stripe-compatible server: the part of the Stripe API this project calls, with Stripe's
 * state machines, error envelopes, idempotency and signed webhooks. The keyless demo
 * (server/embedded/stripe.ts), the tests and the benchmarks point the real `stripe` SDK at it
 * (constructor options host/port/protocol); nothing is mocked, the app talks HTTP through the
 * real SDK exactly as it does to api.stripe.com. See docs/decisions/006-payments-and-deposits.md.
 *
 * Implemented:
 *   POST/GET  /v1/checkout/sessions[/:id], POST /v1/checkout/sessions/:id/expire   (checkout.ts)
 *   POST/GET  /v1/payment_intents[/:id] + /confirm, /capture, /cancel              (payment-intents.ts)
 *   POST/GET  /v1/refunds[/:id] (list, update), GET /v1/charges/:id                 (refunds.ts)
 *   POST/GET  /v1/accounts[/:id] (list), POST /v1/account_links,
 *   POST/GET  /v1/transfers[/:id] (list) + /reversals[/:id], GET /v1/balance        (connect.ts)
 *   GET       /v1/events[/:id]                                                      (events-api.ts)
 *   POST/GET  /v1/webhook_endpoints, GET/DELETE /v1/webhook_endpoints/:id           (webhook-endpoints.ts)
 *   GET/POST  /pay/:cs_id   the hosted payment page with test cards                 (pay-page.ts)
 *   GET/POST  /connect/onboarding/:token   the onboarding page an account link opens   (onboarding-page.ts)
 *   GET       /_local/events, /_local/requests, /_local/deliveries   debug views for tests
 *   POST      /_local/webhooks/delay|duplicate, /_local/events/:id/resend, /_local/transfers/fail
 *             test controls (only with testControls; see control() below)
 *
 * Runs standalone too:
 *   node --import tsx server/stripe-local/index.ts --port 12111 --state .data/stripe-local.json
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Stripe from "stripe";
import { api } from "./api.ts";
import { expireOverdue } from "./checkout.ts";
import { backgroundCtx, type Core } from "./core.ts";
import { events as eventsOf } from "./events.ts";
import { onboardingPage } from "./onboarding-page.ts";
import { payPage } from "./pay-page.ts";
import { emptyState, loadState, persistence } from "./state.ts";

export type { DeliveryLogEntry, RequestLogEntry } from "./objects.ts";
export { EVENT_TYPES } from "./objects.ts";

export interface StripeServerOptions {
  /** 0 (the default) = a free port. */
  port?: number;
  host?: string;
  /** Where the state is kept between runs (JSON). Without it the state lives in memory only. */
  stateFile?: string;
  log?: (message: string) => void;
  /** Delays between webhook delivery attempts, in ms (the first attempt is immediate). */
  retryDelaysMs?: number[];
  /**
   * Allow the test controls under /_local/ that change behaviour (delay or duplicate a webhook,
   * fail the next transfer, resend an event); refused with 403 otherwise. Default: under tests
   * (NODE_ENV=test) only.
   */
  testControls?: boolean;
}

export interface StripeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const API_VERSION = Stripe.API_VERSION;

export async function startStripeServer(opts: StripeServerOptions = {}): Promise<StripeServer> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const state = (opts.stateFile && (await loadState(opts.stateFile, log))) || emptyState();
  const store = persistence(state, opts.stateFile, log);
  const events = eventsOf(state, { retryDelaysMs: opts.retryDelaysMs ?? [100, 300, 1000, 2000, 4000], log });
  let baseUrl = "";
  const core: Core = { state, events, baseUrl: () => baseUrl, save: store.save, controls: { failTransfers: {} } };
  const testControls = opts.testControls ?? process.env.NODE_ENV === "test";
  const v1 = api(core, { apiVersion: API_VERSION, log });

  // --- debug views ----------------------------------------------------------------------------
  function local(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawBody: string) {
    const jsonOut = (body: unknown, status = 200) => {
      res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "POST") return control(url, rawBody, jsonOut);
    const type = url.searchParams.get("type");
    const object = url.searchParams.get("object");
    switch (url.pathname) {
      case "/_local/events":
        return jsonOut({
          object: "list",
          data: state.events.filter((e) => (!type || e.type === type) && (!object || (e.data.object as { id?: string }).id === object)),
        });
      case "/_local/requests":
        return jsonOut({ object: "list", data: v1.requests });
      case "/_local/deliveries":
        return jsonOut({ object: "list", data: events.deliveries.filter((d) => !type || d.type === type) });
      default:
        res.writeHead(404, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "not found" }));
    }
  }

  /**
   * Test controls (POST, JSON or form body), refused unless testControls:
   *   /_local/webhooks/delay      { type, ms, count? }  the next `count` (1) events of `type` are held back `ms`
   *   /_local/webhooks/duplicate  { type, count? }      the next `count` (1) events of `type` are delivered twice
   *   /_local/events/:id/resend                         delivers a recorded event again (late or duplicate delivery)
   *   /_local/transfers/fail      { destination, count? }  the next `count` (1) transfers to it are refused
   */
  function control(url: URL, rawBody: string, out: (body: unknown, status?: number) => void) {
    if (!testControls) return out({ error: "test controls are off (start the server with testControls: true)" }, 403);
    let body: Record<string, unknown> = {};
    try {
      body = rawBody.trim().startsWith("{")
        ? (JSON.parse(rawBody) as Record<string, unknown>)
        : Object.fromEntries(new URLSearchParams(rawBody));
    } catch {
      return out({ error: "body: JSON or form" }, 400);
    }
    const text = (name: string) => (typeof body[name] === "string" && body[name] ? (body[name] as string) : undefined);
    const count = body.count === undefined ? 1 : Number(body.count);
    if (!Number.isInteger(count) || count < 1) return out({ error: "count: a positive integer" }, 400);
    const resend = /^\/_local\/events\/([^/]+)\/resend$/.exec(url.pathname);
    if (resend) {
      const event = state.events.find((e) => e.id === resend[1]);
      if (!event) return out({ error: `no such event ${resend[1]}` }, 404);
      events.dispatch([event]);
      return out({ ok: true, event: event.id });
    }
    switch (url.pathname) {
      case "/_local/webhooks/delay": {
        const type = text("type");
        const ms = Number(body.ms);
        if (!type || !Number.isFinite(ms) || ms < 0 || ms > 600_000) return out({ error: "type and ms (0–600000) required" }, 400);
        events.delay(type, ms, count);
        return out({ ok: true });
      }
      case "/_local/webhooks/duplicate": {
        const type = text("type");
        if (!type) return out({ error: "type required" }, 400);
        events.duplicate(type, count);
        return out({ ok: true });
      }
      case "/_local/transfers/fail": {
        const destination = text("destination");
        if (!destination || !state.accounts[destination]) return out({ error: "destination: an existing account id" }, 400);
        core.controls.failTransfers[destination] = (core.controls.failTransfers[destination] ?? 0) + count;
        return out({ ok: true });
      }
      default:
        return out({ error: "not found" }, 404);
    }
  }

  // --- wiring ---------------------------------------------------------------------------------
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", baseUrl || "http://127.0.0.1");
      const run = async () => {
        if (url.pathname.startsWith("/v1/")) return v1.handle(req, res, url, rawBody);
        const pay = /^\/pay\/([^/]+)$/.exec(url.pathname);
        if (pay) return payPage(core, API_VERSION, req, res, decodeURIComponent(pay[1]!), rawBody);
        const onboarding = /^\/connect\/onboarding\/([^/]+)$/.exec(url.pathname);
        if (onboarding) return onboardingPage(core, API_VERSION, req, res, decodeURIComponent(onboarding[1]!));
        if (url.pathname.startsWith("/_local/")) return local(req, res, url, rawBody);
        if (url.pathname === "/" || url.pathname === "/healthz") {
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end(JSON.stringify({ ok: true, server: "local-stripe", api_version: API_VERSION }));
        }
        res.writeHead(404, { "Content-Type": "text/plain" });
        res.end("not found");
      };
      run().catch((e) => {
        log(`internal error: ${(e as Error).stack}`);
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: { type: "api_error", message: "An unknown error occurred" } }));
      });
    });
  });
  // Keep-alive sockets from the SDK would otherwise hold close() open.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  // Sessions created before a restart point at the old port; the page lives at the new one now.
  for (const rec of Object.values(state.sessions)) {
    if (rec.session.url) rec.session.url = `${baseUrl}/pay/${rec.session.id}`;
  }
  const sweep = setInterval(() => {
    const ctx = backgroundCtx(API_VERSION);
    expireOverdue(core, ctx);
    if (ctx.emitted.length) {
      store.save();
      events.dispatch(ctx.emitted);
    }
  }, 5_000);
  sweep.unref();
  log(`local Stripe-compatible server on ${baseUrl}${opts.stateFile ? ` (state in ${opts.stateFile})` : ""}`);

  let closed = false;
  return {
    url: baseUrl,
    port,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      events.close();
      store.cancel();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.flush();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Standalone: node --import tsx server/stripe-local/index.ts --port 12111 --state .data/stripe-local.json

const isMain = !!process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const server = await startStripeServer({
    port: Number(arg("port") ?? 12111),
    host: arg("host") ?? "127.0.0.1",
    stateFile: arg("state") ? path.resolve(arg("state")!) : undefined,
    log: (m) => console.warn(m),
  }).catch((e: NodeJS.ErrnoException) => {
    console.error(
      e.code === "EADDRINUSE"
        ? `Port ${arg("port") ?? 12111} is already in use. Stop what listens there or pass --port <another port>.`
        : e.message,
    );
    process.exit(1);
  });
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => void server.close().then(() => process.exit(0)));
  }
}
