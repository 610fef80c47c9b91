import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { getPublicPolicy } from "~/services/policies/queries.server.ts";
import policyStyles from "~/components/policies/policies.css";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { getUser } from "~/web/auth.server.ts";

/**
 * /policies/:id — one published policy or notice: its facts, the body (Markdown rendered safely on
 * the server), its attachments. A withdrawn one answers 410 with its title, number and the
 * withdrawal's date and reason, without the body (decision 028); a draft is a 404 except for the
 * bureau and admins, who see a marked preview.
 */
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.policy.title ?? "政策法规"} · 成果` }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: policyStyles },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  const policy = await loadOrThrow(getPublicPolicy(viewer, params.id ?? ""));
  return json({ policy }, { status: policy.status === "withdrawn" ? 410 : 200 });
}

export default function PolicyPage() {
  const { policy } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const facts: [string, string | null][] = [
    [t("policies.docNumber"), policy.docNumber],
    [t("policies.issuer"), policy.issuer],
    [t("policies.issuedOn"), policy.issuedOn],
    [t("policies.effectiveOn"), policy.effectiveOn],
    [t("policies.publishedAt"), policy.publishedAt ? formatDate(policy.publishedAt) : null],
  ];
  return (
    <article className="policy-page" data-testid="policy-page">
      <p>
        <Link to="/policies">← {t("policies.backToList")}</Link>
      </p>
      <p>
        <span className="badge">{t(`policies.kinds.${policy.kind}`)}</span>{" "}
        {policy.status !== "published" ? (
          <span className={`status-badge status-badge--${policy.status}`}>{t(`policies.status.${policy.status}`)}</span>
        ) : null}
      </p>
      <h1>{policy.title}</h1>
      {policy.status === "withdrawn" ? (
        <p className="notice" role="status" data-testid="withdrawn-notice">
          {t("policies.withdrawnNotice", { date: formatDate(policy.withdrawnAt) })}{" "}
          {policy.withdrawReason ? t("policies.withdrawnReason", { reason: policy.withdrawReason }) : ""}
        </p>
      ) : null}
      {policy.status === "draft" ? (
        <p className="notice" role="status" data-testid="draft-preview">
          {t("policies.draftPreview")}
        </p>
      ) : null}
      <dl className="facts policy-facts">
        {facts
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      {policy.html ? (
        // Rendered on the server by markdown-it with HTML off and links limited to http(s)/mailto (services/policies/markdown.server.ts).
        <div className="policy-body" data-testid="policy-body" dangerouslySetInnerHTML={{ __html: policy.html }} />
      ) : null}
      {policy.attachments.length ? (
        <section aria-labelledby="policy-attachments">
          <h2 id="policy-attachments">{t("policies.attachments")}</h2>
          <ul data-testid="policy-attachments">
            {policy.attachments.map((a) => (
              <li key={a.id}>
                <a href={`/policies/${policy.id}/files/${a.id}`}>{a.filename}</a>{" "}
                <small className="muted">{Math.ceil(a.size / 1024)} KB</small> ·{" "}
                <a href={`/policies/${policy.id}/files/${a.id}?download=1`}>{t("policies.download")}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
