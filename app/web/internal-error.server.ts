import type { i18n } from "i18next";
import { createI18n } from "~/utils/i18n.ts";
import { currentRequestId } from "~/utils/request-context.server.ts";

/**
 * What an unexpected failure of a loader or action becomes (server/remix-build.ts): a 500 whose
 * body is the API's error envelope with the request's id, so that the error page — rendered on
 * the server or after a navigation in the browser — can show the id a user quotes to an operator,
 * who finds the request's log lines by it (docs/decisions/039-metrics-and-request-ids.md).
 */
export const INTERNAL_ERROR_CODE = "internal_error";

let translators: { zh: i18n; en: i18n } | undefined;
function message(): string {
  translators ??= { zh: createI18n("zh-CN"), en: createI18n("en") };
  return `${translators.zh.t("apiErrors.internal")} / ${translators.en.t("apiErrors.internal")}`;
}

export function internalErrorResponse(): Response {
  const requestId = currentRequestId();
  return new Response(
    JSON.stringify({ error: { status: 500, code: INTERNAL_ERROR_CODE, message: message(), ...(requestId ? { requestId } : {}) } }),
    { status: 500, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } },
  );
}
