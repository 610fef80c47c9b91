import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { ListingKind } from "~/schemas/listing.ts";

/** Title, status and what the owner needs to know before editing (rejection reason, a failed submit). */
export function EditHeader({
  title,
  item,
  notice,
  reason,
}: {
  title: string;
  item: { title: string; status: string; rejectionReason: string | null; detailPath: string };
  notice?: string | null;
  reason?: string | null;
}) {
  const { t } = useTranslation();
  return (
    <header className="listing-edit-header">
      <h1>{title}</h1>
      <p>
        <Link to={item.detailPath}>{item.title}</Link>{" "}
        <span className={`badge badge--status badge--${item.status}`}>{t(`listing.statuses.${item.status}`)}</span>
      </p>
      {notice === "submitFailed" ? (
        <div className="form-error" role="alert">
          {t("listingForm.notices.submitFailed")}
          {reason ? ` ${t(reason)}` : null}
        </div>
      ) : null}
      {item.status === "rejected" ? (
        <div className="rejection" role="note" aria-labelledby="rejection-title">
          <h2 id="rejection-title">{t("listingForm.rejected.title")}</h2>
          <p className="rejection-reason">
            <strong>{t("listingForm.rejected.reason")}</strong>
            {item.rejectionReason ?? t("listingForm.rejected.noReason")}
          </p>
          <p className="muted">{t("listingForm.rejected.next")}</p>
        </div>
      ) : null}
    </header>
  );
}

/** Shown instead of the form when the item is not a draft or rejected (the service refuses edits then). */
export function LockedNotice({ kind, status, detailPath }: { kind: ListingKind; status: string; detailPath: string }) {
  const { t } = useTranslation();
  return (
    <div className="card locked-notice" role="status">
      <h2>{t("listingForm.locked.title")}</h2>
      <p>{t("listingForm.locked.text", { kind: t(`listing.${kind}`), status: t(`listing.statuses.${status}`) })}</p>
      <p className="muted">{t(status === "submitted" ? "listingForm.locked.submittedHint" : "listingForm.locked.hint")}</p>
      <Link to={detailPath} className="button">
        {t("listingForm.locked.back")}
      </Link>
    </div>
  );
}
