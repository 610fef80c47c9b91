import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Row } from "~/components/ui/fact-row.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { EvaluationQuerySchema, parseWeightsForm } from "~/schemas/commissioners.ts";
import { currentYear } from "~/services/commissioners/queries.server.ts";
import { scorecard } from "~/services/evaluation/scorecards.server.ts";
import { updateScorecardWeights } from "~/services/settings/evaluation.server.ts";
import listingStyles from "~/styles/listings.css";
import { SCORECARD_KINDS } from "~/utils/scorecards.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/evaluation?year=&kind=town|enterprise|commissioner|broker — 绩效评估 (issue 15, point 6):
 * the year's ranking with every score's formula, the weights form and the CSV download. A GET
 * form and plain posts: it works without JavaScript.
 */

export const meta: MetaFunction = () => [{ title: "绩效评估 · 成果" }];
// listings.css: the facts lists of the cards.
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

function query(request: Request) {
  const parsed = EvaluationQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { year: parsed.year ?? currentYear(), kind: parsed.kind };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "evaluation:manage");
  const { year, kind } = query(request);
  return json(await loadOrThrow(scorecard(user, kind, year)));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "evaluation:manage");
  const values = formValues(await readVerifiedForm(request));
  const { year, kind } = query(request);
  return intentAction(values, {
    weights: async () => {
      const parsed = parseWeightsForm(kind, values);
      if (!parsed.ok) return refuse(400, { intent: "weights", values, fieldErrors: parsed.errors });
      return attempt(
        { intent: "weights", values },
        () => updateScorecardWeights(user, kind, parsed.weights),
        () => redirectDone(`/bureau/evaluation?year=${year}&kind=${kind}`, "weights", { hash: "ranking" }),
      );
    },
  });
}

export default function Evaluation() {
  const card = useLoaderData<typeof loader>();
  const failed = resultFor(useActionData<typeof action>() as ActionResult | undefined, "weights");
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const q = `year=${card.year}&kind=${card.kind}`;
  return (
    <div className="page" data-testid="evaluation-page">
      <h1>{t("evaluation.title")}</h1>
      <p className="muted">{t("evaluation.intro")}</p>
      <DoneNotice ns="evaluation" />

      <Form method="get" className="toolbar">
        <label htmlFor="year">{t("evaluation.year")}</label>
        <input id="year" name="year" type="number" inputMode="numeric" min={2000} max={2100} defaultValue={card.year} />
        <label htmlFor="kind">{t("evaluation.kind")}</label>
        <select id="kind" name="kind" defaultValue={card.kind}>
          {SCORECARD_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`evaluation.kinds.${k}`)}
            </option>
          ))}
        </select>
        <button type="submit" className="button button--ghost">
          {t("evaluation.show")}
        </button>
        <a className="button button--ghost" href={`/bureau/evaluation.csv?${q}`} download data-testid="evaluation-csv">
          {t("evaluation.download")}
        </a>
      </Form>

      <h2 id="ranking">
        {card.year} · {t(`evaluation.kinds.${card.kind}`)}
      </h2>
      <p data-testid="formula-shape">{t("evaluation.formulaShape", { formula: card.shape })}</p>
      {card.rows.length === 0 ? (
        <p className="muted">{t("evaluation.none")}</p>
      ) : (
        <ol className="admin-cards" data-testid="ranking">
          {card.rows.map((r) => (
            <li key={r.id} className="admin-card" data-testid="ranking-row">
              <h3 className="admin-card__title">
                {t("evaluation.rank")} {r.rank} · {r.name} · {t("evaluation.score")} <strong>{r.score}</strong>
              </h3>
              <dl className="facts">
                {card.indicators.map((k) => (
                  <Row key={k} label={t(`evaluation.indicators.${k}`)} value={r.values[k] ?? 0} />
                ))}
                <Row label={t("evaluation.formula")} value={<small data-testid="formula">{r.formula}</small>} />
              </dl>
            </li>
          ))}
        </ol>
      )}

      <Form method="post" action={`/bureau/evaluation?${q}`} className="form-card" data-testid="weights-form">
        <h2>
          {t("evaluation.weights")} · {t(`evaluation.kinds.${card.kind}`)}
        </h2>
        <p className="muted">{t("evaluation.weightsHint")}</p>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="weights" />
        {failed?.formError ? (
          <div className="form-error">
            <FieldErrors errors={[failed.formError]} />
          </div>
        ) : null}
        {card.indicators.map((k) => (
          <Field key={k} id={`w_${k}`} label={t(`evaluation.indicators.${k}`)} errors={failed?.fieldErrors[`w_${k}`]}>
            <input
              id={`w_${k}`}
              name={`w_${k}`}
              type="number"
              inputMode="decimal"
              min={0}
              max={1000}
              step="any"
              required
              defaultValue={failed?.values[`w_${k}`] ?? String(card.weights[k] ?? 0)}
              aria-describedby={`w_${k}-error`}
            />
          </Field>
        ))}
        <button type="submit" className="button" disabled={busy}>
          {t("evaluation.saveWeights")}
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
