import { createHash } from "node:crypto";
import type { IdempotencyRecord, Json, State } from "./objects.ts";
import { canonical } from "./params.ts";

/**
 * `Idempotency-Key`, as Stripe keeps it: per API key and idempotency key, the first answer is
 * stored (24 h) and replayed for a retry with the same parameters (`Idempotent-Replayed: true`);
 * the key with another endpoint or other parameters is an `idempotency_error`.
 */

// Stripe keeps idempotent results for 24 hours.
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type Prior =
  | { kind: "none" }
  | { kind: "replay"; record: IdempotencyRecord }
  | { kind: "other-endpoint"; record: IdempotencyRecord }
  | { kind: "other-params"; record: IdempotencyRecord };

export function fingerprintOf(params: Json): string {
  return createHash("sha256").update(canonical(params)).digest("hex");
}

export function prune(state: State): void {
  const cutoff = Date.now() - IDEMPOTENCY_TTL_MS;
  for (const [k, v] of Object.entries(state.idempotency)) if (v.at < cutoff) delete state.idempotency[k];
}

/** What an earlier request with this key says about this one. */
export function priorOf(state: State, scope: string, method: string, path: string, fingerprint: string): Prior {
  const record = state.idempotency[scope];
  if (!record) return { kind: "none" };
  if (record.method !== method || record.path !== path) return { kind: "other-endpoint", record };
  if (record.fingerprint !== fingerprint) return { kind: "other-params", record };
  return { kind: "replay", record };
}

export function remember(state: State, scope: string, record: Omit<IdempotencyRecord, "at">): void {
  state.idempotency[scope] = { ...record, at: Date.now() };
}
