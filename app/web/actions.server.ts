import type { Submission } from "@conform-to/react";
import { json, redirect, type HeadersFunction, type TypedResponse } from "@remix-run/node";
import type { ActionFailure, ActionSuccess, FormReply } from "~/schemas/action-result.ts";
import { DomainError, NotFoundError, RateLimitedError, ValidationError, type FieldErrors } from "~/utils/errors.ts";
import { asServiceUnavailable, serviceUnavailableResponse } from "~/web/unavailable.server.ts";

export type { ActionFailure, ActionResult, ActionSuccess } from "~/schemas/action-result.ts";

/**
 * The one page-side error path. Services throw typed domain errors; this module turns them into
 * what a page shows:
 * - in a loader, `loadOrThrow(promise)` (or `throw errorResponse(e)`): a missing or forbidden
 *   object becomes the route's ErrorBoundary with the domain status (404, 403, 409);
 * - MongoDB unreachable (web/unavailable.server.ts) is neither: a loader's or an action's request
 *   answers 503 with Retry-After (the short bilingual page for a browser);
 * - in an action, `refusal(e, ctx)`: field errors with 400, a form-level message with the domain
 *   status (403, 409, 429 with Retry-After), always in the one ActionFailure shape — except a
 *   missing object, which stays the 404 page (an object one may not see looks like one that does
 *   not exist);
 * - bad input caught before any service runs: `refuse(status, ctx)`;
 * - success: Post/Redirect/Get with a notice, `redirectDone(path, notice)` → `?done=<notice>`, which
 *   <DoneNotice/> (components/ui/done-notice.tsx) shows.
 * The API has its own envelope (web/api/envelope.server.ts) over the same errors.
 */

/** A thrown Response for the ErrorBoundary (loaders): the domain status with its message key. */
export function errorResponse(error: unknown): Response {
  if (error instanceof Response) return error;
  // MongoDB unreachable: the 503 page with Retry-After (web/unavailable.server.ts), not a 500.
  const down = asServiceUnavailable(error);
  if (down) return serviceUnavailableResponse(down);
  if (error instanceof ValidationError) {
    return json({ status: "error" as const, error: error.fieldErrors }, { status: 400 });
  }
  if (error instanceof RateLimitedError) {
    return json(
      { status: "error" as const, error: { "": [error.message] } },
      { status: 429, headers: { "Retry-After": String(error.retryAfterSeconds) } },
    );
  }
  if (error instanceof DomainError) return new Response(error.message, { status: error.status });
  throw error;
}

/** Awaits a service call in a loader; a domain error becomes the page's error boundary. */
export async function loadOrThrow<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (e) {
    throw errorResponse(e);
  }
}

export interface RefusalContext {
  /** Which form on the page ("" when the intent itself was unreadable). */
  intent: string;
  /** For a form repeated per row (an offer, an objection, a card): which row. */
  target?: string | null;
  /** What was typed, to show again (ignored when `submission` is given: conform keeps it). */
  values?: Record<string, string>;
  /** The conform submission of the form, when the action parsed it with conform. */
  submission?: Submission<unknown>;
  /** Service field names → form field names (a service error about `terms.price` lands on `price`). */
  mapFields?: (fieldErrors: FieldErrors) => FieldErrors;
  /** NotFoundError: "throw" (the 404 page; default) or "show" (a message on the form, for lists). */
  notFound?: "throw" | "show";
  /** Fields never sent back to the browser (passwords). */
  hideFields?: string[];
}

function reply(ctx: RefusalContext, fieldErrors: FieldErrors, formError: string | null): FormReply {
  const { "": general, ...fields } = fieldErrors;
  const formErrors = [...(general ?? []), ...(formError ? [formError] : [])];
  if (ctx.submission) return ctx.submission.reply({ fieldErrors: fields, formErrors, hideFields: ctx.hideFields });
  const error: Record<string, string[]> = { ...fields };
  if (formErrors.length) error[""] = formErrors;
  return { status: "error", initialValue: ctx.values ?? {}, error };
}

/** A refusal in the one shape, with `status`. */
export function refuse(
  status: number,
  ctx: RefusalContext & {
    fieldErrors?: FieldErrors;
    formError?: string | null;
    params?: Record<string, string | number>;
    headers?: HeadersInit;
  },
): TypedResponse<ActionFailure> {
  const body: ActionFailure = {
    ok: false,
    intent: ctx.intent,
    target: ctx.target ?? null,
    reply: reply(ctx, ctx.fieldErrors ?? {}, ctx.formError ?? null),
    ...(ctx.params && Object.keys(ctx.params).length ? { params: ctx.params } : {}),
  };
  return json(body, { status, headers: ctx.headers });
}

/** The submission's own errors (conform's parse failed): 400, in the one shape. */
export function invalid(submission: Submission<unknown>, ctx: Omit<RefusalContext, "submission">): TypedResponse<ActionFailure> {
  const body: ActionFailure = {
    ok: false,
    intent: ctx.intent,
    target: ctx.target ?? null,
    reply: submission.reply({ hideFields: ctx.hideFields }),
  };
  return json(body, {
    status: 400,
  });
}

/**
 * A service's refusal as the form shows it. Domain errors only: anything else is rethrown (a bug
 * is a 500 with a log line, not a message on a form).
 */
export function refusal(e: unknown, ctx: RefusalContext): TypedResponse<ActionFailure> {
  if (e instanceof Response) throw e;
  // Not a refusal of this form: the whole page answers 503.
  if (asServiceUnavailable(e)) throw errorResponse(e);
  if (e instanceof ValidationError) {
    return refuse(400, { ...ctx, fieldErrors: ctx.mapFields ? ctx.mapFields(e.fieldErrors) : e.fieldErrors });
  }
  if (e instanceof NotFoundError && (ctx.notFound ?? "throw") === "throw") throw errorResponse(e);
  if (e instanceof RateLimitedError) {
    return refuse(429, { ...ctx, formError: e.message, headers: { "Retry-After": String(e.retryAfterSeconds) } });
  }
  if (e instanceof DomainError) {
    // An error about one field (a bid below the minimum) shows next to that field.
    return e.field
      ? refuse(e.status, { ...ctx, fieldErrors: { [e.field]: [e.message] }, params: e.params })
      : refuse(e.status, { ...ctx, formError: e.message, params: e.params });
  }
  throw e;
}

/**
 * A page's `headers` export for a form that can be refused with 429: Remix keeps only an action's
 * cookies on a document (no-JS) answer unless the route passes headers on, so without this the
 * page's 429 would lose its Retry-After (`export const headers = refusalHeaders;`).
 */
export const refusalHeaders: HeadersFunction = ({ actionHeaders, errorHeaders }) => {
  const headers = new Headers();
  const retryAfter = actionHeaders.get("Retry-After") ?? errorHeaders?.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};

/** Runs a service call for a form; its refusal comes back in the one shape, its success is what `then` answers. */
export async function attempt<T>(
  ctx: RefusalContext,
  run: () => Promise<T>,
  then: (value: T) => Response | Promise<Response>,
): Promise<Response> {
  let value: T;
  try {
    value = await run();
  } catch (e) {
    return refusal(e, ctx);
  }
  return then(value);
}

/** An answer in place (no redirect), in the one shape. */
export function succeed<T>(intent: string, data: T, target: string | null = null): TypedResponse<ActionSuccess<T>> {
  return json({ ok: true, intent, target, data } as ActionSuccess<T>);
}

/** Post/Redirect/Get after a change: to `path` with `?done=<notice>` (other query parameters of `keep` kept), and an optional #hash. */
export function redirectDone(path: string, notice: string, opts: { keep?: URLSearchParams; hash?: string; headers?: HeadersInit } = {}) {
  const url = new URL(path, "http://x");
  const next = new URLSearchParams(opts.keep ?? url.searchParams);
  next.set("done", notice);
  return redirect(`${url.pathname}?${next}${opts.hash ? `#${opts.hash}` : ""}`, { headers: opts.headers });
}

/**
 * Dispatches a multi-form action on its `intent` field. An intent the page does not have is a 400
 * in the one shape, its error under the field `intent`; a handler's domain error that it did not catch itself is refused with no target.
 */
export async function intentAction<const I extends string>(
  values: Record<string, string>,
  handlers: { [K in I]: () => Promise<Response> },
): Promise<Response> {
  const intent = values.intent ?? "";
  const handler = Object.hasOwn(handlers, intent) ? handlers[intent as I] : undefined;
  // The refusal names the field that is wrong: `intent` (issue 17, found by the fuzzing).
  if (!handler) return refuse(400, { intent, fieldErrors: { intent: ["errors.invalidInput"] } });
  try {
    return await handler();
  } catch (e) {
    if (e instanceof DomainError) return refusal(e, { intent, values });
    throw e;
  }
}
