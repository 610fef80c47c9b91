import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { StageFacts } from "~/components/settlement/stage-parts.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { dealStages } from "~/services/settlement/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * /deals/:id/stages: the deal's payment schedule (issue 14, point 5) — each stage with what is due,
 * paid, short (少付), excess (多付) or late (逾期), and a link to pay it. Parties, their broker,
 * admins and the bureau; anyone else 404.
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "付款计划 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const data = await loadOrThrow(dealStages(user, params.id ?? ""));
  const t = requestT(request);
  return json({ ...data, pageTitle: pageTitle(t, t("settlement.stagesTitle"), data.deal.title) });
}

export default function DealStagesPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="trading-page" data-testid="stages-page">
      <p className="breadcrumb">
        <Link to={`/deals/${data.deal.id}`}>{t("settlement.back")}</Link>
      </p>
      <h1>
        {t("settlement.stagesTitle")} · {data.deal.title}
      </h1>
      <p>{t("settlement.paymentStates." + data.deal.paymentState)}</p>
      {data.stages.length === 0 ? (
        <p data-testid="stages-none">{t("settlement.none")}</p>
      ) : (
        <ol className="admin-cards" data-testid="stages">
          {data.stages.map((s) => (
            <li key={s.id} className="admin-card" data-testid="stage">
              <h2 className="admin-card__title">
                <Link to={`/deals/${data.deal.id}/stages/${s.number}`}>
                  {t("settlement.stageTitle", { number: s.number, title: s.title })}
                </Link>
              </h2>
              <StageFacts stage={s} />
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
