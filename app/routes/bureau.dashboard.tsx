import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { missingCalendarYears } from "~/services/registration/settings.server.ts";
import { countyDashboard, type Row } from "~/services/statistics/dashboard.server.ts";
import { bpsText } from "~/services/statistics/figures.ts";
import { TABLE_KEYS, type TableKey } from "~/services/statistics/tables.ts";
import stylesheet from "~/styles/statistics.css";
import { localeFromCookieHeader } from "~/utils/i18n.ts";
import { formatYuan } from "~/utils/money.ts";
import { can } from "~/utils/permissions.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { dashboardCharts, dashboardYear } from "~/web/statistics.server.ts";

/**
 * /bureau/dashboard?year= — the county dashboard (issue 15, point 5): registered technology
 * contracts of a year with their breakdowns, the target's progress and the platform's funnel.
 * Charts are SVG drawn on the server; every table has its CSV (/bureau/dashboard.csv).
 */

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesheet }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "县域技术合同统计 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "statistics:view");
  const [d, missingCalendar] = await Promise.all([loadOrThrow(countyDashboard(user, dashboardYear(request))), missingCalendarYears()]);
  const t = requestT(request);
  const lang: "zh" | "en" = localeFromCookieHeader(request.headers.get("Cookie")) === "en" ? "en" : "zh";
  const titles = Object.fromEntries([...TABLE_KEYS, "target"].map((k) => [k, t(`statistics.charts.${k}`, { year: d.year })])) as Record<
    TableKey | "target",
    string
  >;
  return json({
    d,
    lang,
    charts: dashboardCharts(d, lang, titles),
    canEditTargets: can(user, "statistics:targets"),
    missingCalendar,
    canConfigure: can(user, "registration:configure"),
    pageTitle: pageTitle(t, t("statistics.title")),
  });
}

function Svg({ svg, testId }: { svg: string; testId: string }) {
  // Drawn on the server from figures only (services/statistics), with no script: see web/charts.server.ts.
  return <div className="chart" data-testid={testId} dangerouslySetInnerHTML={{ __html: svg }} />;
}

function CsvLink({ year, table }: { year: number; table: TableKey }) {
  const { t } = useTranslation();
  return (
    <a className="csv-link" href={`/bureau/dashboard.csv?year=${year}&table=${table}`} download data-testid={`csv-${table}`}>
      {t("statistics.csv")}
    </a>
  );
}

function FiguresTable({ rows, total, lang, head, testId }: { rows: Row[]; total?: Row; lang: "zh" | "en"; head: string; testId: string }) {
  const { t } = useTranslation();
  const line = (r: Row, strong = false) => (
    <tr key={r.key} className={strong ? "total" : undefined}>
      <th scope="row">{r.label[lang]}</th>
      <td className="num">{r.count}</td>
      <td className="num">{formatYuan(r.contractFen)}</td>
      <td className="num">{formatYuan(r.technologyFen)}</td>
      <td className="num">{bpsText(r.shareBps)}</td>
    </tr>
  );
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col" className="num">
              {t("statistics.count")}
            </th>
            <th scope="col" className="num">
              {t("statistics.contractAmount")}
            </th>
            <th scope="col" className="num">
              {t("statistics.technologyAmount")}
            </th>
            <th scope="col" className="num">
              {t("statistics.share")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => line(r))}
          {total ? line(total, true) : null}
        </tbody>
      </table>
    </div>
  );
}

export default function CountyDashboardPage() {
  const { d, charts, lang, canEditTargets, missingCalendar, canConfigure } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const total: Row = { key: "total", label: { zh: "合计", en: "Total" }, ...d.total };
  const breakdowns: { key: Exclude<TableKey, "months" | "funnel">; rows: Row[]; withTotal: boolean }[] = [
    { key: "towns", rows: d.towns, withTotal: true },
    { key: "fields", rows: d.fields, withTotal: true },
    { key: "categories", rows: d.categories, withTotal: true },
    { key: "entityTypes", rows: d.entityTypes, withTotal: true },
    { key: "sides", rows: d.sides, withTotal: false },
  ];
  return (
    <div className="county-dashboard" data-testid="county-dashboard">
      <h1>{t("statistics.title")}</h1>
      <p className="muted">{t("statistics.intro", { county: d.county.name })}</p>
      {missingCalendar.length ? (
        <p className="notice" data-testid="calendar-missing">
          {t("statistics.calendarMissing", { years: missingCalendar.join("、") })}
          {canConfigure ? (
            <>
              {" "}
              <Link to="/bureau/settings">{t("statistics.calendarSettings")}</Link>
            </>
          ) : null}
        </p>
      ) : null}
      <Form method="get" className="toolbar" data-testid="year-form">
        <label>
          {t("statistics.year")}{" "}
          <select name="year" defaultValue={String(d.year)}>
            {d.years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button button--ghost">
          {t("statistics.show")}
        </button>
        {canEditTargets ? <Link to="/bureau/targets">{t("statistics.targets.link")}</Link> : null}
      </Form>

      <ul className="kpis" data-testid="kpis">
        <li className="kpi" data-testid="kpi-count">
          <span className="kpi-label">{t("statistics.kpi.count")}</span>
          <strong>{d.total.count}</strong>
        </li>
        <li className="kpi" data-testid="kpi-contract">
          <span className="kpi-label">{t("statistics.kpi.contractAmount")}</span>
          <strong>{formatYuan(d.total.contractFen)}</strong>
        </li>
        <li className="kpi" data-testid="kpi-technology">
          <span className="kpi-label">{t("statistics.kpi.technologyAmount")}</span>
          <strong>{formatYuan(d.total.technologyFen)}</strong>
        </li>
        <li className="kpi" data-testid="kpi-share">
          <span className="kpi-label">{t("statistics.kpi.share")}</span>
          <strong>{bpsText(d.total.shareBps)}</strong>
        </li>
        <li className="kpi" data-testid="kpi-progress">
          <span className="kpi-label">{t("statistics.kpi.progress")}</span>
          <strong>{bpsText(d.target.progressBps)}</strong>
        </li>
      </ul>

      <section className="card dashboard-section" aria-labelledby="target-title">
        <h2 id="target-title">{t("statistics.sections.target")}</h2>
        <div className="target-row">
          <Svg svg={charts.target} testId="chart-target" />
          <div>
            <p data-testid="target-text">
              {t("statistics.targetText", {
                year: d.year,
                target: formatYuan(d.target.targetFen),
                done: formatYuan(d.target.technologyFen),
                progress: bpsText(d.target.progressBps),
              })}
            </p>
            <p>
              {d.target.remainingFen > 0
                ? t("statistics.remaining", { amount: formatYuan(d.target.remainingFen) })
                : t("statistics.targetMet")}
            </p>
            {d.target.isDefault ? <p className="muted">{t("statistics.defaultTarget")}</p> : null}
          </div>
        </div>
      </section>

      <section className="card dashboard-section" aria-labelledby="months-title">
        <h2 id="months-title">{t("statistics.sections.months")}</h2>
        <Svg svg={charts.months} testId="chart-months" />
        <FiguresTable rows={d.months} total={total} lang={lang} head={t("statistics.heads.months")} testId="table-months" />
        <CsvLink year={d.year} table="months" />
      </section>

      {breakdowns.map((b) => (
        <section key={b.key} className="card dashboard-section" aria-labelledby={`${b.key}-title`}>
          <h2 id={`${b.key}-title`}>{t(`statistics.sections.${b.key}`)}</h2>
          {b.key === "sides" ? <p className="muted">{t("statistics.sidesNote")}</p> : null}
          {b.key === "towns" ? <p className="muted">{t("statistics.townsNote")}</p> : null}
          {b.rows.length ? (
            <>
              <Svg svg={charts[b.key]} testId={`chart-${b.key}`} />
              <FiguresTable
                rows={b.rows}
                total={b.withTotal ? total : undefined}
                lang={lang}
                head={t(`statistics.heads.${b.key}`)}
                testId={`table-${b.key}`}
              />
            </>
          ) : (
            <p className="muted">{t("statistics.none")}</p>
          )}
          <CsvLink year={d.year} table={b.key} />
        </section>
      ))}

      <section className="card dashboard-section" aria-labelledby="funnel-title">
        <h2 id="funnel-title">{t("statistics.sections.funnel")}</h2>
        <p className="muted">{t("statistics.funnelNote")}</p>
        <Svg svg={charts.funnel} testId="chart-funnel" />
        <div className="table-wrap">
          <table data-testid="table-funnel">
            <thead>
              <tr>
                <th scope="col">{t("statistics.heads.funnel")}</th>
                <th scope="col" className="num">
                  {t("statistics.number")}
                </th>
              </tr>
            </thead>
            <tbody>
              {d.funnel.map((f) => (
                <tr key={f.stage}>
                  <th scope="row">{f.label[lang]}</th>
                  <td className="num">{f.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <CsvLink year={d.year} table="funnel" />
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
