import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { bureauPolicies } from "~/services/policies/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/** /bureau/policies — the bureau's documents in every state, newest change first, with "new" (issue 15, point 8). */
export const meta: MetaFunction = () => [{ title: "政策发布 · 成果" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "policy:publish");
  return json({ items: await loadOrThrow(bureauPolicies(user)) });
}

export default function BureauPolicies() {
  const { items } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div data-testid="bureau-policies">
      <div className="section-head">
        <h1>{t("policies.bureau.title")}</h1>
        <Link to="/bureau/policies/new" className="button" data-testid="new-policy">
          {t("policies.bureau.new")}
        </Link>
      </div>
      <p className="muted">{t("policies.bureau.intro")}</p>
      <DoneNotice ns="policies" />
      {items.length === 0 ? (
        <p className="empty-state">{t("policies.bureau.none")}</p>
      ) : (
        <div className="table-wrap">
          <table className="my-table">
            <thead>
              <tr>
                <th>{t("policies.form.title")}</th>
                <th>{t("policies.form.kind")}</th>
                <th>{t("policies.docNumber")}</th>
                <th>{t("policies.bureau.updatedAt")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-testid="bureau-policy-row">
                  <td data-label={t("policies.form.title")}>
                    <Link to={`/bureau/policies/${p.id}/edit`}>{p.title}</Link>{" "}
                    <span className={`status-badge status-badge--${p.status}`} data-testid="policy-status">
                      {t(`policies.status.${p.status}`)}
                    </span>
                    {p.publishedAt ? (
                      <small className="muted">
                        {" "}
                        {t("policies.publishedAt")} {formatDate(p.publishedAt)}
                      </small>
                    ) : null}
                  </td>
                  <td data-label={t("policies.form.kind")}>{t(`policies.kinds.${p.kind}`)}</td>
                  <td data-label={t("policies.docNumber")}>{p.docNumber ?? "—"}</td>
                  <td data-label={t("policies.bureau.updatedAt")}>{formatDateTime(p.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
