import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { commissionsOf } from "~/services/ledger/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatYuan } from "~/utils/money.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/** /my/commissions: a broker's commissions owed and paid, per deal and in total, from the ledger (issue 14, point 7; decision 017). */

export const meta: MetaFunction = () => [{ title: "我的经纪佣金 · 成果" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const broker = await requirePermission(request, "deal:mediate");
  return json(await loadOrThrow(commissionsOf(broker, broker.id)));
}

const FIELDS = ["owed", "reversed", "paid", "outstanding"] as const;

export default function MyCommissions() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const rows = (f: Record<`${(typeof FIELDS)[number]}Fen`, number>) =>
    FIELDS.map((k) => (
      <div className="facts__row" key={k}>
        <dt>{t(`ledger.commissions.${k}`)}</dt>
        <dd>{money(f[`${k}Fen`])}</dd>
      </div>
    ));
  return (
    <div>
      <h1>{t("ledger.commissions.title")}</h1>
      <p className="muted">{t("ledger.commissions.intro")}</p>
      <p>
        <Link to="/account/payouts">{t("payouts.mine.title")}</Link>
      </p>
      <dl className="facts" data-testid="commission-total">
        <div className="facts__row">
          <dt>{t("ledger.totals")}</dt>
          <dd />
        </div>
        {rows(data.total)}
      </dl>
      {data.deals.length === 0 ? (
        <p className="muted">{t("ledger.commissions.none")}</p>
      ) : (
        <ol className="admin-cards" data-testid="commission-deals">
          {data.deals.map((d) => (
            <li key={d.deal} className="admin-card">
              <h2 className="admin-card__title">
                <Link to={`/deals/${d.deal}`}>
                  {t("ledger.deal")} {d.deal}
                </Link>
              </h2>
              <dl className="facts">{rows(d)}</dl>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
