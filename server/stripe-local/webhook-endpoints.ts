import { randomBytes } from "node:crypto";
import type { Handler } from "./core.ts";
import { invalid, missing, noSuch } from "./errors.ts";
import { EVENT_TYPES, type WebhookEndpointObject } from "./objects.ts";
import { allowOnly, clone, int, list, metadata, now, randomId, str } from "./params.ts";

/** Webhook endpoints: create (the signing secret is in that answer only, as on Stripe), list, retrieve, delete. */

const publicEndpoint = (e: WebhookEndpointObject): unknown => {
  const { secret: _secret, ...rest } = e;
  return clone(rest);
};

export const createEndpoint: Handler = (core, _ctx, params) => {
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
  core.state.endpoints[endpoint.id] = endpoint;
  // The secret is in this answer only, as on Stripe.
  return { body: clone(endpoint) };
};

export const listEndpoints: Handler = (core, _ctx, params) => {
  allowOnly(params, ["limit", "starting_after", "ending_before", "expand"]);
  const limit = Math.min(Math.max(int(params, "limit") ?? 10, 1), 100);
  const all = Object.values(core.state.endpoints).sort((a, b) => b.created - a.created);
  const after = str(params, "starting_after");
  const start = after ? all.findIndex((e) => e.id === after) + 1 : 0;
  const page = all.slice(start, start + limit);
  return {
    body: { object: "list", data: page.map(publicEndpoint), has_more: start + limit < all.length, url: "/v1/webhook_endpoints" },
  };
};

export const retrieveEndpoint: Handler = (core, _ctx, params, id) => {
  allowOnly(params, ["expand"]);
  const e = core.state.endpoints[id!];
  if (!e) throw noSuch("webhook_endpoint", id!, "webhook_endpoint");
  return { body: publicEndpoint(e) };
};

export const deleteEndpoint: Handler = (core, _ctx, params, id) => {
  allowOnly(params, []);
  if (!core.state.endpoints[id!]) throw noSuch("webhook_endpoint", id!, "webhook_endpoint");
  delete core.state.endpoints[id!];
  core.events.forget(id!);
  return { body: { id, object: "webhook_endpoint", deleted: true } };
};
