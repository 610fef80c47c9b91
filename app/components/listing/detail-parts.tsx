import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { formatSize } from "./format.ts";
import { StatusBadge } from "./status-badge.tsx";
import { formatDate } from "~/utils/china-time.ts";

export function DetailHeader({
  title,
  status,
  featured,
  kindLabel,
  noticeEndsAt,
}: {
  title: string;
  status: ListingStatus;
  /** Set while the 公示 runs: the badge says 公示中 with the end date. */
  noticeEndsAt?: string | null;
  featured: boolean;
  kindLabel: string;
}) {
  const { t } = useTranslation();
  return (
    <header className="detail-header">
      <p className="detail-kind muted">{kindLabel}</p>
      <h1>{title}</h1>
      <p className="detail-badges">
        <StatusBadge status={status} noticeEndsAt={noticeEndsAt} />
        {featured ? <span className="badge badge--featured">{t("listingUi.featured")}</span> : null}
      </p>
    </header>
  );
}

/** A definition list of an item's facts; each Fact is one label and its value. */
export function Facts({ children }: { children: ReactNode }) {
  return <dl className="facts">{children}</dl>;
}

export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** 发布日期 and the end of the 公示 period (objections can be filed until then). */
export function NoticePeriod({ publishedAt, noticeEndsAt }: { publishedAt: string | null; noticeEndsAt: string | null }) {
  const { t } = useTranslation();
  if (!publishedAt) return <span className="muted">{t("listingUi.notPublished")}</span>;
  return (
    <span data-testid="notice-period">
      <time dateTime={publishedAt}>{formatDate(publishedAt)}</time>
      {noticeEndsAt ? (
        <>
          {" · "}
          <span className="notice-end">{t("listingUi.noticeUntil", { date: formatDate(noticeEndsAt) })}</span>
        </>
      ) : null}
    </span>
  );
}

/** For the owner and reviewers: why the item is not public yet, and the reason it was sent back. */
export function NoticeLine({ status, rejectionReason }: { status: ListingStatus; rejectionReason: string | null }) {
  const { t } = useTranslation();
  return (
    <>
      {!isPublic(status) ? (
        <p className="callout" data-testid="not-public">
          {t("detail.notPublic")}
        </p>
      ) : null}
      {status === "rejected" && rejectionReason ? (
        <p className="callout callout--warn" data-testid="rejection-reason">
          <strong>{t("detail.rejectionReason")}</strong> {rejectionReason}
        </p>
      ) : null}
    </>
  );
}

interface AttachmentItem {
  id: string;
  filename: string;
  size: number;
  kind: string;
}

/** Evidence files, each downloaded through /attachments/:id (which checks who may read it). */
export function Attachments({ attachments }: { attachments: readonly AttachmentItem[] }) {
  const { t } = useTranslation();
  return (
    <section className="detail-section" aria-labelledby="attachments-title">
      <h2 id="attachments-title">{t("listingUi.attachments")}</h2>
      {attachments.length === 0 ? (
        <p className="muted">{t("listingUi.noAttachments")}</p>
      ) : (
        <ul className="attachment-list" data-testid="attachments">
          {attachments.map((f) => (
            <li key={f.id}>
              <a href={`/attachments/${f.id}`}>{f.filename}</a>{" "}
              <span className="muted">
                {t(`listing.attachmentKinds.${f.kind}`)} · {formatSize(f.size)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
