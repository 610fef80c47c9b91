import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { dispatchProgress } from "~/services/commissioners/queries.server.ts";
import { countyDashboard } from "~/services/statistics/dashboard.server.ts";
import { bpsText } from "~/services/statistics/figures.ts";
import { currentChinaYear } from "~/services/statistics/period.ts";
import { formatYuan } from "~/utils/money.ts";
import { can } from "~/utils/permissions.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/** /bureau: the bureau's desk (issue 15) — each task with the figure that says whether it needs attention. */

export const meta: MetaFunction = () => [{ title: "科技局工作台 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "statistics:view");
  const year = currentChinaYear();
  const [dashboard, dispatch] = await Promise.all([
    loadOrThrow(countyDashboard(user, year)),
    can(user, "commissioner:manage") ? dispatchProgress(year) : Promise.resolve(null),
  ]);
  return json({
    year,
    target: dashboard.target,
    dispatch,
    may: {
      register: can(user, "contract:register"),
      targets: can(user, "statistics:targets"),
      evaluate: can(user, "evaluation:manage"),
      commissioners: can(user, "commissioner:manage"),
      publish: can(user, "policy:publish"),
      vocabulary: can(user, "vocabulary:edit"),
    },
  });
}

export default function BureauDesk() {
  const { year, target, dispatch, may } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  return (
    <div>
      <h1>{t("desk.title")}</h1>
      <p className="muted">{t("desk.intro")}</p>
      <ul className="admin-cards" data-testid="bureau-desk">
        {may.register ? (
          <li className="admin-card" data-testid="desk-registrations">
            <h2 className="admin-card__title">{t("desk.registrations.title")}</h2>
            <p>{t("desk.registrations.text")}</p>
            <p>
              <Link to="/bureau/registrations">{t("desk.registrations.open")}</Link>
            </p>
          </li>
        ) : null}
        <li className="admin-card" data-testid="desk-statistics">
          <h2 className="admin-card__title">
            {t("desk.statistics.title")} · {t("desk.year", { year })}
          </h2>
          <p>{t("desk.statistics.text")}</p>
          <p data-testid="desk-target">
            {t("desk.statistics.progress", {
              amount: money(target.technologyFen),
              target: money(target.targetFen),
              percent: bpsText(target.progressBps),
            })}
          </p>
          <p>
            <Link to="/bureau/dashboard">{t("desk.statistics.open")}</Link>
            {may.targets ? (
              <>
                {" · "}
                <Link to="/bureau/targets">{t("desk.statistics.targets")}</Link>
              </>
            ) : null}
          </p>
        </li>
        {may.evaluate ? (
          <li className="admin-card" data-testid="desk-evaluation">
            <h2 className="admin-card__title">{t("desk.evaluation.title")}</h2>
            <p>{t("desk.evaluation.text")}</p>
            <p>
              <Link to="/bureau/evaluation">{t("desk.evaluation.open")}</Link>
            </p>
          </li>
        ) : null}
        {may.commissioners && dispatch ? (
          <li className="admin-card" data-testid="desk-commissioners">
            <h2 className="admin-card__title">{t("desk.commissioners.title")}</h2>
            <p>{t("desk.commissioners.text")}</p>
            <p data-testid="desk-dispatch">
              {t("desk.commissioners.progress", { dispatched: dispatch.dispatched, target: dispatch.target })}
            </p>
            <p>
              <Link to="/bureau/commissioners">{t("desk.commissioners.open")}</Link>
            </p>
          </li>
        ) : null}
        {may.publish ? (
          <li className="admin-card" data-testid="desk-policies">
            <h2 className="admin-card__title">{t("desk.policies.title")}</h2>
            <p>{t("desk.policies.text")}</p>
            <p>
              <Link to="/bureau/policies">{t("desk.policies.open")}</Link> · <Link to="/policies">{t("desk.policies.public")}</Link>
            </p>
          </li>
        ) : null}
        {may.vocabulary ? (
          <li className="admin-card" data-testid="desk-vocabulary">
            <h2 className="admin-card__title">{t("desk.vocabulary.title")}</h2>
            <p>{t("desk.vocabulary.text")}</p>
            <p>
              <Link to="/bureau/vocabulary">{t("desk.vocabulary.open")}</Link> ·{" "}
              <Link to="/bureau/vocabulary/proposals">{t("desk.vocabulary.proposals")}</Link> ·{" "}
              <Link to="/bureau/vocabulary/weak">{t("desk.vocabulary.weak")}</Link>
            </p>
          </li>
        ) : null}
      </ul>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
