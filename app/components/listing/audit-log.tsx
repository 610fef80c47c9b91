import { useTranslation } from "react-i18next";
import type { AuditLine } from "~/services/kernel/audit.server.ts";
import { formatDateTime } from "~/utils/china-time.ts";

/** The append-only history of an item, oldest first, for its owner and the reviewers. */
export function AuditLog({ entries }: { entries: readonly AuditLine[] }) {
  const { t } = useTranslation();
  const status = (s?: string) => (s ? t(`listing.statuses.${s}`) : "");
  return (
    <section className="detail-section" aria-labelledby="audit-title">
      <h2 id="audit-title">{t("detail.auditTitle")}</h2>
      {entries.length === 0 ? (
        <p className="muted">{t("detail.auditEmpty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="audit-log" data-testid="audit-log">
            <thead>
              <tr>
                <th scope="col">{t("detail.audit.at")}</th>
                <th scope="col">{t("detail.audit.actor")}</th>
                <th scope="col">{t("detail.audit.action")}</th>
                <th scope="col">{t("detail.audit.change")}</th>
                <th scope="col">{t("detail.audit.reason")}</th>
                <th scope="col">{t("detail.audit.via")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td>
                    {e.actorName}
                    {e.actorRoles.length ? (
                      <small className="muted">
                        {" "}
                        {t("listingUi.inParens", { text: e.actorRoles.map((r) => t(`roles.${r}`)).join(t("listingUi.listSeparator")) })}
                      </small>
                    ) : null}
                  </td>
                  <td>{t(`listing.actions.${e.action}`, { defaultValue: e.action })}</td>
                  <td>
                    {e.from && e.to && e.from !== e.to ? (
                      <>
                        {status(e.from)} → {status(e.to)}
                      </>
                    ) : (
                      status(e.to ?? e.from)
                    )}
                  </td>
                  <td className="audit-log__reason">{e.reason ?? ""}</td>
                  <td>{t(`listing.via.${e.via}`, { defaultValue: e.via })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
