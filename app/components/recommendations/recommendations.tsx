import type { SerializeFrom } from "@remix-run/node";
import { Form, Link, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { RecommendationView, RecommendPanel } from "~/services/recommendations/queries.server.ts";
import { formatDate } from "~/utils/china-time.ts";
import { StatusBadge } from "../listing/status-badge.tsx";
import { Field, FormErrors } from "../ui/forms.tsx";

/**
 * A demand page's recommendations: 推荐的成果 (every recommendation, for the demand's owner side and
 * reviewers, beside the computed matches), 推荐我的成果 (the form for sellers and brokers, with
 * what they already recommended), and 标记为已解决 for the owner. Plain forms: they work without
 * JavaScript; the server checks everything again.
 */

type Rec = SerializeFrom<RecommendationView>;

function RecommendationList({ items, testId }: { items: Rec[]; testId: string }) {
  const { t } = useTranslation();
  return (
    <ol className="matches__list">
      {items.map((r) => (
        <li key={r.id} className="match-card" data-testid={testId}>
          <div className="match-card__head">
            <Link to={`/achievements/${r.achievement.id}`} className="match-card__title">
              {r.achievement.title}
            </Link>
            {r.achievement.status && r.achievement.status !== "published" ? <StatusBadge status={r.achievement.status} /> : null}
          </div>
          <p className="muted">
            {r.by.organizationName
              ? t("recommendations.byOrg", { name: r.by.name, org: r.by.organizationName })
              : t("recommendations.by", { name: r.by.name })}
            {r.by.side === "broker" ? ` · ${t("recommendations.broker")}` : ""}
            {" · "}
            <time dateTime={r.createdAt}>{t("recommendations.recommendedAt", { date: formatDate(r.createdAt) })}</time>
          </p>
          {r.note ? (
            <p className="prose" data-testid="recommendation-note">
              <span className="muted">{t("recommendations.note")}：</span>
              {r.note}
            </p>
          ) : null}
          {r.roomId ? (
            <p>
              <Link to={`/rooms/${r.roomId}`} className="button button--ghost" data-testid="recommendation-room">
                {t("recommendations.openRoom")}
              </Link>
            </p>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/** 推荐的成果: every recommendation of the demand (its owner side, reviewers). */
export function RecommendationsSection({ items }: { items: Rec[] }) {
  const { t } = useTranslation();
  return (
    <section className="detail-section matches" aria-labelledby="recommendations-title" data-testid="recommendations">
      <h2 id="recommendations-title">{t("recommendations.title")}</h2>
      {items.length === 0 ? (
        <p className="muted" data-testid="recommendations-empty">
          {t("recommendations.empty")}
        </p>
      ) : (
        <>
          <p className="matches__intro">{t("recommendations.intro")}</p>
          <RecommendationList items={items} testId="recommendation" />
        </>
      )}
    </section>
  );
}

/** 推荐我的成果: the form for a seller (their own achievements on offer) or a broker, and what they already recommended. */
export function RecommendForm({ panel, broker, result }: { panel: SerializeFrom<RecommendPanel>; broker: boolean; result?: ActionResult }) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const failure = resultFor(result, "recommend");
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "recommend";
  return (
    <section className="detail-section" aria-labelledby="recommend-title" data-testid="recommend">
      <h2 id="recommend-title">{t("recommendations.form.title")}</h2>
      {panel.open ? (
        <Form method="post" preventScrollReset className="stack-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="recommend" />
          <p className="muted">{t(broker ? "recommendations.form.brokerIntro" : "recommendations.form.intro")}</p>
          <FormErrors errors={failure?.formError ? [failure.formError] : null} />
          <Field id="recommend-achievement" label={t("recommendations.form.achievement")} errors={failure?.fieldErrors.achievementId}>
            <select
              id="recommend-achievement"
              name="achievementId"
              required
              defaultValue={failure?.values.achievementId ?? ""}
              aria-describedby="recommend-achievement-error"
              data-testid="recommend-achievement"
            >
              <option value="">{t("recommendations.form.choose")}</option>
              {panel.options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.title} · {t(`listing.statuses.${o.status}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="recommend-note"
            label={t("recommendations.form.note")}
            hint={t("recommendations.form.noteHint")}
            errors={failure?.fieldErrors.note}
          >
            <textarea
              id="recommend-note"
              name="note"
              rows={3}
              maxLength={1000}
              defaultValue={failure?.values.note ?? ""}
              aria-describedby="recommend-note-hint recommend-note-error"
              data-testid="recommend-note"
            />
          </Field>
          <button type="submit" className="button" disabled={busy} data-testid="recommend-submit">
            {busy ? t("listingUi.working") : t("recommendations.form.submit")}
          </button>
        </Form>
      ) : (
        <>
          <FormErrors errors={failure?.formError ? [failure.formError] : null} />
          <p className="muted" data-testid="recommend-closed">
            {t(panel.reason ?? "recommendations.noOptions")}
          </p>
        </>
      )}
      {panel.mine.length ? (
        <div id="my-recommendations">
          <h3>{t("recommendations.mine.title")}</h3>
          <RecommendationList items={panel.mine} testId="my-recommendation" />
        </div>
      ) : null}
    </section>
  );
}

/** 标记为已解决: the demand's owner, optionally naming the achievement that solved it. */
export function SolveForm({ options, result }: { options: { id: string; title: string }[]; result?: ActionResult }) {
  const { t } = useTranslation();
  const failure = resultFor(result, "solve");
  return (
    <section className="manage-panel" aria-labelledby="solve-title" data-testid="solve">
      <h2 id="solve-title">{t("recommendations.solve.title")}</h2>
      <Form method="post" preventScrollReset>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="solve" />
        <p className="muted">{t("recommendations.solve.intro")}</p>
        <FormErrors errors={failure?.formError ? [failure.formError] : null} />
        {options.length ? (
          <Field id="solve-achievement" label={t("recommendations.solve.achievement")} errors={failure?.fieldErrors.achievementId}>
            <select id="solve-achievement" name="achievementId" defaultValue="" data-testid="solve-achievement">
              <option value="">{t("recommendations.solve.none")}</option>
              {options.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.title}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <button type="submit" className="button" data-testid="action-solve">
          {t("recommendations.solve.submit")}
        </button>
      </Form>
    </section>
  );
}

/** The line a solved demand shows: when, and what solved it. */
export function SolvedNote({ solution }: { solution: { solvedAt: string; achievement: { id: string; title: string } | null } | null }) {
  const { t } = useTranslation();
  return (
    <p className="callout" role="status" data-testid="demand-solved">
      {solution ? t("recommendations.solved.line", { date: formatDate(solution.solvedAt) }) : null}{" "}
      {solution?.achievement ? (
        <>
          {t("recommendations.solved.by")}
          <Link to={`/achievements/${solution.achievement.id}`}>{solution.achievement.title}</Link>{" "}
        </>
      ) : null}
      {t("recommendations.solved.noMatching")}
    </p>
  );
}
