import { useTranslation } from "react-i18next";
import { formatDate } from "~/utils/china-time.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";

/**
 * The listing's workflow status as a coloured pill (colour is never the only cue: the text says it).
 * A published item whose 公示 still runs says 公示中 with the end date: pass `noticeEndsAt` only then
 * (the server decides whether the notice runs, so the page does not depend on the browser's clock).
 */
export function StatusBadge({ status, noticeEndsAt }: { status: ListingStatus | string; noticeEndsAt?: string | null }) {
  const { t } = useTranslation();
  if (status === "published" && noticeEndsAt) {
    return (
      <span className="status-badge status-badge--notice" data-testid="status-badge">
        {t("listing.inNotice", { date: formatDate(noticeEndsAt) })}
      </span>
    );
  }
  return (
    <span className={`status-badge status-badge--${status}`} data-testid="status-badge">
      {t(`listing.statuses.${status}`)}
    </span>
  );
}
