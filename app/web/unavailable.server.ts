import type { i18n } from "i18next";
import { isMongoUnavailable } from "~/services/kernel/mongo-errors.ts";
import { ServiceUnavailableError } from "~/utils/errors.ts";
import { createI18n } from "~/utils/i18n.ts";
import { currentRequestId } from "~/utils/request-context.server.ts";

/**
 * The one mapping of "MongoDB cannot be reached right now" at the HTTP edge (docs/api.md,
 * "Errors"). The driver's connection errors (server selection timed out, network error, pool
 * cleared, not yet primary …) and a service's own ServiceUnavailableError all become one
 * ServiceUnavailableError here; the API answers it with its envelope (api/envelope.server.ts),
 * pages with the short page below — both 503 with Retry-After, within about a second of asking
 * (connectDb bounds server selection and does not buffer commands).
 */

/** When to ask again: about as long as the supervisor needs to bring an embedded mongod back. */
export const RETRY_AFTER_SECONDS = 5;

export const SERVICE_UNAVAILABLE_CODE = "service_unavailable";

/** The error as the edge answers it, or undefined when it is something else. */
export function asServiceUnavailable(e: unknown): ServiceUnavailableError | undefined {
  // By name: the server's and the Remix build's copies of errors.ts are different classes.
  if (e instanceof Error && e.name === "ServiceUnavailableError") return e as ServiceUnavailableError;
  if (isMongoUnavailable(e)) return new ServiceUnavailableError(RETRY_AFTER_SECONDS);
  return undefined;
}

export function retryAfterHeaders(e: ServiceUnavailableError): Record<string, string> {
  return { "Retry-After": String(e.retryAfterSeconds ?? RETRY_AFTER_SECONDS), "Cache-Control": "no-store" };
}

let translators: { zh: i18n; en: i18n } | undefined;
function texts() {
  translators ??= { zh: createI18n("zh-CN"), en: createI18n("en") };
  const t = (lang: "zh" | "en", key: string) => translators![lang].t(key) as string;
  return {
    zh: { title: t("zh", "apiErrors.serviceUnavailableTitle"), message: t("zh", "apiErrors.serviceUnavailable") },
    en: { title: t("en", "apiErrors.serviceUnavailableTitle"), message: t("en", "apiErrors.serviceUnavailable") },
  };
}

/**
 * What a loader or action throws (and a data request receives): 503, Retry-After, the API's error
 * envelope as its body. A document request whose loaders threw it is answered with
 * serviceUnavailablePage() instead (server/remix-build.ts).
 */
export function serviceUnavailableResponse(e: ServiceUnavailableError): Response {
  const { zh, en } = texts();
  const requestId = currentRequestId();
  return new Response(
    JSON.stringify({
      error: { status: 503, code: SERVICE_UNAVAILABLE_CODE, message: `${zh.message} / ${en.message}`, ...(requestId ? { requestId } : {}) },
    }),
    { status: 503, headers: { "Content-Type": "application/json; charset=utf-8", ...retryAfterHeaders(e) } },
  );
}

/** Is this (a thrown Response, or Remix's ErrorResponse made of one) the answer above? */
export function isServiceUnavailableAnswer(x: unknown): boolean {
  const r = x as { status?: unknown; data?: { error?: { code?: unknown } } } | null;
  return !!r && r.status === 503 && r.data?.error?.code === SERVICE_UNAVAILABLE_CODE;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The short page a browser gets: Chinese first, English second; no script, no style, no layout (nothing else may load). */
export function serviceUnavailablePage(e: ServiceUnavailableError = new ServiceUnavailableError(RETRY_AFTER_SECONDS)): Response {
  const { zh, en } = texts();
  const requestId = currentRequestId();
  const html =
    `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escape(zh.title)} · ${escape(en.title)}</title></head><body><main>` +
    `<h1>${escape(zh.title)}</h1><p>${escape(zh.message)}。</p>` +
    `<h2 lang="en">${escape(en.title)}</h2><p lang="en">${escape(en.message)}.</p>` +
    (requestId ? `<p>错误编号 / Error reference: <code data-request-id>${escape(requestId)}</code></p>` : "") +
    `</main></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8", ...retryAfterHeaders(e) } });
}
