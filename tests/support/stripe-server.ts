/**
 * A local Stripe-compatible server: the part of the Stripe API this project calls, with Stripe's
 * state machines, error envelopes, idempotency and signed webhooks. Tests and the keyless demo
 * point the real `stripe` SDK at it (constructor options host/port/protocol); nothing is mocked,
 * the app talks HTTP through the real SDK exactly as it does to api.stripe.com.
 *
 * Implemented (see docs/decisions/006-payments-and-deposits.md):
 *   POST/GET  /v1/checkout/sessions[/:id]           mode=payment, price_data line items
 *   POST      /v1/checkout/sessions/:id/expire
 *   POST/GET  /v1/payment_intents[/:id]             + /confirm, /capture, /cancel
 *   POST/GET  /v1/webhook_endpoints, GET/DELETE /v1/webhook_endpoints/:id
 *   GET/POST  /pay/:cs_id                           the hosted payment page (test cards)
 *   GET       /_local/events, /_local/requests, /_local/deliveries   debug views for tests
 *
 * Runs standalone too:
 *   node --import tsx tests/support/stripe-server.ts --port 12111 --state .data/stripe-local.json
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import qs from "qs";
import Stripe from "stripe";

// ---------------------------------------------------------------------------------------------
// Objects (only the fields this project reads, plus the ones every Stripe object has)

type Json = Record<string, unknown>;
type Metadata = Record<string, string>;

type CaptureMethod = "automatic" | "automatic_async" | "manual";
type IntentStatus =
  "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" | "requires_capture" | "succeeded" | "canceled";

interface PaymentIntentObject {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  canceled_at: number | null;
  cancellation_reason: string | null;
  capture_method: CaptureMethod;
  client_secret: string;
  confirmation_method: "automatic";
  created: number;
  currency: string;
  customer: null;
  description: string | null;
  last_payment_error: Json | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  payment_method: string | null;
  payment_method_types: string[];
  receipt_email: string | null;
  status: IntentStatus;
}

interface CheckoutSessionObject {
  id: string;
  object: "checkout.session";
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: null;
  customer_details: { email: string | null } | null;
  customer_email: string | null;
  expires_at: number;
  livemode: false;
  metadata: Metadata;
  mode: "payment";
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: "paid" | "unpaid";
  status: "open" | "complete" | "expired";
  success_url: string | null;
  ui_mode: "hosted";
  url: string | null;
}

interface LineItem {
  name: string;
  unitAmount: number;
  quantity: number;
}

/** A session plus what Stripe keeps about it but does not return on the object. */
interface SessionRecord {
  session: CheckoutSessionObject;
  lineItems: LineItem[];
  intentData: { captureMethod: CaptureMethod; metadata: Metadata; description: string | null };
}

interface WebhookEndpointObject {
  id: string;
  object: "webhook_endpoint";
  api_version: string | null;
  application: null;
  created: number;
  description: string | null;
  enabled_events: string[];
  livemode: false;
  metadata: Metadata;
  status: "enabled" | "disabled";
  url: string;
  /** Only ever returned by the create call, like Stripe. */
  secret: string;
}

interface EventObject {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: Json };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

interface IdempotencyRecord {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  at: number;
}

interface State {
  version: 1;
  sessions: Record<string, SessionRecord>;
  intents: Record<string, PaymentIntentObject>;
  endpoints: Record<string, WebhookEndpointObject>;
  events: EventObject[];
  idempotency: Record<string, IdempotencyRecord>;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  idempotencyKey: string | null;
  status: number;
  /** True when the answer was a stored idempotent response (nothing executed). */
  replayed: boolean;
  requestId: string;
}

export interface DeliveryLogEntry {
  at: string;
  event: string;
  type: string;
  endpoint: string;
  attempt: number;
  /** HTTP status of the endpoint's answer, or null when it could not be reached. */
  status: number | null;
  error: string | null;
}

export interface StripeServerOptions {
  /** 0 (the default) = a free port. */
  port?: number;
  host?: string;
  /** Where the state is kept between runs (JSON). Without it the state lives in memory only. */
  stateFile?: string;
  log?: (message: string) => void;
  /** Delays between webhook delivery attempts, in ms (the first attempt is immediate). */
  retryDelaysMs?: number[];
}

export interface StripeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

// Stripe keeps idempotent results for 24 hours.
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const MAX_EVENTS = 5000;
// The state file keeps fewer: it is rewritten after every change, and old events matter to nobody
// after a restart (the objects themselves are all kept).
const PERSISTED_EVENTS = 500;
const MAX_REQUEST_LOG = 5000;
const API_VERSION = Stripe.API_VERSION;

export const EVENT_TYPES = [
  "checkout.session.completed",
  "checkout.session.expired",
  "payment_intent.created",
  "payment_intent.amount_capturable_updated",
  "payment_intent.succeeded",
  "payment_intent.canceled",
  "payment_intent.payment_failed",
] as const;

/** Stripe's test cards (numbers on the hosted page, PaymentMethod ids on the API). */
const TEST_CARDS: Record<string, { ok: true } | { ok: false; code: string; decline: string; message: string }> = {
  "4242424242424242": { ok: true },
  pm_card_visa: { ok: true },
  pm_card_mastercard: { ok: true },
  "4000000000000002": { ok: false, code: "card_declined", decline: "generic_decline", message: "Your card was declined." },
  pm_card_chargeDeclined: { ok: false, code: "card_declined", decline: "generic_decline", message: "Your card was declined." },
  "4000000000009995": {
    ok: false,
    code: "card_declined",
    decline: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    ok: false,
    code: "card_declined",
    decline: "insufficient_funds",
    message: "Your card has insufficient funds.",
  },
};

// ---------------------------------------------------------------------------------------------
// Errors in Stripe's envelope

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Json,
    /** Stripe stores idempotent results only once the endpoint started executing: not for bad params. */
    readonly storeIdempotent = true,
  ) {
    super(String(error.message));
  }
}

const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;

function invalid(message: string, extra: Json = {}, store = false): ApiError {
  const code = typeof extra.code === "string" ? extra.code : undefined;
  return new ApiError(400, { type: "invalid_request_error", message, ...(code ? { doc_url: docUrl(code) } : {}), ...extra }, store);
}

const missing = (param: string) => invalid(`Missing required param: ${param}.`, { param, code: "parameter_missing" });
const unknownParam = (param: string) => invalid(`Received unknown parameter: ${param}`, { param, code: "parameter_unknown" });
const noSuch = (kind: string, id: string, param: string) =>
  new ApiError(
    404,
    {
      type: "invalid_request_error",
      code: "resource_missing",
      doc_url: docUrl("resource_missing"),
      param,
      message: `No such ${kind}: '${id}'`,
    },
    false,
  );

// ---------------------------------------------------------------------------------------------
// Small helpers

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
function randomId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let s = "";
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return prefix + s;
}

const now = () => Math.floor(Date.now() / 1000);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Canonical JSON (sorted keys) so "the same parameters" does not depend on their order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as Json)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Minor units → "¥1,234.56" (cny and every other 2-decimal currency). */
function formatAmount(amount: number, currency: string): string {
  const major = (amount / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === "cny" ? `¥${major}` : `${major} ${currency.toUpperCase()}`;
}

function allowOnly(params: Json, allowed: string[], prefix = ""): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw unknownParam(prefix ? `${prefix}[${key}]` : key);
  }
}

function str(params: Json, name: string, label = name): string | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalid(`Invalid string: ${label}`, { param: label, code: "parameter_invalid_string" });
  return v;
}

function int(params: Json, name: string, label = name): number | undefined {
  const v = params[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string" || !/^-?\d+$/.test(v)) {
    throw invalid(`Invalid integer: ${typeof v === "string" ? v : label}`, { param: label, code: "parameter_invalid_integer" });
  }
  return Number(v);
}

function bool(params: Json, name: string): boolean | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  throw invalid(`Invalid boolean: ${String(v)}`, { param: name, code: "parameter_invalid_boolean" });
}

function obj(params: Json, name: string, label = name): Json | undefined {
  const v = params[name];
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw invalid(`Invalid object`, { param: label, code: "parameter_invalid_object" });
  return v as Json;
}

function list(params: Json, name: string): unknown[] | undefined {
  const v = params[name];
  if (v === undefined) return undefined;
  // qs turns `a[0]=x` into an array, and indexes past its array limit into an object.
  if (Array.isArray(v)) return v;
  if (v && typeof v === "object") return Object.values(v as Json);
  throw invalid(`Invalid array`, { param: name, code: "parameter_invalid_array" });
}

function metadata(params: Json, name = "metadata"): Metadata {
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

function absoluteUrl(params: Json, name: string): string | undefined {
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

function expandList(params: Json): string[] {
  return (list(params, "expand") ?? []).map(String);
}

// ---------------------------------------------------------------------------------------------
// The server

export async function startStripeServer(opts: StripeServerOptions = {}): Promise<StripeServer> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log ?? (() => {});
  const retryDelays = opts.retryDelaysMs ?? [100, 300, 1000, 2000, 4000];
  const state: State = (opts.stateFile && (await loadState(opts.stateFile, log))) || emptyState();
  const requestLog: RequestLogEntry[] = [];
  const deliveryLog: DeliveryLogEntry[] = [];
  let baseUrl = "";
  let closed = false;

  // --- persistence: coalesced, atomic (temp file + rename), one write at a time ---------------
  let saveTimer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const writeNow = () => {
    if (!opts.stateFile) return writing;
    const file = opts.stateFile;
    const data = JSON.stringify({ ...state, events: state.events.slice(-PERSISTED_EVENTS) });
    writing = writing
      .then(async () => {
        await fs.mkdir(path.dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await fs.writeFile(tmp, data);
        await fs.rename(tmp, file);
      })
      .catch((e) => log(`could not write ${file}: ${(e as Error).message}`));
    return writing;
  };
  const save = () => {
    if (!opts.stateFile || saveTimer) return;
    saveTimer = setTimeout(() => {
      saveTimer = undefined;
      void writeNow();
    }, 50);
  };

  // --- events and webhook delivery ------------------------------------------------------------
  /** Per endpoint: events waiting, delivered strictly in order (one in flight at a time). */
  const queues = new Map<string, { events: EventObject[]; running: boolean }>();
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<AbortController>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  function matches(endpoint: WebhookEndpointObject, type: string): boolean {
    return endpoint.status === "enabled" && (endpoint.enabled_events.includes("*") || endpoint.enabled_events.includes(type));
  }

  /** Records an event (the object as it is now); delivery starts after the API response. */
  function emit(ctx: Ctx, type: string, object: Json): EventObject {
    const targets = Object.values(state.endpoints).filter((e) => matches(e, type));
    const event: EventObject = {
      id: randomId("evt_"),
      object: "event",
      api_version: ctx.apiVersion,
      created: now(),
      data: { object: clone(object) },
      livemode: false,
      pending_webhooks: targets.length,
      request: { id: ctx.requestId, idempotency_key: ctx.idempotencyKey },
      type,
    };
    state.events.push(event);
    if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
    ctx.emitted.push(event);
    return event;
  }

  function dispatch(events: EventObject[]) {
    for (const event of events) {
      for (const endpoint of Object.values(state.endpoints)) {
        if (!matches(endpoint, event.type)) continue;
        let q = queues.get(endpoint.id);
        if (!q) queues.set(endpoint.id, (q = { events: [], running: false }));
        q.events.push(event);
        if (!q.running) void drain(endpoint.id, q);
      }
    }
  }

  async function drain(endpointId: string, q: { events: EventObject[]; running: boolean }) {
    q.running = true;
    try {
      while (q.events.length && !closed) {
        const event = q.events[0]!;
        await deliver(endpointId, event);
        q.events.shift();
      }
    } finally {
      q.running = false;
    }
  }

  async function deliver(endpointId: string, event: EventObject) {
    const payload = JSON.stringify(event, null, 2);
    for (let attempt = 1; attempt <= retryDelays.length + 1 && !closed; attempt++) {
      const endpoint = state.endpoints[endpointId];
      if (!endpoint) return; // deleted meanwhile: Stripe stops delivering too
      const entry: DeliveryLogEntry = {
        at: new Date().toISOString(),
        event: event.id,
        type: event.type,
        endpoint: endpointId,
        attempt,
        status: null,
        error: null,
      };
      const abort = new AbortController();
      inflight.add(abort);
      const timeout = setTimeout(() => abort.abort(), 10_000);
      try {
        // Signed fresh on every attempt (the timestamp is part of the signature), like Stripe.
        const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: endpoint.secret });
        const res = await fetch(endpoint.url, {
          method: "POST",
          headers: {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          },
          body: payload,
          signal: abort.signal,
        });
        await res.arrayBuffer().catch(() => undefined);
        entry.status = res.status;
      } catch (e) {
        entry.error = (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      } finally {
        clearTimeout(timeout);
        inflight.delete(abort);
      }
      deliveryLog.push(entry);
      if (deliveryLog.length > MAX_REQUEST_LOG) deliveryLog.splice(0, deliveryLog.length - MAX_REQUEST_LOG);
      if (entry.status !== null && entry.status >= 200 && entry.status < 300) return;
      log(`webhook ${event.type} ${event.id} → ${endpoint.url}: ${entry.status ?? entry.error} (attempt ${attempt})`);
      if (attempt <= retryDelays.length) await sleep(retryDelays[attempt - 1]!);
    }
    log(`webhook ${event.id} to ${endpointId} given up`);
  }

  // --- state transitions shared by the API and the hosted page --------------------------------
  function sessionFor(intentId: string): SessionRecord | undefined {
    return Object.values(state.sessions).find((r) => r.session.payment_intent === intentId);
  }

  function newIntent(p: {
    amount: number;
    currency: string;
    captureMethod: CaptureMethod;
    metadata: Metadata;
    description: string | null;
    receiptEmail?: string | null;
  }): PaymentIntentObject {
    const id = randomId("pi_");
    const pi: PaymentIntentObject = {
      id,
      object: "payment_intent",
      amount: p.amount,
      amount_capturable: 0,
      amount_received: 0,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: p.captureMethod,
      client_secret: `${id}_secret_${randomId("", 25)}`,
      confirmation_method: "automatic",
      created: now(),
      currency: p.currency,
      customer: null,
      description: p.description,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: p.metadata,
      payment_method: null,
      payment_method_types: ["card"],
      receipt_email: p.receiptEmail ?? null,
      status: "requires_payment_method",
    };
    state.intents[id] = pi;
    return pi;
  }

  /** Confirms with a test card; a decline leaves the intent in requires_payment_method and throws 402. */
  function confirmIntent(ctx: Ctx, pi: PaymentIntentObject, paymentMethod: string | undefined) {
    if (pi.status !== "requires_payment_method" && pi.status !== "requires_confirmation") {
      throw invalid(
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_payment_method.`,
        { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
        true,
      );
    }
    const pm = paymentMethod ?? pi.payment_method ?? undefined;
    if (!pm) {
      throw invalid(
        "You cannot confirm this PaymentIntent because it's missing a payment method. Update the payment method and then confirm again.",
        { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
        true,
      );
    }
    const card = TEST_CARDS[pm];
    if (!card) throw noSuch("PaymentMethod", pm, "payment_method");
    // Test tokens (pm_card_visa, card numbers) stand for a fresh PaymentMethod each time, as on Stripe.
    const pmId = randomId("pm_");
    const charge = randomId("ch_");
    if (!card.ok) {
      pi.status = "requires_payment_method";
      pi.latest_charge = charge;
      pi.last_payment_error = {
        type: "card_error",
        code: card.code,
        decline_code: card.decline,
        doc_url: docUrl(card.code),
        message: card.message,
        charge,
        payment_method: { id: pmId, object: "payment_method", type: "card" },
      };
      emit(ctx, "payment_intent.payment_failed", pi as unknown as Json);
      throw new ApiError(402, {
        type: "card_error",
        code: card.code,
        decline_code: card.decline,
        doc_url: docUrl(card.code),
        message: card.message,
        charge,
        payment_intent: clone(pi),
      });
    }
    pi.payment_method = pmId;
    pi.latest_charge = charge;
    pi.last_payment_error = null;
    if (pi.capture_method === "manual") {
      pi.status = "requires_capture";
      pi.amount_capturable = pi.amount;
      emit(ctx, "payment_intent.amount_capturable_updated", pi as unknown as Json);
    } else {
      pi.status = "succeeded";
      pi.amount_received = pi.amount;
      emit(ctx, "payment_intent.succeeded", pi as unknown as Json);
      markSessionPaid(pi.id);
    }
  }

  function markSessionPaid(intentId: string) {
    const rec = sessionFor(intentId);
    if (rec) rec.session.payment_status = "paid";
  }

  function expireSession(ctx: Ctx, rec: SessionRecord) {
    rec.session.status = "expired";
    rec.session.url = null;
    emit(ctx, "checkout.session.expired", rec.session as unknown as Json);
  }

  /** Sessions past expires_at expire on their own, like Stripe's (checked lazily and every few seconds). */
  function expireOverdue(ctx: Ctx) {
    const t = now();
    for (const rec of Object.values(state.sessions)) {
      if (rec.session.status === "open" && rec.session.expires_at <= t) expireSession(ctx, rec);
    }
  }

  // --- the API --------------------------------------------------------------------------------
  interface Ctx {
    /** null for changes not caused by an API request (the hosted page, expiry). */
    requestId: string | null;
    idempotencyKey: string | null;
    apiVersion: string;
    emitted: EventObject[];
  }
  type Handler = (ctx: Ctx, params: Json, id: string | undefined) => { status?: number; body: Json };

  function getSession(id: string): SessionRecord {
    const rec = state.sessions[id];
    if (!rec) throw noSuch("checkout.session", id, "session");
    return rec;
  }

  function getIntent(id: string): PaymentIntentObject {
    const pi = state.intents[id];
    if (!pi) throw noSuch("payment_intent", id, "intent");
    return pi;
  }

  function sessionView(rec: SessionRecord, expand: string[]): Json {
    const out = clone(rec.session) as unknown as Json;
    for (const field of expand) {
      if (field === "payment_intent") {
        out.payment_intent = rec.session.payment_intent ? clone(state.intents[rec.session.payment_intent] ?? null) : null;
      } else if (field === "line_items") {
        out.line_items = {
          object: "list",
          data: rec.lineItems.map((li, i) => ({
            id: `li_${rec.session.id.slice(-12)}${i}`,
            object: "item",
            amount_subtotal: li.unitAmount * li.quantity,
            amount_total: li.unitAmount * li.quantity,
            currency: rec.session.currency,
            description: li.name,
            quantity: li.quantity,
          })),
          has_more: false,
          url: `/v1/checkout/sessions/${rec.session.id}/line_items`,
        };
      } else {
        throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
      }
    }
    return out;
  }

  function intentView(pi: PaymentIntentObject, expand: string[]): Json {
    for (const field of expand) throw invalid(`This property cannot be expanded (${field}).`, { param: "expand" });
    return clone(pi) as unknown as Json;
  }

  const createSession: Handler = (_ctx, params) => {
    allowOnly(params, [
      "mode",
      "line_items",
      "payment_intent_data",
      "metadata",
      "success_url",
      "cancel_url",
      "customer_email",
      "client_reference_id",
      "expires_at",
      "payment_method_types",
      "locale",
      "expand",
    ]);
    const mode = str(params, "mode");
    if (!mode) throw missing("mode");
    if (mode !== "payment") {
      throw invalid(`This local Stripe-compatible server implements mode=payment only (got ${mode}).`, { param: "mode" });
    }
    const rawItems = list(params, "line_items");
    if (!rawItems || rawItems.length === 0) throw missing("line_items");
    let currency: string | undefined;
    const lineItems: LineItem[] = rawItems.map((raw, i) => {
      const p = `line_items[${i}]`;
      if (!raw || typeof raw !== "object") throw invalid("Invalid object", { param: p });
      const item = raw as Json;
      allowOnly(item, ["price_data", "quantity", "price"], p);
      if (item.price !== undefined) throw noSuch("price", String(item.price), `${p}[price]`);
      const quantity = int(item, "quantity", `${p}[quantity]`);
      if (quantity === undefined) throw missing(`${p}[quantity]`);
      if (quantity < 1) throw invalid("This value must be greater than or equal to 1.", { param: `${p}[quantity]` });
      const pd = obj(item, "price_data", `${p}[price_data]`);
      if (!pd) throw missing(`${p}[price]`);
      allowOnly(pd, ["currency", "unit_amount", "product_data"], `${p}[price_data]`);
      const cur = str(pd, "currency", `${p}[price_data][currency]`)?.toLowerCase();
      if (!cur) throw missing(`${p}[price_data][currency]`);
      if (!/^[a-z]{3}$/.test(cur)) throw invalid(`Invalid currency: ${cur}.`, { param: `${p}[price_data][currency]` });
      if (currency && currency !== cur) {
        throw invalid("All line items must share the same currency.", { param: `${p}[price_data][currency]` });
      }
      currency = cur;
      const unitAmount = int(pd, "unit_amount", `${p}[price_data][unit_amount]`);
      if (unitAmount === undefined) throw missing(`${p}[price_data][unit_amount]`);
      if (unitAmount < 1) throw invalid("This value must be greater than or equal to 1.", { param: `${p}[price_data][unit_amount]` });
      const prod = obj(pd, "product_data", `${p}[price_data][product_data]`);
      if (!prod) throw missing(`${p}[price_data][product_data]`);
      allowOnly(prod, ["name", "description"], `${p}[price_data][product_data]`);
      const name = str(prod, "name", `${p}[price_data][product_data][name]`);
      if (!name) throw missing(`${p}[price_data][product_data][name]`);
      return { name, unitAmount, quantity };
    });
    const successUrl = absoluteUrl(params, "success_url");
    if (!successUrl) throw missing("success_url");
    const cancelUrl = absoluteUrl(params, "cancel_url") ?? null;
    const email = str(params, "customer_email") ?? null;
    if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email)) {
      throw invalid(`Invalid email address: ${email}`, { param: "customer_email", code: "email_invalid" });
    }
    const clientReferenceId = str(params, "client_reference_id") ?? null;
    if (clientReferenceId && clientReferenceId.length > 200) {
      throw invalid("client_reference_id can be at most 200 characters.", { param: "client_reference_id" });
    }
    const created = now();
    const expiresAt = int(params, "expires_at") ?? created + 24 * 3600;
    if (expiresAt < created + 30 * 60 || expiresAt > created + 24 * 3600) {
      throw invalid("The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.", {
        param: "expires_at",
      });
    }
    const pid = obj(params, "payment_intent_data") ?? {};
    allowOnly(pid, ["capture_method", "metadata", "description"], "payment_intent_data");
    const captureMethod = (str(pid, "capture_method", "payment_intent_data[capture_method]") ?? "automatic") as CaptureMethod;
    if (!["automatic", "automatic_async", "manual"].includes(captureMethod)) {
      throw invalid(`Invalid payment_intent_data[capture_method]: must be one of automatic, automatic_async, or manual`, {
        param: "payment_intent_data[capture_method]",
      });
    }
    const id = randomId("cs_test_", 58);
    const total = lineItems.reduce((s, li) => s + li.unitAmount * li.quantity, 0);
    const rec: SessionRecord = {
      session: {
        id,
        object: "checkout.session",
        amount_subtotal: total,
        amount_total: total,
        cancel_url: cancelUrl,
        client_reference_id: clientReferenceId,
        created,
        currency: currency!,
        customer: null,
        customer_details: null,
        customer_email: email,
        expires_at: expiresAt,
        livemode: false,
        metadata: metadata(params),
        mode: "payment",
        // Stripe creates the PaymentIntent when the customer pays, not with the session.
        payment_intent: null,
        payment_method_types: ["card"],
        payment_status: "unpaid",
        status: "open",
        success_url: successUrl,
        ui_mode: "hosted",
        url: `${baseUrl}/pay/${id}`,
      },
      lineItems,
      intentData: {
        captureMethod,
        metadata: metadata(pid, "metadata"),
        description: str(pid, "description", "payment_intent_data[description]") ?? null,
      },
    };
    state.sessions[id] = rec;
    return { body: sessionView(rec, expandList(params)) };
  };

  const retrieveSession: Handler = (ctx, params, id) => {
    allowOnly(params, ["expand"]);
    expireOverdue(ctx);
    return { body: sessionView(getSession(id!), expandList(params)) };
  };

  const expireSessionRoute: Handler = (ctx, params, id) => {
    allowOnly(params, ["expand"]);
    expireOverdue(ctx);
    const rec = getSession(id!);
    if (rec.session.status !== "open") {
      throw invalid(
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${rec.session.status}".`,
        { code: "checkout_session_unexpected_state" },
        true,
      );
    }
    expireSession(ctx, rec);
    return { body: sessionView(rec, expandList(params)) };
  };

  const createIntent: Handler = (ctx, params) => {
    allowOnly(params, [
      "amount",
      "currency",
      "capture_method",
      "confirm",
      "payment_method",
      "payment_method_types",
      "metadata",
      "description",
      "receipt_email",
      "expand",
    ]);
    const amount = int(params, "amount");
    if (amount === undefined) throw missing("amount");
    if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount", code: "amount_too_small" });
    const currency = str(params, "currency")?.toLowerCase();
    if (!currency) throw missing("currency");
    const captureMethod = (str(params, "capture_method") ?? "automatic_async") as CaptureMethod;
    if (!["automatic", "automatic_async", "manual"].includes(captureMethod)) {
      throw invalid("Invalid capture_method: must be one of automatic, automatic_async, or manual", { param: "capture_method" });
    }
    const confirm = bool(params, "confirm") ?? false;
    const paymentMethod = str(params, "payment_method");
    if (paymentMethod !== undefined && !TEST_CARDS[paymentMethod]) throw noSuch("PaymentMethod", paymentMethod, "payment_method");
    const pi = newIntent({
      amount,
      currency,
      captureMethod,
      metadata: metadata(params),
      description: str(params, "description") ?? null,
      receiptEmail: str(params, "receipt_email") ?? null,
    });
    if (paymentMethod) {
      pi.payment_method = paymentMethod;
      pi.status = "requires_confirmation";
    }
    emit(ctx, "payment_intent.created", pi as unknown as Json);
    if (confirm) confirmIntent(ctx, pi, paymentMethod);
    return { body: intentView(pi, expandList(params)) };
  };

  const retrieveIntent: Handler = (_ctx, params, id) => {
    allowOnly(params, ["expand", "client_secret"]);
    return { body: intentView(getIntent(id!), expandList(params)) };
  };

  const confirmIntentRoute: Handler = (ctx, params, id) => {
    allowOnly(params, ["payment_method", "expand", "return_url"]);
    const pi = getIntent(id!);
    confirmIntent(ctx, pi, str(params, "payment_method"));
    return { body: intentView(pi, expandList(params)) };
  };

  const captureIntent: Handler = (ctx, params, id) => {
    allowOnly(params, ["amount_to_capture", "metadata", "expand"]);
    const pi = getIntent(id!);
    if (pi.status !== "requires_capture") {
      throw invalid(
        `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
        true,
      );
    }
    const amount = int(params, "amount_to_capture") ?? pi.amount_capturable;
    if (amount < 1) throw invalid("This value must be greater than or equal to 1.", { param: "amount_to_capture" });
    if (amount > pi.amount_capturable) {
      throw invalid(`The amount to capture (${amount}) must be less than or equal to the amount capturable (${pi.amount_capturable}).`, {
        param: "amount_to_capture",
        code: "amount_too_large",
      });
    }
    if (params.metadata !== undefined) pi.metadata = { ...pi.metadata, ...metadata(params) };
    // Capturing less than the authorisation releases the rest, as on Stripe.
    pi.status = "succeeded";
    pi.amount_received = amount;
    pi.amount_capturable = 0;
    markSessionPaid(pi.id);
    emit(ctx, "payment_intent.succeeded", pi as unknown as Json);
    return { body: intentView(pi, expandList(params)) };
  };

  const CANCELABLE: IntentStatus[] = [
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
  ];
  const cancelIntent: Handler = (ctx, params, id) => {
    allowOnly(params, ["cancellation_reason", "expand"]);
    const pi = getIntent(id!);
    if (!CANCELABLE.includes(pi.status)) {
      throw invalid(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(", ")}.`,
        { code: "payment_intent_unexpected_state", payment_intent: clone(pi) },
        true,
      );
    }
    const reason = str(params, "cancellation_reason") ?? null;
    const reasons = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"];
    if (reason !== null && !reasons.includes(reason)) {
      throw invalid(`Invalid cancellation_reason: must be one of ${reasons.join(", ")}`, { param: "cancellation_reason" });
    }
    pi.status = "canceled";
    pi.amount_capturable = 0;
    pi.canceled_at = now();
    pi.cancellation_reason = reason;
    emit(ctx, "payment_intent.canceled", pi as unknown as Json);
    return { body: intentView(pi, expandList(params)) };
  };

  const publicEndpoint = (e: WebhookEndpointObject): Json => {
    const { secret: _secret, ...rest } = e;
    return clone(rest) as Json;
  };

  const createEndpoint: Handler = (_ctx, params) => {
    allowOnly(params, ["url", "enabled_events", "description", "metadata", "api_version", "expand"]);
    const url = str(params, "url");
    if (!url) throw missing("url");
    try {
      const u = new URL(url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    } catch {
      throw invalid(`Invalid URL: ${url}`, { param: "url", code: "url_invalid" });
    }
    const events = list(params, "enabled_events")?.map(String);
    if (!events || events.length === 0) throw missing("enabled_events");
    events.forEach((t, i) => {
      if (t !== "*" && !(EVENT_TYPES as readonly string[]).includes(t)) {
        throw invalid(`Invalid enabled_events[${i}]: this local server sends ${EVENT_TYPES.join(", ")} (or "*")`, {
          param: `enabled_events[${i}]`,
        });
      }
    });
    const endpoint: WebhookEndpointObject = {
      id: randomId("we_"),
      object: "webhook_endpoint",
      api_version: str(params, "api_version") ?? null,
      application: null,
      created: now(),
      description: str(params, "description") ?? null,
      enabled_events: events,
      livemode: false,
      metadata: metadata(params),
      status: "enabled",
      url,
      secret: `whsec_${randomBytes(24).toString("hex")}`,
    };
    state.endpoints[endpoint.id] = endpoint;
    // The secret is in this answer only, as on Stripe.
    return { body: clone(endpoint) as unknown as Json };
  };

  const listEndpoints: Handler = (_ctx, params) => {
    allowOnly(params, ["limit", "starting_after", "ending_before", "expand"]);
    const limit = Math.min(Math.max(int(params, "limit") ?? 10, 1), 100);
    const all = Object.values(state.endpoints).sort((a, b) => b.created - a.created);
    const after = str(params, "starting_after");
    const start = after ? all.findIndex((e) => e.id === after) + 1 : 0;
    const page = all.slice(start, start + limit);
    return {
      body: { object: "list", data: page.map(publicEndpoint), has_more: start + limit < all.length, url: "/v1/webhook_endpoints" },
    };
  };

  const retrieveEndpoint: Handler = (_ctx, params, id) => {
    allowOnly(params, ["expand"]);
    const e = state.endpoints[id!];
    if (!e) throw noSuch("webhook_endpoint", id!, "webhook_endpoint");
    return { body: publicEndpoint(e) };
  };

  const deleteEndpoint: Handler = (_ctx, params, id) => {
    allowOnly(params, []);
    if (!state.endpoints[id!]) throw noSuch("webhook_endpoint", id!, "webhook_endpoint");
    delete state.endpoints[id!];
    queues.delete(id!);
    return { body: { id, object: "webhook_endpoint", deleted: true } };
  };

  const routes: Array<[string, RegExp, Handler]> = [
    ["POST", /^\/v1\/checkout\/sessions$/, createSession],
    ["GET", /^\/v1\/checkout\/sessions\/([^/]+)$/, retrieveSession],
    ["POST", /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, expireSessionRoute],
    ["POST", /^\/v1\/payment_intents$/, createIntent],
    ["GET", /^\/v1\/payment_intents\/([^/]+)$/, retrieveIntent],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/confirm$/, confirmIntentRoute],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/capture$/, captureIntent],
    ["POST", /^\/v1\/payment_intents\/([^/]+)\/cancel$/, cancelIntent],
    ["POST", /^\/v1\/webhook_endpoints$/, createEndpoint],
    ["GET", /^\/v1\/webhook_endpoints$/, listEndpoints],
    ["GET", /^\/v1\/webhook_endpoints\/([^/]+)$/, retrieveEndpoint],
    ["DELETE", /^\/v1\/webhook_endpoints\/([^/]+)$/, deleteEndpoint],
  ];

  /** The key a request authenticates with, or null. Stripe accepts Bearer and Basic (key as user). */
  function apiKeyOf(req: http.IncomingMessage): { key: string | null; given: string | null } {
    const h = req.headers.authorization;
    if (!h) return { key: null, given: null };
    let key: string | null = null;
    const bearer = /^Bearer\s+(\S+)$/i.exec(h);
    const basic = /^Basic\s+(\S+)$/i.exec(h);
    if (bearer) key = bearer[1]!;
    else if (basic) key = Buffer.from(basic[1]!, "base64").toString("utf8").split(":")[0] ?? null;
    if (key && /^(sk|rk)_test_\w+$/.test(key)) return { key, given: key };
    return { key: null, given: key ?? h };
  }

  async function api(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rawBody: string) {
    const method = req.method ?? "GET";
    const requestId = randomId("req_", 14);
    const idemHeader = req.headers["idempotency-key"];
    const idempotencyKey = method === "POST" && typeof idemHeader === "string" && idemHeader ? idemHeader : null;
    const stripeVersion = typeof req.headers["stripe-version"] === "string" ? req.headers["stripe-version"] : API_VERSION;
    const ctx: Ctx = { requestId, idempotencyKey, apiVersion: stripeVersion, emitted: [] };
    const send = (status: number, body: string, extra: Record<string, string> = {}, replayed = false) => {
      res.writeHead(status, {
        "Content-Type": "application/json",
        "Request-Id": requestId,
        "Stripe-Version": stripeVersion,
        ...(idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}),
        ...extra,
      });
      res.end(body);
      requestLog.push({
        at: new Date().toISOString(),
        method,
        path: url.pathname,
        idempotencyKey,
        status,
        replayed,
        requestId,
      });
      if (requestLog.length > MAX_REQUEST_LOG) requestLog.splice(0, requestLog.length - MAX_REQUEST_LOG);
    };
    const sendError = (e: ApiError) => send(e.status, JSON.stringify({ error: { ...e.error, request_log_url: null } }, null, 2));

    const auth = apiKeyOf(req);
    if (!auth.key) {
      return sendError(
        new ApiError(401, {
          type: "invalid_request_error",
          message: auth.given
            ? `Invalid API Key provided: ${auth.given.slice(0, 8)}${"*".repeat(Math.max(auth.given.length - 12, 4))}${auth.given.slice(-4)}`
            : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        }),
      );
    }

    // Stripe reads parameters from the query string and the form body alike.
    const params = {
      ...(qs.parse(url.search.slice(1), { depth: 10, arrayLimit: 1000 }) as Json),
      ...(rawBody ? (qs.parse(rawBody, { depth: 10, arrayLimit: 1000 }) as Json) : {}),
    };

    let scope: string | null = null;
    let fingerprint = "";
    if (idempotencyKey) {
      pruneIdempotency();
      scope = `${auth.key}|${idempotencyKey}`;
      fingerprint = createHash("sha256").update(canonical(params)).digest("hex");
      const prior = state.idempotency[scope];
      if (prior) {
        if (prior.method !== method || prior.path !== url.pathname) {
          return sendError(
            new ApiError(400, {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${prior.method} ${prior.path}' vs '${method} ${url.pathname}'). Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          );
        }
        if (prior.fingerprint !== fingerprint) {
          return sendError(
            new ApiError(400, {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            }),
          );
        }
        return send(prior.status, prior.body, { "Idempotent-Replayed": "true", "Original-Request": requestId }, true);
      }
    }

    const route = routes.find(([m, re]) => m === method && re.test(url.pathname));
    let status: number;
    let body: string;
    let store = true;
    try {
      if (!route) {
        throw new ApiError(
          404,
          {
            type: "invalid_request_error",
            message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          },
          false,
        );
      }
      const id = route[1].exec(url.pathname)![1];
      const out = route[2](ctx, params, id ? decodeURIComponent(id) : undefined);
      status = out.status ?? 200;
      body = JSON.stringify(out.body, null, 2);
    } catch (e) {
      let err: ApiError;
      if (e instanceof ApiError) err = e;
      else {
        log(`internal error on ${method} ${url.pathname}: ${(e as Error).stack}`);
        err = new ApiError(500, { type: "api_error", message: "An unknown error occurred" }, false);
      }
      status = err.status;
      store = err.storeIdempotent;
      body = JSON.stringify({ error: { ...err.error, request_log_url: null } }, null, 2);
    }
    if (scope && store) {
      state.idempotency[scope] = { method, path: url.pathname, fingerprint, status, body, at: Date.now() };
    }
    send(status, body);
    if (method !== "GET" || ctx.emitted.length) save();
    // Webhooks go out after the API answered, like Stripe's (the caller never waits for them).
    if (ctx.emitted.length) setImmediate(() => dispatch(ctx.emitted));
  }

  function pruneIdempotency() {
    const cutoff = Date.now() - IDEMPOTENCY_TTL_MS;
    for (const [k, v] of Object.entries(state.idempotency)) if (v.at < cutoff) delete state.idempotency[k];
  }

  // --- the hosted payment page ----------------------------------------------------------------
  function page(rec: SessionRecord, opts: { error?: string; notice?: string } = {}): string {
    const s = rec.session;
    const title = rec.lineItems.map((li) => (li.quantity > 1 ? `${li.name} × ${li.quantity}` : li.name)).join("，");
    const amount = formatAmount(s.amount_total, s.currency);
    const hold = rec.intentData.captureMethod === "manual";
    const cancel = s.cancel_url ? `<a class="cancel" href="${escapeHtml(s.cancel_url)}" data-testid="stripe-cancel">取消 / Cancel</a>` : "";
    const form = opts.notice
      ? `<p class="notice" data-testid="stripe-notice">${opts.notice}</p>`
      : `${opts.error ? `<p class="error" role="alert" data-testid="stripe-error">${opts.error}</p>` : ""}
      <form method="post" action="/pay/${escapeHtml(s.id)}">
        <fieldset>
          <legend>测试卡 / Test card</legend>
          <label><input type="radio" name="card" value="4242424242424242" checked data-testid="stripe-card-success">
            成功卡 / Succeeds · <span class="pan">4242 4242 4242 4242</span></label>
          <label><input type="radio" name="card" value="4000000000000002" data-testid="stripe-card-decline">
            拒付卡 / Declined · <span class="pan">4000 0000 0000 0002</span></label>
        </fieldset>
        ${s.customer_email ? `<p class="muted">付款人 / Payer: ${escapeHtml(s.customer_email)}</p>` : ""}
        <button type="submit" data-testid="stripe-pay">支付 / Pay ${escapeHtml(amount)}</button>
      </form>
      ${cancel}`;
    return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>支付 / Pay · ${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, "PingFang SC", "Microsoft YaHei", sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }
  main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: 8px; padding: 2rem; box-shadow: 0 2px 8px rgba(0,0,0,.08); }
  .badge { display: inline-block; background: #fff4e5; color: #8a4b00; border-radius: 4px; padding: .15rem .5rem; font-size: .8rem; }
  h1 { font-size: 1.15rem; margin: 1rem 0 .25rem; }
  .amount { font-size: 2rem; font-weight: 600; margin: .25rem 0 1rem; }
  .muted { color: #697386; font-size: .9rem; }
  fieldset { border: 1px solid #e3e8ee; border-radius: 6px; margin: 1rem 0; padding: .75rem 1rem; }
  label { display: block; padding: .35rem 0; cursor: pointer; }
  .pan { font-family: ui-monospace, monospace; }
  button { width: 100%; padding: .8rem; font-size: 1rem; border: 0; border-radius: 6px; background: #635bff; color: #fff; cursor: pointer; }
  .cancel { display: block; text-align: center; margin-top: 1rem; color: #635bff; }
  .error { background: #fdecea; color: #9b1c1c; padding: .6rem .8rem; border-radius: 6px; }
  .notice { background: #eef2f7; padding: .8rem; border-radius: 6px; }
</style>
</head>
<body>
<main>
  <span class="badge">测试模式 · Test mode — 本地 Stripe 兼容服务 / local Stripe-compatible server</span>
  <h1 data-testid="stripe-description">${escapeHtml(title)}</h1>
  <p class="amount" data-testid="stripe-amount">${escapeHtml(amount)}</p>
  ${hold ? `<p class="muted">预授权：金额将被冻结，暂不扣款。/ Authorisation only: the amount is held, not charged.</p>` : ""}
  ${form}
</main>
</body>
</html>`;
  }

  function closedNotice(rec: SessionRecord): string {
    return rec.session.status === "complete"
      ? "此付款已完成。/ This payment has already been completed."
      : "此付款页面已过期，请返回原网站重新发起。/ This payment page has expired. Go back to the site and start again.";
  }

  async function payPage(req: http.IncomingMessage, res: http.ServerResponse, id: string, rawBody: string) {
    const html = (status: number, body: string) => {
      res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(body);
    };
    const ctx: Ctx = { requestId: null, idempotencyKey: null, apiVersion: API_VERSION, emitted: [] };
    expireOverdue(ctx);
    const rec = state.sessions[id];
    try {
      if (!rec) {
        return html(404, `<!doctype html><meta charset="utf-8"><title>Not found</title><p>找不到此付款页面。/ No such payment page.</p>`);
      }
      if (req.method === "GET") {
        return html(200, page(rec, rec.session.status === "open" ? {} : { notice: closedNotice(rec) }));
      }
      if (req.method !== "POST") {
        res.writeHead(405, { Allow: "GET, POST" });
        return res.end();
      }
      if (rec.session.status !== "open") return html(409, page(rec, { notice: closedNotice(rec) }));
      const form = new URLSearchParams(rawBody);
      const card = (form.get("card") ?? "").replace(/\D/g, "");
      const outcome = TEST_CARDS[card];
      if (!outcome) {
        return html(400, page(rec, { error: "请选择一张测试卡。/ Choose one of the test cards." }));
      }
      if (!outcome.ok) {
        // The session stays open: the payer may try another card, as on Stripe's page.
        return html(402, page(rec, { error: `付款被拒绝：您的银行卡被拒付。/ ${escapeHtml(outcome.message)}` }));
      }
      const s = rec.session;
      const pi = newIntent({
        amount: s.amount_total,
        currency: s.currency,
        captureMethod: rec.intentData.captureMethod,
        metadata: rec.intentData.metadata,
        description: rec.intentData.description ?? rec.lineItems.map((li) => li.name).join(", "),
        receiptEmail: s.customer_email,
      });
      emit(ctx, "payment_intent.created", pi as unknown as Json);
      s.payment_intent = pi.id;
      confirmIntent(ctx, pi, card);
      s.status = "complete";
      s.url = null;
      s.customer_details = { email: s.customer_email };
      // With manual capture the funds are only authorised, so the session stays "unpaid" until capture.
      s.payment_status = pi.status === "succeeded" ? "paid" : "unpaid";
      emit(ctx, "checkout.session.completed", s as unknown as Json);
      res.writeHead(303, { Location: (s.success_url ?? "/").replace(/\{CHECKOUT_SESSION_ID\}/g, s.id) });
      res.end();
    } finally {
      if (ctx.emitted.length) {
        save();
        setImmediate(() => dispatch(ctx.emitted));
      }
    }
  }

  // --- debug views ----------------------------------------------------------------------------
  function local(res: http.ServerResponse, url: URL) {
    const jsonOut = (body: unknown) => {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(body));
    };
    const type = url.searchParams.get("type");
    const object = url.searchParams.get("object");
    switch (url.pathname) {
      case "/_local/events":
        return jsonOut({
          object: "list",
          data: state.events.filter((e) => (!type || e.type === type) && (!object || (e.data.object as { id?: string }).id === object)),
        });
      case "/_local/requests":
        return jsonOut({ object: "list", data: requestLog });
      case "/_local/deliveries":
        return jsonOut({ object: "list", data: deliveryLog.filter((d) => !type || d.type === type) });
      default:
        res.writeHead(404, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: "not found" }));
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
        if (url.pathname.startsWith("/v1/")) return api(req, res, url, rawBody);
        const pay = /^\/pay\/([^/]+)$/.exec(url.pathname);
        if (pay) return payPage(req, res, decodeURIComponent(pay[1]!), rawBody);
        if (url.pathname.startsWith("/_local/")) return local(res, url);
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
    const ctx: Ctx = { requestId: null, idempotencyKey: null, apiVersion: API_VERSION, emitted: [] };
    expireOverdue(ctx);
    if (ctx.emitted.length) {
      save();
      dispatch(ctx.emitted);
    }
  }, 5_000);
  sweep.unref();
  log(`local Stripe-compatible server on ${baseUrl}${opts.stateFile ? ` (state in ${opts.stateFile})` : ""}`);

  return {
    url: baseUrl,
    port,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      for (const t of timers) clearTimeout(t);
      for (const a of inflight) a.abort();
      if (saveTimer) {
        clearTimeout(saveTimer);
        saveTimer = undefined;
      }
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await writeNow();
    },
  };
}

function emptyState(): State {
  return { version: 1, sessions: {}, intents: {}, endpoints: {}, events: [], idempotency: {} };
}

async function loadState(file: string, log: (m: string) => void): Promise<State | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined; // first start
  }
  try {
    const s = JSON.parse(text) as State;
    if (s.version !== 1) throw new Error(`unknown state version ${String(s.version)}`);
    return { ...emptyState(), ...s };
  } catch (e) {
    // Keep the unreadable file for a person to look at instead of silently overwriting it.
    const aside = `${file}.unreadable-${Date.now()}`;
    await fs.rename(file, aside).catch(() => {});
    log(`could not read ${file} (${(e as Error).message}); moved it to ${aside} and started empty`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Standalone: node --import tsx tests/support/stripe-server.ts --port 12111 --state .data/stripe-local.json

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
