import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { DealWorkspace, TimelineEntry, WorkspaceStage } from "~/services/settlement/workspace.server.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";

/**
 * Pieces of the deal's workspace page (/deals/:id, issue 14): the payment schedule as one card
 * per stage, the deal's books, and the timeline. Cards and lists only, so a phone (390 px) never
 * scrolls sideways.
 */

/** The i18n key of a timeline action ("stage.paid" → workspace.actions.stage_paid). */
export const actionKey = (action: string) => `workspace.actions.${action.replace(/[.:-]/g, "_")}`;

export function TimelineLabel({ e }: { e: TimelineEntry }) {
  const { t, i18n } = useTranslation();
  const key = actionKey(e.action);
  // An action another module added after this page was written still shows, with a generic label.
  const label = i18n.exists(key) ? t(key) : t("workspace.actions.unknown", { action: e.action });
  return <>{label}</>;
}

export function StageCard({ s, dealId }: { s: WorkspaceStage; dealId: string }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  return (
    <li className="workspace-card workspace-stage" data-testid={`stage-${s.number}`}>
      <h3>
        <Link to={`/deals/${dealId}/stages/${s.number}`} data-testid="stage-link">
          {t("workspace.stage.title", { n: s.number, title: s.title })}
        </Link>{" "}
        <span className={`workspace-badge workspace-badge--${s.status}`} data-testid="stage-status">
          {t(`workspace.stageStatuses.${s.status}`)}
        </span>
      </h3>
      <dl className="facts">
        <div className="facts__row">
          <dt>{t("workspace.stage.kind")}</dt>
          <dd>{t(`workspace.stageKinds.${s.kind}`)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.due")}</dt>
          <dd data-testid="stage-due">{money(s.amount)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.dueAt")}</dt>
          <dd>{s.dueAt ? <time dateTime={s.dueAt}>{formatDateTime(s.dueAt)}</time> : t("workspace.none")}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.paid")}</dt>
          <dd data-testid="stage-paid">
            {money(s.paid)}
            {s.paidAt ? <span className="muted"> · {formatDateTime(s.paidAt)}</span> : null}
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.paidOut")}</dt>
          <dd data-testid="stage-paid-out">{money(s.paidOutFen)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.commission")}</dt>
          <dd data-testid="stage-commission">{money(s.commissionFen)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.fee")}</dt>
          <dd>{money(s.feeFen)}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("workspace.stage.reference")}</dt>
          <dd>
            <code>{s.reference}</code>
          </dd>
        </div>
      </dl>
      {s.late || s.paidLate || s.shortFen || s.excessFen ? (
        <p className="workspace-markers">
          {s.late ? (
            <span className="workspace-marker workspace-marker--late" data-testid="marker-late">
              {t("workspace.markers.late")}
            </span>
          ) : null}
          {s.paidLate ? (
            <span className="workspace-marker" data-testid="marker-paid-late">
              {t("workspace.markers.paidLate")}
            </span>
          ) : null}
          {s.shortFen ? (
            <span className="workspace-marker workspace-marker--short" data-testid="marker-short">
              {t("workspace.markers.short", { amount: money(s.shortFen) })}
            </span>
          ) : null}
          {s.excessFen ? (
            <span className="workspace-marker workspace-marker--excess" data-testid="marker-excess">
              {t("workspace.markers.excess", { amount: money(s.excessFen) })}
            </span>
          ) : null}
        </p>
      ) : null}
      {s.payouts.length ? (
        <ul className="workspace-payouts" data-testid="stage-payouts">
          {s.payouts.map((p) => (
            <li key={p.id} data-testid={`payout-${p.to}`}>
              {t("workspace.payout.line", {
                to: t(`workspace.payout.to.${p.to}`),
                name: p.partyName,
                amount: money(p.amount),
                status: t(`workspace.payoutStatuses.${p.status}`),
              })}
              {p.via ? <span className="muted"> · {t(`workspace.payout.via.${p.via}`)}</span> : null}
              {p.paidAt ? <span className="muted"> · {formatDateTime(p.paidAt)}</span> : null}
              {p.failureReason ? <span className="form-error"> · {p.failureReason}</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export function BooksCard({ books }: { books: DealWorkspace["books"] }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  return (
    <section className="workspace-card" data-testid="deal-books">
      <h2>{t("workspace.books.title")}</h2>
      {books.accounts.length ? (
        <>
          <dl className="facts">
            {books.accounts.map((a) => (
              <div className="facts__row" key={a.account} data-testid={`book-${a.account}`}>
                <dt>{t(`workspace.accounts.${a.account}`, { defaultValue: a.account })}</dt>
                <dd>{money(a.balanceFen)}</dd>
              </div>
            ))}
          </dl>
          <p className={books.balanced ? "muted" : "form-error"} data-testid="books-balanced">
            {books.balanced
              ? t("workspace.books.balanced", { amount: money(books.debitFen) })
              : t("workspace.books.unbalanced", { debit: money(books.debitFen), credit: money(books.creditFen) })}
          </p>
        </>
      ) : (
        <p className="muted">{t("workspace.books.empty")}</p>
      )}
    </section>
  );
}

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="workspace-card" data-testid="deal-timeline">
      <h2>{t("workspace.timeline.title")}</h2>
      {entries.length ? (
        <ol className="workspace-timeline">
          {entries.map((e, i) => (
            <li key={`${e.at}-${i}`} data-testid="timeline-entry" data-action={e.action}>
              <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              <span className="workspace-timeline__who">{e.actorName}</span>
              <strong className="workspace-timeline__what">
                <TimelineLabel e={e} />
              </strong>
              {e.amountFen != null ? <span> · {formatYuan(e.amountFen, i18n.language)}</span> : null}
              {e.from || e.to ? (
                <span className="muted">
                  {" "}
                  · {e.from ?? ""}
                  {e.from && e.to ? " → " : ""}
                  {e.to ?? ""}
                </span>
              ) : null}
              {e.reason ? <p className="workspace-timeline__reason">{e.reason}</p> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">{t("workspace.timeline.empty")}</p>
      )}
    </section>
  );
}
