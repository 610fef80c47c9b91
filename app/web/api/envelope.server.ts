import type { i18n } from "i18next";
import type { ApiPrincipal } from "~/services/accounts/api-tokens.server.ts";
import { authenticateApiToken } from "~/services/accounts/api-tokens.server.ts";
import type { FieldErrors, Warning } from "~/schemas/api.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { getUser } from "~/web/auth.server.ts";
import { AuthenticationError, DomainError, fieldErrorList, fieldErrors, ForbiddenError, ValidationError } from "~/utils/errors.ts";
import { MAX_JSON_DEPTH, tooDeepPath } from "~/utils/json-depth.ts";
import { formMessage, parseFormMessage } from "~/utils/messages.ts";
import { createI18n } from "~/utils/i18n.ts";
import { logger } from "~/utils/logger.server.ts";
import { currentRequestId } from "~/utils/request-context.server.ts";
import { BodyTooLargeError, formatBytes, readBoundedBytes } from "~/web/body.server.ts";
import { forbiddenCharacterPath } from "~/utils/plain-text.ts";
import { asServiceUnavailable, retryAfterHeaders } from "~/web/unavailable.server.ts";
import { type Actor } from "~/services/kernel/actor.ts";

/**
 * The HTTP edge of the open data API v1 (`/api/v1/*` resource routes): bearer-token
 * authentication, the one JSON error envelope, a size-capped JSON body reader, and messages.
 *
 * Messages convention: wherever the API answers with words (error messages, per-record field
 * errors and warnings), each is one string "中文 / English" — the platform's Chinese text, then
 * the English. Field paths and `code`s are the machine-readable part.
 */

export const API_ERROR_CODES = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  500: "internal_error",
  503: "service_unavailable",
} as const;

let translators: { zh: i18n; en: i18n } | undefined;

/** An i18n key (with its parameters) as "中文 / English"; text that is not a key comes back as it is. */
export function bilingual(key: string, params?: Record<string, unknown>): string {
  translators ??= { zh: createI18n("zh-CN"), en: createI18n("en") };
  if (!translators.zh.exists(key)) return key;
  const zh = translators.zh.t(key, params ?? {}) as string;
  const en = translators.en.t(key, params ?? {}) as string;
  return zh === en ? zh : `${zh} / ${en}`;
}

/** A field message: an i18n key, with its parameters when it carries them (`formMessage`), or plain text as it is. */
function localizeFieldMessage(message: string): string {
  const { key, params } = parseFormMessage(message);
  return key !== message && !bilingualKnows(key) ? message : bilingual(key, params);
}

function bilingualKnows(key: string): boolean {
  translators ??= { zh: createI18n("zh-CN"), en: createI18n("en") };
  return translators.zh.exists(key);
}

export function localizeFieldErrors(errors: FieldErrors): Record<string, string[]> {
  return Object.fromEntries(Object.entries(errors).map(([path, list]) => [path, list.map(localizeFieldMessage)]));
}

export function localizeWarnings(warnings: readonly Warning[]): { field: string; message: string }[] {
  return warnings.map((w) => ({ field: w.field, message: bilingual(w.message, w.params) }));
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" };

export function apiJson(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(data), { status: init.status ?? 200, headers: { ...JSON_HEADERS, ...init.headers } });
}

/**
 * The error envelope: `{ "error": { "status", "code", "message", "fields"?, "requestId"? } }`.
 * `message` is an i18n key or plain text; it goes out as "中文 / English". A 5xx carries the
 * request's id (also in the `X-Request-Id` header), to quote to the operator.
 */
export function apiError(
  status: keyof typeof API_ERROR_CODES,
  message: string,
  opts: { fields?: FieldErrors; params?: Record<string, unknown>; headers?: Record<string, string>; code?: string } = {},
): Response {
  const requestId = currentRequestId();
  return apiJson(
    {
      error: {
        status,
        code: opts.code ?? API_ERROR_CODES[status],
        message: bilingual(message, opts.params),
        ...(opts.fields ? { fields: localizeFieldErrors(opts.fields) } : {}),
        ...(status >= 500 && requestId ? { requestId } : {}),
      },
    },
    { status, headers: opts.headers },
  );
}

/** A response to throw from inside a handler (body too large, bad JSON…). */
export class ApiHttpError extends Error {
  constructor(
    readonly status: keyof typeof API_ERROR_CODES,
    message: string,
    readonly params?: Record<string, unknown>,
    /** A more specific code than the status's own (e.g. `invalid_json`). */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The caller behind `Authorization: Bearer cg_…`, or a thrown 401. */
export async function requireApiPrincipal(request: Request): Promise<ApiPrincipal> {
  return authenticateApiToken(request.headers.get("Authorization"));
}

/** A person acting through the API: who they are and how they proved it. */
export interface ApiUser {
  user: SessionUser;
  actor: Actor;
  via: "cookie" | "token";
}

/**
 * Trading actions are taken as a person: by the site's session cookie, or by a personal API
 * token (one bound to a user; role-only tokens are refused with 403). A cookie-authenticated
 * write must be JSON: a cross-site HTML form cannot send that, so the cookie cannot be abused
 * for CSRF (and the cookie is SameSite=Lax besides).
 */
export async function requireApiUser(request: Request): Promise<ApiUser> {
  if (request.headers.get("Authorization")) {
    const principal = await authenticateApiToken(request.headers.get("Authorization"));
    if (!principal.user) throw new ForbiddenError("apiErrors.personalTokenRequired");
    return { user: principal.user, actor: { ...principal.actor, name: principal.user.name }, via: "token" };
  }
  const user = await getUser(request);
  if (!user) throw new AuthenticationError("apiErrors.loginOrTokenRequired");
  if (request.method !== "GET" && request.method !== "HEAD") {
    const type = request.headers.get("Content-Type") ?? "";
    if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) throw new ApiHttpError(415, "apiErrors.jsonRequired");
  }
  return { user, actor: { id: user.id, name: user.name, roles: user.roles, organization: user.organization }, via: "cookie" };
}

type Handler<A> = (args: A) => Promise<Response>;

/**
 * Wraps a loader or action: every failure becomes the JSON envelope, never an HTML page or a
 * stack trace. Domain errors map by their status; anything unexpected is logged and a 500.
 */
export function apiHandler<A extends { request: Request }>(fn: Handler<A>): Handler<A> {
  return async (args) => {
    try {
      return await fn(args);
    } catch (e) {
      return apiErrorResponse(e, args.request);
    }
  };
}

export function apiErrorResponse(e: unknown, request?: Request): Response {
  if (e instanceof Response) return e;
  if (e instanceof ApiHttpError) return apiError(e.status, e.message, { params: e.params, code: e.code });
  if (e instanceof ValidationError) return apiError(400, e.message, { fields: e.fieldErrors });
  // MongoDB unreachable (or a service saying so): 503 with Retry-After, never a 500.
  const down = asServiceUnavailable(e);
  if (down) return apiError(503, down.message, { headers: retryAfterHeaders(down) });
  if (e instanceof AuthenticationError) {
    // RFC 6750: say which scheme, and that the token was the problem when one was sent.
    const sent = !!request?.headers.get("Authorization");
    return apiError(401, e.message, {
      headers: { "WWW-Authenticate": sent ? 'Bearer realm="chengguo", error="invalid_token"' : 'Bearer realm="chengguo"' },
    });
  }
  if (e instanceof DomainError && e.status in API_ERROR_CODES) {
    return apiError(e.status as keyof typeof API_ERROR_CODES, e.message, {
      params: Object.keys(e.params).length ? e.params : undefined,
    });
  }
  logger.error({ err: e, url: request?.url }, "open data API: unexpected error");
  return apiError(500, "apiErrors.internal");
}

/** 405 for a method a route does not serve. */
export function methodNotAllowed(allow: string): Response {
  return apiError(405, "apiErrors.methodNotAllowed", { params: { allow }, headers: { Allow: allow } });
}

/**
 * Reads a JSON body of at most `maxBytes`: 413 when longer (by Content-Length or while
 * streaming, so a huge body is never held in memory), 415 for another content type, 400 for
 * text that is not JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get("Content-Type");
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) throw new ApiHttpError(415, "apiErrors.contentType");
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedBytes(request, maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new ApiHttpError(413, "apiErrors.bodyTooLarge", { limit: formatBytes(maxBytes) });
    throw e;
  }
  if (bytes.byteLength === 0) throw new ApiHttpError(400, "apiErrors.emptyBody");
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new ApiHttpError(400, "apiErrors.invalidJson", { detail: (e as Error).message }, "invalid_json");
  }
  // Whatever reads the body next (zod, the import's record readers) may walk it recursively: a
  // body nested deeper than any real one is refused here, naming where.
  const deep = tooDeepPath(body, MAX_JSON_DEPTH);
  if (deep !== null) {
    const fields = fieldErrors();
    fieldErrorList(fields, deep).push(formMessage("apiErrors.tooDeep", { max: MAX_JSON_DEPTH }));
    throw new ValidationError(fields);
  }
  const control = forbiddenCharacterPath(body);
  if (control) {
    const fields = fieldErrors();
    fieldErrorList(fields, control.path).push(formMessage("errors.controlCharacter", { code: control.code, position: control.position }));
    throw new ValidationError(fields);
  }
  return body;
}
