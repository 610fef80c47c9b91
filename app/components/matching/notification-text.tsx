import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** What the notification text needs of an inbox entry (see NotificationView in the inbox service). */
export interface NotificationTextProps {
  n: {
    type: string;
    subject: { kind: string; id: string; title: string };
    counterpart: { kind: string; id: string; title: string } | null;
    link: string | null;
    params: Record<string, string>;
    read: boolean;
    gone: boolean;
  };
}

export const listingHref = (ref: { kind: string; id: string }) =>
  // An organisation's notifications (join requests) are about the reader's own organisation page.
  ref.kind === "organization" ? "/account/organization" : `/${ref.kind === "demand" ? "demands" : "achievements"}/${ref.id}`;

/**
 * One notification's sentence: a link to what it is about, or — when that listing was withdrawn,
 * returned or removed since — the sentence without a link and a note that it is no longer public
 * (its page would answer 404).
 */
export function NotificationText({ n }: NotificationTextProps) {
  const { t } = useTranslation();
  const text = t(`notifications.types.${n.type}`, { ...n.params, subject: n.subject.title, counterpart: n.counterpart?.title ?? "" });
  return (
    <p className="notification__text">
      {n.read ? null : <span className="badge badge--featured">{t("notifications.new")}</span>}
      {n.gone ? (
        <>
          <span>{text}</span>{" "}
          <span className="notification__gone muted" data-testid="notification-gone">
            {t("notifications.gone")}
          </span>
        </>
      ) : (
        <Link to={n.link ?? listingHref(n.counterpart ?? n.subject)}>{text}</Link>
      )}
    </p>
  );
}
