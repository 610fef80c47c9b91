import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { listDeals } from "~/services/trading/deals/queries.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { hasRole } from "~/utils/permissions.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/** 我的交易: deals where one is the buyer or on the selling side; brokers, the bureau and admins see all. */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "我的交易 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const deals = await listDeals(user);
  const all = hasRole(user, "admin") || hasRole(user, "broker") || hasRole(user, "bureau");
  const t = requestT(request);
  return json({ deals, all, pageTitle: pageTitle(t, t(all ? "deals.allTitle" : "deals.title")) });
}

export default function DealsPage() {
  const { deals, all } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  return (
    <div className="my-deals" data-testid="deals">
      <h1>{t(all ? "deals.allTitle" : "deals.title")}</h1>
      <p className="muted">{t(all ? "deals.allIntro" : "deals.intro")}</p>
      {deals.length === 0 ? (
        <p className="empty-state">{t("deals.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="deal-table my-table">
            <thead>
              <tr>
                <th scope="col">{t("deals.columns.listing")}</th>
                <th scope="col">{t("deals.columns.seller")}</th>
                <th scope="col">{t("deals.columns.buyer")}</th>
                <th scope="col">{t("deals.columns.price")}</th>
                <th scope="col">{t("deals.columns.source")}</th>
                <th scope="col">{t("deals.columns.date")}</th>
                <th scope="col">{t("deals.columns.status")}</th>
              </tr>
            </thead>
            <tbody>
              {deals.map((d) => (
                <tr key={d.id} data-testid="deal-row">
                  <td data-label={t("deals.columns.listing")}>
                    <Link to={`/deals/${d.id}`}>{d.listing.title}</Link>
                  </td>
                  <td data-label={t("deals.columns.seller")}>{d.seller.name}</td>
                  <td data-label={t("deals.columns.buyer")}>
                    {d.buyer.name}
                    {d.buyer.organizationName ? <div className="muted">{d.buyer.organizationName}</div> : null}
                  </td>
                  <td data-label={t("deals.columns.price")} className="amount">
                    {formatYuan(d.price.amount, i18n.language)}
                  </td>
                  <td data-label={t("deals.columns.source")}>{t(`deals.sources.${d.source}`)}</td>
                  <td data-label={t("deals.columns.date")}>{formatDate(d.createdAt)}</td>
                  <td data-label={t("deals.columns.status")}>{t(`deals.statuses.${d.status}`)}</td>
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
