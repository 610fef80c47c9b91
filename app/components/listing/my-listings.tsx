import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { ListingKind } from "~/schemas/listing.ts";
import { LISTING_STATUSES, type ListingStatus } from "~/utils/listing-workflow.ts";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FormError } from "./messages.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { formatDate } from "~/utils/china-time.ts";

interface Row {
  item: {
    id: string;
    title: string;
    status: ListingStatus;
    field: string;
    updatedAt: string;
    rejectionReason: string | null;
    noticeEndsAt: string | null;
  };
  canEdit: boolean;
  actions: readonly string[];
}

/** "我的成果 / 我的需求": counts per status, a filter by status, and per row the quick actions. */
export function MyListings({
  kind,
  rows,
  counts,
  total,
  status,
  hasOrganization,
  result,
}: {
  kind: ListingKind;
  rows: readonly Row[];
  counts: Record<ListingStatus, number>;
  total: number;
  status: ListingStatus | null;
  hasOrganization: boolean;
  result?: ActionResult | null;
}) {
  const { t } = useTranslation();
  const base = kind === "achievement" ? "/achievements" : "/demands";
  const mine = kind === "achievement" ? "/my/achievements" : "/my/demands";
  const shown = LISTING_STATUSES.filter((s) => counts[s] > 0 || s === status);
  return (
    <div className="my-listings">
      <div className="page-head">
        <h1>{t(kind === "achievement" ? "my.achievementsTitle" : "my.demandsTitle")}</h1>
        <Link to={`${base}/new`} className="button" data-testid="create-listing">
          {t(kind === "achievement" ? "browse.newAchievement" : "browse.newDemand")}
        </Link>
      </div>
      {!hasOrganization ? <p className="callout callout--warn">{t("my.noOrganization")}</p> : null}
      <DoneNotice ns="listingUi" />
      <nav className="status-filter" aria-label={t("my.filterByStatus")}>
        <ul>
          <li>
            <Link to={mine} aria-current={status ? undefined : "page"} className={status ? undefined : "is-current"}>
              {t("my.all")} <span className="count">{total}</span>
            </Link>
          </li>
          {shown.map((s) => (
            <li key={s}>
              <Link
                to={`${mine}?status=${s}`}
                aria-current={status === s ? "page" : undefined}
                className={status === s ? "is-current" : undefined}
                data-testid={`count-${s}`}
              >
                {t(`listing.statuses.${s}`)} <span className="count">{counts[s]}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {rows.length === 0 ? (
        <div className="empty-state" data-testid="empty-state">
          <p>{status ? t("my.emptyStatus") : t(kind === "achievement" ? "my.emptyAchievements" : "my.emptyDemands")}</p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="my-table">
            <thead>
              <tr>
                <th scope="col">{t("my.colTitle")}</th>
                <th scope="col">{t("my.colStatus")}</th>
                <th scope="col">{t("listingUi.field")}</th>
                <th scope="col">{t("my.colUpdated")}</th>
                <th scope="col">{t("my.colActions")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ item, canEdit, actions }) => {
                const failure =
                  resultFor(result, actions, item.id) ?? (result && !result.ok ? resultFor(result, result.intent, item.id) : null);
                return (
                  <tr key={item.id} data-testid={`row-${item.id}`}>
                    <td data-label={t("my.colTitle")}>
                      <Link to={`${base}/${item.id}`}>{item.title}</Link>
                    </td>
                    <td data-label={t("my.colStatus")}>
                      <StatusBadge status={item.status} />
                      {item.status === "rejected" && item.rejectionReason ? (
                        <p className="row-reason">
                          <strong>{t("detail.rejectionReason")}</strong> {item.rejectionReason}
                        </p>
                      ) : null}
                    </td>
                    <td data-label={t("listingUi.field")}>{t(`listing.fields.${item.field}`)}</td>
                    <td data-label={t("my.colUpdated")}>
                      <time dateTime={item.updatedAt}>{formatDate(item.updatedAt)}</time>
                    </td>
                    <td data-label={t("my.colActions")}>
                      <div className="row-actions">
                        <Link to={`${base}/${item.id}`} className="button button--ghost">
                          {t("my.view")}
                        </Link>
                        {canEdit ? (
                          <Link to={`${base}/${item.id}/edit`} className="button button--ghost" data-testid="edit-link">
                            {t("detail.edit")}
                          </Link>
                        ) : null}
                        {actions.map((a) => (
                          <Form method="post" key={a} preventScrollReset>
                            <AuthenticityTokenInput />
                            <input type="hidden" name="id" value={item.id} />
                            <button
                              type="submit"
                              name="intent"
                              value={a}
                              className={`button${a === "withdraw" ? " button--ghost" : ""}`}
                              data-testid={`action-${a}`}
                            >
                              {t(`listing.actions.${a}`)}
                            </button>
                          </Form>
                        ))}
                      </div>
                      {failure ? <FormError message={failure.formError ?? Object.values(failure.fieldErrors).flat()[0]} /> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
