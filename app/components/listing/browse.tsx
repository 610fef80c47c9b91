import { Link } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ListingKind } from "~/schemas/listing.ts";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldFilter } from "./field-filter.tsx";
import { Pagination } from "./pagination.tsx";

/** The frame of a public list: heading with the total, 发布 button, field filter, grid, pager, empty state. */
export function BrowseLayout({
  kind,
  total,
  page,
  pages,
  field,
  canCreate,
  children,
}: {
  kind: ListingKind;
  total: number;
  page: number;
  pages: number;
  field: string | null;
  canCreate: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const basePath = kind === "achievement" ? "/achievements" : "/demands";
  const k = kind === "achievement" ? "achievements" : "demands";
  return (
    <div className="browse">
      <div className="page-head">
        <div>
          <h1>{t(`browse.${k}Title`)}</h1>
          <p className="muted">{t(`browse.${k}Intro`)}</p>
        </div>
        {canCreate ? (
          <Link to={`${basePath}/new`} className="button" data-testid="create-listing">
            {t(kind === "achievement" ? "browse.newAchievement" : "browse.newDemand")}
          </Link>
        ) : null}
      </div>
      <DoneNotice ns="listingUi" />
      <FieldFilter basePath={basePath} current={field} />
      <p className="browse__count" role="status" data-testid="total">
        {field ? t("browse.totalInField", { count: total, field: t(`listing.fields.${field}`) }) : t("browse.total", { count: total })}
        {pages > 1 ? <span className="muted"> · {t("listingUi.pager.current", { page, pages })}</span> : null}
      </p>
      {total === 0 ? (
        <div className="empty-state" data-testid="empty-state">
          <p>{field ? t("browse.emptyFiltered") : t(`browse.empty${kind === "achievement" ? "Achievements" : "Demands"}`)}</p>
          {field ? <Link to={basePath}>{t("browse.allFields")}</Link> : null}
        </div>
      ) : (
        <div className="listing-grid">{children}</div>
      )}
      <Pagination page={page} pages={pages} />
    </div>
  );
}
