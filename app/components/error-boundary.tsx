import { isRouteErrorResponse, Link, useLocation, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/**
 * The id of the request that failed, to quote to an operator (docs/decisions/039): a server
 * failure's answer carries it (app/web/internal-error.server.ts, the 503 answer); a page that
 * failed while rendering on the server has the page's own, from the root loader — only while the
 * page is still the one the server sent (a later failure in the browser has no request behind it).
 */
function useRequestId(error: unknown): string | null {
  const root = useRouteLoaderData<{ requestId?: string | null }>("root");
  const location = useLocation();
  if (isRouteErrorResponse(error)) {
    if (error.status < 500) return null;
    const id = (error.data as { error?: { requestId?: unknown } } | null)?.error?.requestId;
    return typeof id === "string" ? id : null;
  }
  return location.key === "default" ? (root?.requestId ?? null) : null;
}

/** A friendly page for thrown responses (403, 404…) and unexpected errors; never a stack trace. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const requestId = useRequestId(error);
  let title = t("errorPage.title");
  let text = t("errorPage.generic");
  let status = 500;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    if (error.status === 404) {
      title = t("errorPage.notFound");
      text = t("errorPage.notFoundText");
    } else if (error.status === 403) {
      title = t("errorPage.forbidden");
      text = typeof error.data === "string" && error.data.startsWith("errors.") ? t(error.data) : t("errorPage.forbiddenText");
    } else if (typeof error.data === "string" && error.data) {
      text = error.data.startsWith("errors.") ? t(error.data) : error.data;
    }
  }
  return (
    <section className="error-page" role="alert">
      <p className="error-status">{status}</p>
      <h1>{title}</h1>
      <p>{text}</p>
      {requestId ? (
        <p className="error-reference">
          错误编号 / <span lang="en">Error reference</span>: <code data-request-id>{requestId}</code>
        </p>
      ) : null}
      <Link to="/" className="button">
        {t("errorPage.back")}
      </Link>
    </section>
  );
}
