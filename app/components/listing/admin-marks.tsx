import { useTranslation } from "react-i18next";

/** 已认证: the owner is an organisation a platform admin verified (issue 13, point 11). */
export function VerifiedMark({ verified }: { verified: boolean }) {
  const { t } = useTranslation();
  if (!verified) return null;
  return (
    <span className="badge badge--verified" title={t("listingUi.verifiedTitle")} data-testid="verified-mark">
      {t("listingUi.verified")}
    </span>
  );
}

/** The platform's notice text (a setting) while the item's 公示 runs. */
export function NoticeText({ text }: { text: string | null }) {
  const { t } = useTranslation();
  if (!text) return null;
  return (
    <aside className="callout" aria-label={t("listingUi.noticeTextTitle")} data-testid="notice-text">
      {text}
    </aside>
  );
}
