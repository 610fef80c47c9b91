import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { ReviewState } from "~/services/listings/review.server.ts";
import { formatYuan } from "~/utils/money.ts";
import { formatDateTime } from "~/utils/china-time.ts";

/**
 * For a reviewer on a submitted item's page (its review page): who it is assigned to, that the
 * opening was recorded (approving is possible from here), and the warnings to read first. Other
 * organisations' claims on its patents are the PatentConflicts callout above it.
 */
export function ReviewPanel({ review, kind }: { review: ReviewState; kind: "achievement" | "demand" }) {
  const { t, i18n } = useTranslation();
  return (
    <aside className="callout" data-testid="review-panel" aria-labelledby="review-panel-title">
      <strong id="review-panel-title">{t("reviewWork.panelTitle")}</strong>
      <p data-testid="review-assignee">
        {review.assignee
          ? review.assignedToMe
            ? t("reviewWork.assignedToYou", { by: review.assignee.assignedBy ?? "" })
            : t("reviewWork.assignedTo", { name: review.assignee.name })
          : t("reviewWork.unassigned")}
        {review.assignee?.assignedAt ? <span className="muted"> · {formatDateTime(review.assignee.assignedAt)}</span> : null}
      </p>
      {review.warnings.length ? (
        <ul className="plain-list review-warnings" data-testid="review-warnings">
          {review.warnings.map((w) => (
            <li key={w.code} data-testid={`warning-${w.code}`} className="callout--warn">
              {w.code === "sameTitle" && w.other ? (
                <>
                  {t("reviewWork.warnings.sameTitle", { owner: w.other.ownerName })}{" "}
                  <Link to={`/${kind}s/${w.other.id}`}>{w.other.title}</Link>{" "}
                  <span className="muted">({t(`listing.statuses.${w.other.status}`)})</span>
                </>
              ) : (
                t(`reviewWork.warnings.${w.code}`, { median: w.medianFen != null ? formatYuan(w.medianFen, i18n.language) : "" })
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted" data-testid="review-no-warnings">
          {t("reviewWork.noWarnings")}
        </p>
      )}
    </aside>
  );
}
