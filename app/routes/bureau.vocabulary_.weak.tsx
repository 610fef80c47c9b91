import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { Pager } from "~/components/ui/pager.tsx";
import matchingStyles from "~/components/matching/matching.css";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { WeakDemandsQuerySchema } from "~/schemas/match-feedback.ts";
import { weakDemands } from "~/services/matching/weak-demands.server.ts";
import { formatDate } from "~/utils/china-time.ts";
import { ValidationError } from "~/utils/errors.ts";
import { scorePercent } from "~/utils/match-reasons.ts";
import { errorResponse, loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/**
 * /bureau/vocabulary/weak: the open demands whose best match is weak, with the words of each that
 * no achievement uses, linked to the vocabulary page (issue 16 point 4, decision 031). For
 * "vocabulary:edit" (bureau, brokers, admins). Matching runs per demand: a page checks at most
 * WEAK_PAGE demands (the `_` keeps it out of /bureau/vocabulary's layout).
 */

export const meta: MetaFunction = () => [{ title: "匹配薄弱的需求 · 成果" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: matchingStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "vocabulary:edit");
  const query = WeakDemandsQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw errorResponse(new ValidationError(flattenZodErrors(query.error)));
  return json(await loadOrThrow(weakDemands(user, query.data.page)));
}

export default function WeakDemands() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const pageCount = Math.max(1, Math.ceil(data.total / data.pageSize));
  const from = data.total === 0 ? 0 : (data.page - 1) * data.pageSize + 1;
  return (
    <article className="weak-demands" data-testid="weak-demands">
      <h1>{t("weakDemands.title")}</h1>
      <p className="muted" data-testid="weak-threshold">
        {t("weakDemands.intro", { percent: scorePercent(data.threshold) })}
      </p>
      <p className="muted">{t("weakDemands.computing", { count: data.pageSize })}</p>
      {data.status === "unavailable" ? (
        <p className="callout" role="status" data-testid="weak-unavailable">
          {t("weakDemands.unavailable")}
        </p>
      ) : data.items.length === 0 ? (
        <p className="muted" data-testid="weak-empty">
          {t("weakDemands.empty")}
        </p>
      ) : (
        <ol className="weak-demands__list">
          {data.items.map((d) => (
            <li key={d.id} className="match-card" data-testid="weak-demand">
              <div className="match-card__head">
                <Link to={`/demands/${d.id}`} className="match-card__title">
                  {d.title}
                </Link>
                <span className="match-card__score" data-testid="weak-best">
                  {d.best === null ? t("weakDemands.noMatch") : t("weakDemands.best", { percent: scorePercent(d.best) })}
                </span>
              </div>
              {d.publishedAt ? (
                <p className="muted weak-demands__date">
                  <time dateTime={d.publishedAt}>{formatDate(d.publishedAt)}</time>
                </p>
              ) : null}
              <p className="weak-demands__words">
                <span className="muted">{t("weakDemands.unmatchedWords")}: </span>
                {d.unmatchedWords.length ? (
                  d.unmatchedWords.map((w) => (
                    <Link key={w} to={`/bureau/vocabulary?word=${encodeURIComponent(w)}`} className="badge" data-testid="weak-word">
                      {w}
                    </Link>
                  ))
                ) : (
                  <span className="muted">{t("weakDemands.noUnmatchedWords")}</span>
                )}
              </p>
            </li>
          ))}
        </ol>
      )}
      <p className="muted">{t("weakDemands.checked", { from, to: from + data.checked - (data.checked ? 1 : 0), total: data.total })}</p>
      <Pager page={data.page} pageCount={pageCount} />
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
