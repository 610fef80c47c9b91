import type { Events } from "./events.ts";
import type { Ctx, Json, State } from "./objects.ts";

/** What every resource of the server shares: the state, the events, and where the server is reachable. */
export interface Core {
  state: State;
  events: Events;
  /** http://host:port, known once the server listens. */
  baseUrl(): string;
  /** Test controls armed through /_local/ (in memory only). */
  controls: { failTransfers: Record<string, number> };
  /** The state changed: write it to the state file soon. */
  save(): void;
}

/** One API endpoint: parameters in (query string and form body merged), an object out; ApiError for a refusal. */
export type Handler = (core: Core, ctx: Ctx, params: Json, id: string | undefined) => { status?: number; body: unknown };

/** A fresh per-request context for changes no API request caused (the hosted page, expiry). */
export function backgroundCtx(apiVersion: string): Ctx {
  return { requestId: null, idempotencyKey: null, apiVersion, emitted: [] };
}
