import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { PolicyList } from "~/components/policies/policy-list.tsx";
import { Pager } from "~/components/ui/pager.tsx";
import { listPublishedPolicies, parsePolicyListQuery } from "~/services/policies/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { POLICY_KINDS } from "~/utils/policies.ts";
import { loadOrThrow } from "~/web/actions.server.ts";

/**
 * /policies?kind=policy|notice&page=2 — published policies and notices, newest first, 10 a page
 * (issue 15, point 8). Everyone may read it; a bad `kind` or `page` is a 400.
 */
export const meta: MetaFunction = () => [
  { title: "政策法规 · 通知公告 · 成果" },
  { name: "description", content: "西畴县科技成果转移转化政策法规与通知公告。" },
];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const sp = new URL(request.url).searchParams;
  const raw: Record<string, string> = {};
  for (const k of ["kind", "page"]) {
    const v = sp.get(k);
    if (v) raw[k] = v;
  }
  return json(await loadOrThrow((async () => listPublishedPolicies(parsePolicyListQuery(raw)))()));
}

export default function Policies() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const filters: { kind: string | null; label: string }[] = [
    { kind: null, label: t("policies.allKinds") },
    ...POLICY_KINDS.map((k) => ({ kind: k, label: t(`policies.kinds.${k}`) })),
  ];
  return (
    <div data-testid="policies-page">
      <h1>{t("policies.title")}</h1>
      <p className="muted">{t("policies.intro")}</p>
      <nav className="status-filter" aria-label={t("policies.form.kind")}>
        <ul>
          {filters.map((f) => (
            <li key={f.kind ?? "all"}>
              <Link
                to={f.kind ? `?kind=${f.kind}` : "/policies"}
                className={data.kind === f.kind ? "is-current" : undefined}
                aria-current={data.kind === f.kind ? "page" : undefined}
              >
                {f.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {data.items.length === 0 ? <p className="empty-state">{t("policies.empty")}</p> : <PolicyList items={data.items} />}
      {data.pageCount > 1 ? <Pager page={data.page} pageCount={data.pageCount} /> : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
