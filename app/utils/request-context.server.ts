import { AsyncLocalStorage } from "node:async_hooks";
import { randomInt } from "node:crypto";
import { singleton } from "./singleton.server.ts";

/**
 * The id of the request (or socket event) being handled, carried through every await by
 * AsyncLocalStorage so that each log line written meanwhile says which request it belongs to
 * (logger.server.ts adds it as `reqId`), and the error page can show it for a user to quote
 * (docs/decisions/039-metrics-and-request-ids.md). One store per process: the server and the
 * Remix build load their own copies of this module.
 */
export interface RequestContext {
  reqId: string;
}

const store = () => singleton("requestContext", () => new AsyncLocalStorage<RequestContext>());

/** What an incoming `X-Request-Id` may be (a proxy's id, a UUID): printable, no spaces, bounded. */
const VALID_ID = /^[A-Za-z0-9._:-]{8,64}$/;

// Lower-case letters and digits without i, l, o, u: easy to read out and to type into grep.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** A new id: 12 characters (60 random bits). */
export function newRequestId(): string {
  let id = "";
  for (let i = 0; i < 12; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

/** The incoming id when it is a valid one, else a new one. */
export function requestIdFrom(header: string | string[] | null | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && VALID_ID.test(value) ? value : newRequestId();
}

/** Runs `fn` as part of the request `reqId`. */
export function runWithRequestId<T>(reqId: string, fn: () => T): T {
  return store().run({ reqId }, fn);
}

/** The id of the request being handled here, if any. */
export function currentRequestId(): string | undefined {
  return store().getStore()?.reqId;
}
