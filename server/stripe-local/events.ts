import Stripe from "stripe";
import type { Ctx, DeliveryLogEntry, EventObject, Json, State, WebhookEndpointObject } from "./objects.ts";
import { clone, now, randomId } from "./params.ts";
import { MAX_EVENTS } from "./state.ts";

/**
 * Events and their signed delivery, like Stripe's: an event records the object as it is at that
 * moment; delivery starts after the API has answered (the caller never waits for it), goes to
 * every enabled endpoint that wants the type, strictly in order per endpoint, signed afresh on
 * every attempt (the timestamp is part of the signature), and is retried with back-off.
 */

const MAX_DELIVERY_LOG = 5000;

export interface Events {
  /** Records an event of `type` about `object` (a copy of it as it is now); `ctx` delivers it after the answer. */
  emit(ctx: Ctx, type: string, object: object, previousAttributes?: Json): EventObject;
  /** Queues the events for delivery. */
  dispatch(events: EventObject[]): void;
  /** Forgets the queue of a deleted endpoint. */
  forget(endpointId: string): void;
  /** Test control: the next `count` events of `type` are held back `ms` per endpoint (later events overtake them). */
  delay(type: string, ms: number, count?: number): void;
  /** Test control: the next `count` events of `type` are delivered twice to each endpoint. */
  duplicate(type: string, count?: number): void;
  deliveries: DeliveryLogEntry[];
  close(): void;
}

function matches(endpoint: WebhookEndpointObject, type: string): boolean {
  return endpoint.status === "enabled" && (endpoint.enabled_events.includes("*") || endpoint.enabled_events.includes(type));
}

export function events(state: State, opts: { retryDelaysMs: number[]; log: (m: string) => void }): Events {
  const { retryDelaysMs: retryDelays, log } = opts;
  /** Per endpoint: events waiting, delivered strictly in order (one in flight at a time). */
  const queues = new Map<string, { events: EventObject[]; running: boolean }>();
  const timers = new Set<NodeJS.Timeout>();
  const inflight = new Set<AbortController>();
  const deliveries: DeliveryLogEntry[] = [];
  let closed = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const delays: Array<{ type: string; ms: number; left: number }> = [];
  const duplicates: Array<{ type: string; left: number }> = [];
  /** Events a delay rule already held back once: when they come out, they go straight to the queue. */
  const released = new Set<string>();

  function take<R extends { type: string; left: number }>(rules: R[], type: string): R | undefined {
    const rule = rules.find((r) => r.type === type && r.left > 0);
    if (rule) rule.left -= 1;
    return rule;
  }

  function emit(ctx: Ctx, type: string, object: object, previousAttributes?: Json): EventObject {
    const targets = Object.values(state.endpoints).filter((e) => matches(e, type));
    const event: EventObject = {
      id: randomId("evt_"),
      object: "event",
      api_version: ctx.apiVersion,
      created: now(),
      data: { object: clone(object) as Json, ...(previousAttributes ? { previous_attributes: clone(previousAttributes) } : {}) },
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

  function dispatch(list: EventObject[]) {
    for (const event of list) {
      if (!released.delete(event.id)) {
        const held = take(delays, event.type);
        if (held) {
          const t = setTimeout(() => {
            timers.delete(t);
            released.add(event.id);
            dispatch([event]);
          }, held.ms);
          timers.add(t);
          continue;
        }
        if (take(duplicates, event.type)) enqueue(event);
      }
      enqueue(event);
    }
  }

  function enqueue(event: EventObject) {
    for (const endpoint of Object.values(state.endpoints)) {
      if (!matches(endpoint, event.type)) continue;
      let q = queues.get(endpoint.id);
      if (!q) queues.set(endpoint.id, (q = { events: [], running: false }));
      q.events.push(event);
      if (!q.running) void drain(endpoint.id, q);
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
      deliveries.push(entry);
      if (deliveries.length > MAX_DELIVERY_LOG) deliveries.splice(0, deliveries.length - MAX_DELIVERY_LOG);
      if (entry.status !== null && entry.status >= 200 && entry.status < 300) return;
      log(`webhook ${event.type} ${event.id} → ${endpoint.url}: ${entry.status ?? entry.error} (attempt ${attempt})`);
      if (attempt <= retryDelays.length) await sleep(retryDelays[attempt - 1]!);
    }
    log(`webhook ${event.id} to ${endpointId} given up`);
  }

  return {
    emit,
    dispatch,
    forget: (endpointId) => void queues.delete(endpointId),
    delay: (type, ms, count = 1) => void delays.push({ type, ms, left: count }),
    duplicate: (type, count = 1) => void duplicates.push({ type, left: count }),
    deliveries,
    close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      for (const a of inflight) a.abort();
    },
  };
}
