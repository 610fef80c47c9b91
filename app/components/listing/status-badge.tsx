import { useTranslation } from "react-i18next";
import type { ListingStatus } from "~/utils/listing-workflow.ts";

/** The listing's workflow status as a coloured pill (colour is never the only cue: the text says it). */
export function StatusBadge({ status }: { status: ListingStatus | string }) {
  const { t } = useTranslation();
  return (
    <span className={`status-badge status-badge--${status}`} data-testid="status-badge">
      {t(`listing.statuses.${status}`)}
    </span>
  );
}
