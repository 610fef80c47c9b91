import type { SerializeFrom } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { ActionResult } from "~/schemas/action-result.ts";
import type { PageMatches } from "~/services/matching/matches.server.ts";
import { reasonText, scorePercent } from "~/utils/match-reasons.ts";
import { HiddenMatches, MatchFeedbackForm } from "./match-feedback.tsx";

type Matches = SerializeFrom<PageMatches>;

/**
 * "匹配的成果" on a demand's page, "可服务的需求" on an achievement's: the best matches with their
 * score and reasons. Server-rendered; when Meilisearch is down it says "匹配暂不可用" instead.
 * The section does not know the viewer: the demand page passes `negotiate` when the viewer owns
 * the demand, and each matching achievement then gets a "洽谈" form (the service checks again).
 * Those who may judge a pair (the demand's organisation, brokers, admins) get 相关 / 不相关 on it,
 * and on the demand's page the pairs marked 不相关, collapsed, with an undo (decision 031).
 */
export function MatchesSection({
  kind,
  matches,
  negotiate,
  result,
}: {
  kind: "demand" | "achievement";
  matches: Matches;
  negotiate?: { demandId: string };
  /** the page's last action result: a refused mark shows under its match */
  result?: ActionResult;
}) {
  const { t } = useTranslation();
  if (matches.status === "hidden") return null;
  const forDemand = kind === "demand";
  const base = forDemand ? "/achievements" : "/demands";
  return (
    <section className="detail-section matches" aria-labelledby="matches-title" data-testid="matches">
      <h2 id="matches-title">{t(forDemand ? "matching.forDemandTitle" : "matching.forAchievementTitle")}</h2>
      {matches.status === "unavailable" ? (
        <p className="callout" role="status" data-testid="matches-unavailable">
          <strong>{t("matching.unavailable")}</strong> {t("matching.unavailableHint")}
        </p>
      ) : matches.items.length === 0 ? (
        <>
          <p className="muted" data-testid="matches-empty">
            {t("matching.empty")}
          </p>
          <HiddenMatches items={matches.hidden ?? []} base={base} result={result} />
        </>
      ) : (
        <>
          <p className="matches__intro">{t(forDemand ? "matching.forDemandIntro" : "matching.forAchievementIntro")}</p>
          <ol className="matches__list">
            {matches.items.map((m) => {
              const percent = scorePercent(m.score);
              return (
                <li key={m.id} className="match-card" data-testid="match">
                  <div className="match-card__head">
                    <Link to={`${base}/${m.id}`} className="match-card__title">
                      {m.title}
                    </Link>
                    <span className="match-card__score">
                      <meter min={0} max={100} low={40} high={70} optimum={100} value={percent} aria-hidden="true" />
                      <span data-testid="match-score">{t("matching.score", { percent })}</span>
                    </span>
                  </div>
                  {negotiate && forDemand ? (
                    // A plain form: a full POST that lands in the room, with or without JavaScript.
                    <form method="post" action="/rooms/new" className="match-card__negotiate">
                      <AuthenticityTokenInput />
                      <input type="hidden" name="from" value="match" />
                      <input type="hidden" name="listingId" value={m.id} />
                      <input type="hidden" name="demandId" value={negotiate.demandId} />
                      <button type="submit" className="button button--ghost" data-testid="match-negotiate">
                        {t("rooms.open.negotiate")}
                      </button>
                    </form>
                  ) : null}
                  {m.canJudge ? (
                    <MatchFeedbackForm counterpartId={m.id} marked={m.marked} markedByMe={m.markedByMe} result={result} />
                  ) : null}
                  {m.reasons.length ? (
                    <ul className="match-card__reasons" aria-label={t("matching.reasonsLabel")}>
                      {m.reasons.map((r, i) => (
                        <li key={i} className={`reason--${r.code}`}>
                          {reasonText(r, t)}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              );
            })}
          </ol>
          <HiddenMatches items={matches.hidden ?? []} base={base} result={result} />
        </>
      )}
    </section>
  );
}
