import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** A friendly page for thrown responses (403, 404…) and unexpected errors; never a stack trace. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
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
      <Link to="/" className="button">
        {t("errorPage.back")}
      </Link>
    </section>
  );
}
