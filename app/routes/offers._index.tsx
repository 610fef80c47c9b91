import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { OfferStatusBadge, TermsText } from "~/components/trading/trading-panel.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { listMyOffers } from "~/services/trading/offers/queries.server.ts";
import { type OfferThreadSummary } from "~/services/trading/offers/views.ts";
import { formatYuan } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/** 我的报价: negotiations received on one's (organisation's) listings, and those one made. */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "我的报价 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const offers = await listMyOffers(user);
  const t = requestT(request);
  return json({ ...offers, pageTitle: pageTitle(t, t("offers.title")) });
}

export default function MyOffersPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="my-offers" data-testid="my-offers">
      <h1>{t("offers.title")}</h1>
      <p className="muted">{t("offers.intro")}</p>
      <OfferTable id="incoming" title={t("offers.incoming")} empty={t("offers.emptyIncoming")} rows={data.incoming} />
      <OfferTable id="outgoing" title={t("offers.outgoing")} empty={t("offers.emptyOutgoing")} rows={data.outgoing} />
    </div>
  );
}

function OfferTable({ id, title, empty, rows }: { id: string; title: string; empty: string; rows: OfferThreadSummary[] }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="detail-section" aria-labelledby={`${id}-title`} data-testid={`offers-${id}`}>
      <h2 id={`${id}-title`}>
        {title} <span className="count">{rows.length}</span>
      </h2>
      {rows.length === 0 ? (
        <p className="empty-state">{empty}</p>
      ) : (
        <div className="table-wrap">
          <table className="offer-table my-table">
            <thead>
              <tr>
                <th scope="col">{t("offers.columns.listing")}</th>
                <th scope="col">{t("offers.columns.counterpart")}</th>
                <th scope="col">{t("offers.columns.amount")}</th>
                <th scope="col">{t("offers.columns.mode")}</th>
                <th scope="col">{t("offers.columns.status")}</th>
                <th scope="col">{t("offers.columns.expiresAt")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.thread} data-testid="offer-row">
                  <td data-label={t("offers.columns.listing")}>
                    <Link to={`/offers/${r.thread}`}>{r.listing.title}</Link>
                    <div className="muted">{t("offers.round", { version: r.latest.version })}</div>
                  </td>
                  <td data-label={t("offers.columns.counterpart")}>
                    {r.counterpart.name}
                    {r.counterpart.organizationName ? <div className="muted">{r.counterpart.organizationName}</div> : null}
                  </td>
                  <td data-label={t("offers.columns.amount")} className="amount">
                    {formatYuan(r.latest.amount, i18n.language)}
                  </td>
                  <td data-label={t("offers.columns.mode")}>
                    <TermsText mode={r.latest.transactionMode} exclusivity={r.latest.licenseExclusivity} />
                  </td>
                  <td data-label={t("offers.columns.status")}>
                    <OfferStatusBadge status={r.latest.status} />
                    {r.latest.status === "open" ? (
                      <div className={r.awaitingMe ? "awaiting-me" : "muted"}>
                        {r.awaitingMe ? t("offers.awaitingMe") : t("offers.awaitingThem")}
                      </div>
                    ) : null}
                  </td>
                  <td data-label={t("offers.columns.expiresAt")}>
                    {r.latest.status === "open" ? formatDateTime(r.latest.expiresAt) : "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
