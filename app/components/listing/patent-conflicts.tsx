import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";

export interface PatentConflictItem {
  patentNumber: string;
  id: string;
  title: string;
  ownerName: string;
  status: string;
}

/**
 * The warning that another organisation's achievement lists the same patent number: for the
 * reviewer (check who holds the patent before approving) and for the owner (non-blocking).
 */
export function PatentConflicts({ conflicts, audience }: { conflicts: PatentConflictItem[]; audience: "reviewer" | "owner" }) {
  const { t } = useTranslation();
  if (conflicts.length === 0) return null;
  return (
    <aside className="callout callout--warn" data-testid="patent-conflicts">
      <strong>{t("listingUi.patentConflictTitle")}</strong>
      <ul className="plain-list">
        {conflicts.map((c) => (
          <li key={`${c.patentNumber}-${c.id}`}>
            <code>{c.patentNumber}</code> {t("listingUi.patentConflictAlsoOn", { owner: c.ownerName })}{" "}
            <Link to={`/achievements/${c.id}`}>{c.title}</Link> <span className="muted">({t(`listing.statuses.${c.status}`)})</span>
          </li>
        ))}
      </ul>
      <p>{t(audience === "reviewer" ? "listingUi.patentConflictReviewer" : "listingUi.patentConflictOwner")}</p>
    </aside>
  );
}
