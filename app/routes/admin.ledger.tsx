import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { reconciliation } from "~/services/ledger/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatYuan } from "~/utils/money.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/**
 * /admin/ledger: the platform's balances and the reconciliation report, admins only (issue 14,
 * point 7; decision 017). Cards of label/value rows rather than wide tables, so a phone at 390 px
 * reads it without scrolling sideways.
 */

export const meta: MetaFunction = () => [{ title: "平台账务与对账 · 成果" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "ledger:view");
  return json(await loadOrThrow(reconciliation(admin)));
}

const COLUMNS = ["receivable", "received", "payable", "paidOut", "commission"] as const;
type Figures = Record<`${(typeof COLUMNS)[number]}Fen`, number>;

function Row({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <div className="facts__row" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

export default function AdminLedger() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const figures = (f: Figures) => COLUMNS.map((c) => <Row key={c} label={t(`ledger.${c}`)} value={money(f[`${c}Fen`])} />);
  const problems = data.unbalancedDeals.length + data.cashDifferences.length;
  return (
    <div>
      <h1>{t("ledger.title")}</h1>
      <p className="muted">{t("ledger.intro")}</p>

      <h2>{t("ledger.problems")}</h2>
      {problems === 0 ? (
        <p className="notice" data-testid="ledger-clear">
          {t("ledger.allClear")}
        </p>
      ) : (
        <ul className="admin-cards" data-testid="ledger-problems">
          {data.unbalancedDeals.map((d) => (
            <li key={d} className="admin-card">
              <Link to={`/deals/${d}`}>{t("ledger.dealUnbalanced", { deal: d })}</Link>
            </li>
          ))}
          {data.cashDifferences.map((c) => (
            <li key={c.payment} className="admin-card">
              {t("ledger.cashDifference", { payment: c.payment, ledger: money(c.ledgerFen), recorded: money(c.recordedFen) })}
            </li>
          ))}
        </ul>
      )}

      <h2>{t("ledger.balances")}</h2>
      {data.platform.length === 0 ? (
        <p className="muted">{t("ledger.noEntries")}</p>
      ) : (
        <dl className="facts" data-testid="ledger-balances">
          {data.platform.map((a) => (
            <Row
              key={a.account}
              testId={`ledger-balance-${a.account}`}
              label={t(`ledger.accounts.${a.account}`)}
              value={
                <>
                  <strong>{money(a.balanceFen)}</strong>
                  <br />
                  <span className="muted">
                    {t("ledger.debit")} {money(a.debitFen)} · {t("ledger.credit")} {money(a.creditFen)}
                  </span>
                </>
              }
            />
          ))}
        </dl>
      )}

      <h2>{t("ledger.deals")}</h2>
      {data.deals.length === 0 ? (
        <p className="muted">{t("ledger.noEntries")}</p>
      ) : (
        <>
          <dl className="facts" data-testid="ledger-totals">
            <Row label={t("ledger.totals")} value={null} />
            {figures(data.totals)}
          </dl>
          <ol className="admin-cards" data-testid="ledger-deals">
            {data.deals.map((d) => (
              <li key={d.deal} className="admin-card" data-testid="ledger-deal">
                <h3 className="admin-card__title">
                  <Link to={`/deals/${d.deal}`}>
                    {t("ledger.deal")} {d.deal}
                  </Link>
                </h3>
                <dl className="facts">
                  {figures(d)}
                  <Row label={t("ledger.balanced")} value={d.balanced ? t("ledger.yes") : <strong>{t("ledger.no")}</strong>} />
                </dl>
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
