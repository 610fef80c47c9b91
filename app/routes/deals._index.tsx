import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { listDeals } from "~/services/trading/deals/queries.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { hasRole } from "~/utils/permissions.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { CONTRACT_STATE_FILTERS, DealFiltersSchema, PAYMENT_STATE_FILTERS } from "~/schemas/deal-filters.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { ValidationError } from "~/utils/errors.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 我的交易: deals where one is the buyer or on the selling side; brokers, the bureau and admins see all.
 * Each row says where its contract and its money stand; `?contractState=` and `?paymentState=`
 * filter by them (a GET form: works without JavaScript).
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "我的交易 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const parsed = DealFiltersSchema.safeParse({
    contractState: url.searchParams.get("contractState") ?? undefined,
    paymentState: url.searchParams.get("paymentState") ?? undefined,
  });
  // An unknown state is a 400 naming the parameter, never a silently unfiltered list.
  if (!parsed.success) throw errorResponse(new ValidationError(flattenZodErrors(parsed.error)));
  const filters = parsed.data;
  const deals = await listDeals(user, filters);
  const all = hasRole(user, "admin") || hasRole(user, "broker") || hasRole(user, "bureau");
  const t = requestT(request);
  return json({ deals, all, filters, pageTitle: pageTitle(t, t(all ? "deals.allTitle" : "deals.title")) });
}

export default function DealsPage() {
  const { deals, all, filters } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  return (
    <div className="my-deals" data-testid="deals">
      <h1>{t(all ? "deals.allTitle" : "deals.title")}</h1>
      <p className="muted">{t(all ? "deals.allIntro" : "deals.intro")}</p>
      <Form method="get" className="deal-filters" data-testid="deal-filters">
        <label>
          {t("deals.filters.contractState")}{" "}
          <select name="contractState" defaultValue={filters.contractState ?? ""}>
            <option value="">{t("deals.filters.any")}</option>
            {CONTRACT_STATE_FILTERS.map((s) => (
              <option key={s} value={s}>
                {t(`workspace.contractStates.${s}`)}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          {t("deals.filters.paymentState")}{" "}
          <select name="paymentState" defaultValue={filters.paymentState ?? ""}>
            <option value="">{t("deals.filters.any")}</option>
            {PAYMENT_STATE_FILTERS.map((s) => (
              <option key={s} value={s}>
                {t(`workspace.paymentStates.${s}`)}
              </option>
            ))}
          </select>
        </label>{" "}
        <button type="submit" className="button button--ghost">
          {t("deals.filters.apply")}
        </button>{" "}
        {filters.contractState || filters.paymentState ? <Link to="/deals">{t("deals.filters.reset")}</Link> : null}
      </Form>
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
                <th scope="col">{t("deals.columns.contractState")}</th>
                <th scope="col">{t("deals.columns.paymentState")}</th>
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
                  <td data-label={t("deals.columns.contractState")} data-testid="deal-contract-state">
                    {t(`workspace.contractStates.${d.contractState}`)}
                  </td>
                  <td data-label={t("deals.columns.paymentState")} data-testid="deal-payment-state">
                    {t(`workspace.paymentStates.${d.paymentState}`)}
                  </td>
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
