import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { reconciliation } from "~/services/ledger/queries.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/** /admin/ledger: the platform's balances and the reconciliation report, admins only (issue 14, point 7; decision 017). */

export const meta: MetaFunction = () => [{ title: "平台账务与对账 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "ledger:view");
  return json(await loadOrThrow(reconciliation(admin)));
}

export default function AdminLedger() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const cols = ["receivable", "received", "payable", "paidOut", "commission"] as const;
  const fenOf = (d: Record<`${(typeof cols)[number]}Fen`, number>, c: (typeof cols)[number]) => d[`${c}Fen`];
  const problems = data.unbalancedDeals.length + data.cashDifferences.length;
  return (
    <div>
      <h1>{t("ledger.title")}</h1>
      <p className="muted">{t("ledger.intro")}</p>

      <section aria-labelledby="ledger-problems">
        <h2 id="ledger-problems">{t("ledger.problems")}</h2>
        {problems === 0 ? (
          <p data-testid="ledger-clear">{t("ledger.allClear")}</p>
        ) : (
          <ul data-testid="ledger-problems">
            {data.unbalancedDeals.map((d) => (
              <li key={d}>
                <Link to={`/deals/${d}`}>{t("ledger.dealUnbalanced", { deal: d })}</Link>
              </li>
            ))}
            {data.cashDifferences.map((c) => (
              <li key={c.payment}>
                {t("ledger.cashDifference", { payment: c.payment, ledger: money(c.ledgerFen), recorded: money(c.recordedFen) })}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="ledger-balances">
        <h2 id="ledger-balances">{t("ledger.balances")}</h2>
        {data.platform.length === 0 ? (
          <p className="empty">{t("ledger.noEntries")}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="ledger-balances">
              <thead>
                <tr>
                  <th scope="col">{t("ledger.account")}</th>
                  <th scope="col">{t("ledger.debit")}</th>
                  <th scope="col">{t("ledger.credit")}</th>
                  <th scope="col">{t("ledger.balance")}</th>
                </tr>
              </thead>
              <tbody>
                {data.platform.map((a) => (
                  <tr key={a.account}>
                    <th scope="row">{t(`ledger.accounts.${a.account}`)}</th>
                    <td>{money(a.debitFen)}</td>
                    <td>{money(a.creditFen)}</td>
                    <td>{money(a.balanceFen)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="ledger-deals">
        <h2 id="ledger-deals">{t("ledger.deals")}</h2>
        {data.deals.length === 0 ? (
          <p className="empty">{t("ledger.noEntries")}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="ledger-deals">
              <thead>
                <tr>
                  <th scope="col">{t("ledger.deal")}</th>
                  {cols.map((c) => (
                    <th scope="col" key={c}>
                      {t(`ledger.${c}`)}
                    </th>
                  ))}
                  <th scope="col">{t("ledger.balanced")}</th>
                </tr>
              </thead>
              <tbody>
                {data.deals.map((d) => (
                  <tr key={d.deal}>
                    <th scope="row">
                      <Link to={`/deals/${d.deal}`}>{d.deal.slice(-6)}</Link>
                    </th>
                    {cols.map((c) => (
                      <td key={c}>{money(fenOf(d, c))}</td>
                    ))}
                    <td>{d.balanced ? t("ledger.yes") : <strong>{t("ledger.no")}</strong>}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t("ledger.totals")}</th>
                  {cols.map((c) => (
                    <td key={c}>{money(fenOf(data.totals, c))}</td>
                  ))}
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
