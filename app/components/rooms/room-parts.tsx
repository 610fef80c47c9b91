import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import type { FormFeedback } from "~/schemas/action-result.ts";
import { formatSize } from "~/components/listing/format.ts";
import { TermsText } from "~/components/trading/trading-panel.tsx";
import type { CardTermsView, CardView, MessageView, NdaView } from "~/services/rooms/views.ts";
import { formatYuan } from "~/utils/money.ts";
import type { PendingMessage } from "./use-room-live.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { FormErrors } from "~/components/ui/forms.tsx";

/**
 * What a deal room shows: messages (text as React text — never HTML — with its line breaks),
 * system lines translated from their event, offer cards with all their terms, attachments behind
 * the NDA, read receipts; the NDA panel and the agreed terms.
 */

export function SideBadge({ side }: { side: string }) {
  const { t } = useTranslation();
  if (side !== "buyer" && side !== "seller" && side !== "broker") return null;
  return <span className={`room-side room-side--${side}`}>{t(`rooms.sides.${side}`)}</span>;
}

export function CardStatus({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`offer-status offer-status--${status}`} data-testid="card-status">
      {t(`rooms.card.statuses.${status}`)}
    </span>
  );
}

/** Price, mode (with the licence kind), territory, term, royalty and the milestones. */
export function TermsList({ terms }: { terms: CardTermsView }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const none = <span className="muted">{t("rooms.card.unspecified")}</span>;
  return (
    <dl className="room-terms">
      <dt>{t("rooms.card.price")}</dt>
      <dd>
        <strong className="room-terms__price" data-testid="card-price">
          {money(terms.price)}
        </strong>
      </dd>
      <dt>{t("rooms.card.mode")}</dt>
      <dd data-testid="card-mode">
        <TermsText mode={terms.transactionMode} exclusivity={terms.licenseExclusivity} />
      </dd>
      <dt>{t("rooms.card.territory")}</dt>
      <dd data-testid="card-territory">{terms.territory ?? none}</dd>
      <dt>{t("rooms.card.term")}</dt>
      <dd data-testid="card-term">{terms.termMonths != null ? t("rooms.card.termValue", { count: terms.termMonths }) : none}</dd>
      <dt>{t("rooms.card.royalty")}</dt>
      <dd>{terms.royaltyPercent != null ? t("rooms.card.royaltyValue", { percent: terms.royaltyPercent }) : none}</dd>
      <dt>{t("rooms.card.milestones")}</dt>
      <dd>
        {terms.milestones.length ? (
          <ol className="room-terms__milestones" data-testid="card-milestones">
            {terms.milestones.map((m, i) => (
              <li key={i}>
                {m.title} · {money(m.amount)}
                {m.dueInDays != null ? <span className="muted"> · {t("rooms.card.milestoneDue", { days: m.dueInDays })}</span> : null}
              </li>
            ))}
          </ol>
        ) : (
          none
        )}
      </dd>
    </dl>
  );
}

/** An offer card: version, status, who proposed it (a broker's card says for which party), the terms. */
export function OfferCardBox({ card }: { card: CardView }) {
  const { t } = useTranslation();
  return (
    <article className={`room-card room-card--${card.status}`} data-testid="offer-card" data-card-id={card.id} data-status={card.status}>
      <header className="room-card__head">
        <strong>{t("rooms.card.title")}</strong>
        <span data-testid="card-version">{t("rooms.card.version", { version: card.version })}</span>
        <CardStatus status={card.status} />
      </header>
      <p className="room-card__by">
        {card.onBehalf ? (
          <span className="room-card__behalf" data-testid="card-on-behalf">
            {t(`rooms.card.onBehalf.${card.forSide}`)} · {t("rooms.card.byBroker", { name: card.proposedBy.name })}
          </span>
        ) : (
          t("rooms.card.proposedBy", { name: card.proposedBy.name, side: t(`rooms.sides.${card.proposedBy.side}`) })
        )}
      </p>
      <TermsList terms={card.terms} />
      {card.note ? (
        <p className="room-card__note">
          <span className="muted">{t("rooms.card.note")}：</span>
          {card.note}
        </p>
      ) : null}
      {card.respondedBy && card.respondedAt ? (
        <p className="muted">{t("rooms.card.respondedBy", { name: card.respondedBy.name, at: formatDateTime(card.respondedAt) })}</p>
      ) : null}
      {card.reason ? <p className="room-card__reason">{t("rooms.page.reasonLine", { reason: card.reason })}</p> : null}
    </article>
  );
}

const SYSTEM_EVENT = /^rooms\.system\.[\w.]+$/;

export function MessageItem({
  m,
  card,
  mine,
  read,
  roomId,
  confidentialOpen,
}: {
  m: MessageView;
  card: CardView | null;
  mine: boolean;
  read: boolean;
  roomId: string;
  /** Whether this reader may open the room's confidential files (the NDA complete and accepted by them). */
  confidentialOpen: boolean;
}) {
  const { t } = useTranslation();
  if (m.kind === "system") {
    const text = m.event && SYSTEM_EVENT.test(m.event) ? t(m.event, { ...m.params }) : (m.event ?? "");
    return (
      <li className="room-msg room-msg--system" data-testid="room-message" data-seq={m.seq} data-kind="system">
        <span>{text}</span>
        {m.params.reason ? <span className="room-msg__reason"> · {t("rooms.page.reasonLine", { reason: m.params.reason })}</span> : null}
        <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
      </li>
    );
  }
  return (
    <li
      className={`room-msg${mine ? " room-msg--mine" : ""} room-msg--${m.kind}`}
      data-testid="room-message"
      data-seq={m.seq}
      data-kind={m.kind}
      data-mine={mine ? "true" : undefined}
    >
      <div className="room-msg__meta">
        <span className="room-msg__author">{m.author.name}</span>
        <SideBadge side={m.author.side} />
        <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
      </div>
      {m.kind === "text" ? (
        <p className="room-msg__text" data-testid="message-text">
          {m.text}
        </p>
      ) : null}
      {m.kind === "offer" && card ? <OfferCardBox card={card} /> : null}
      {m.kind === "attachment" && m.attachment ? (
        <AttachmentLine roomId={roomId} a={m.attachment} confidentialOpen={confidentialOpen} />
      ) : null}
      {mine && read ? (
        <span className="room-msg__read" data-testid="read-receipt">
          {t("rooms.page.read")}
        </span>
      ) : null}
    </li>
  );
}

function AttachmentLine({
  roomId,
  a,
  confidentialOpen,
}: {
  roomId: string;
  a: NonNullable<MessageView["attachment"]>;
  confidentialOpen: boolean;
}) {
  const { t } = useTranslation();
  const href = `/rooms/${roomId}/attachments/${a.id}`;
  const locked = a.confidential && !confidentialOpen;
  return (
    <div className="room-file" data-testid="room-attachment" data-confidential={a.confidential ? "true" : "false"}>
      <span aria-hidden="true">📎 </span>
      {locked ? (
        <span className="room-file__name">{a.filename}</span>
      ) : (
        <a href={href} className="room-file__name">
          {a.filename}
        </a>
      )}
      <span className="muted"> · {formatSize(a.size)}</span>
      {a.confidential ? (
        <span className="room-file__secret" data-testid="confidential-mark">
          {" "}
          🔒 {t("rooms.attachments.confidentialMark")}
        </span>
      ) : null}
      {locked ? (
        <p className="room-file__locked" data-testid="attachment-locked">
          {t("rooms.attachments.locked")}
        </p>
      ) : (
        <>
          {" · "}
          <a href={`${href}?download=1`} data-testid="attachment-download">
            {t("rooms.attachments.download")}
          </a>
        </>
      )}
    </div>
  );
}

/** A message sent over the socket that the server has not confirmed yet (or refused). */
export function PendingItem({ p, onRetry, onDrop }: { p: PendingMessage; onRetry: () => void; onDrop: () => void }) {
  const { t } = useTranslation();
  return (
    <li className={`room-msg room-msg--mine room-msg--pending room-msg--${p.status}`} data-testid="pending-message" data-status={p.status}>
      <p className="room-msg__text">{p.text}</p>
      {p.status === "sending" ? (
        <span className="room-msg__state">{t("rooms.page.sending")}</span>
      ) : (
        <span className="room-msg__state room-msg__state--failed" role="alert">
          {t("rooms.page.failed")}
          {p.error && p.error !== "rooms.page.failed" ? ` · ${t(p.error)}` : ""}{" "}
          {p.retryable ? (
            <button type="button" className="link-button" onClick={onRetry}>
              {t("rooms.page.retry")}
            </button>
          ) : null}{" "}
          <button type="button" className="link-button" onClick={onDrop}>
            {t("rooms.page.discard")}
          </button>
        </span>
      )}
    </li>
  );
}

const NDA_PARAGRAPHS = ["p1", "p2", "p3", "p4", "p5"] as const;

/** The NDA: its text (the reader's language, the other one folded), who accepted when, the accept form. */
export function NdaPanel({ nda, meId, failure }: { nda: NdaView; meId: string; failure: FormFeedback | null }) {
  const { t, i18n } = useTranslation();
  const other = i18n.language === "en" ? "zh-CN" : "en";
  const tOther = i18n.getFixedT(other);
  const mine = nda.acceptances.some((a) => a.userId === meId);
  return (
    <section
      className="room-panel room-nda"
      aria-labelledby="nda-title"
      data-testid="nda-panel"
      data-complete={nda.complete ? "true" : "false"}
    >
      <h2 id="nda-title">
        {t("rooms.nda.title")} <small className="muted">{t("rooms.nda.version", { version: nda.version })}</small>
      </h2>
      <p className={nda.complete ? "room-nda__state room-nda__state--ok" : "room-nda__state"} data-testid="nda-status">
        {nda.complete ? t("rooms.nda.complete") : t("rooms.nda.pending")}
      </p>
      <ul className="room-nda__sides">
        <li>
          {t("rooms.nda.buyerSide")}：{nda.buyerAccepted ? t("rooms.nda.accepted") : t("rooms.nda.notYet")}
        </li>
        <li>
          {t("rooms.nda.sellerSide")}：{nda.sellerAccepted ? t("rooms.nda.accepted") : t("rooms.nda.notYet")}
        </li>
      </ul>
      <details className="room-nda__text">
        <summary>{t("rooms.nda.title")}</summary>
        <div lang={i18n.language}>
          {NDA_PARAGRAPHS.map((p) => (
            <p key={p}>{t(`rooms.nda.${p}`)}</p>
          ))}
        </div>
        <details>
          <summary>{t("rooms.nda.otherLanguage")}</summary>
          <div lang={other}>
            {NDA_PARAGRAPHS.map((p) => (
              <p key={p}>{tOther(`rooms.nda.${p}`)}</p>
            ))}
          </div>
        </details>
      </details>
      {nda.acceptances.length ? (
        <ul className="room-nda__log" data-testid="nda-acceptances">
          {nda.acceptances.map((a) => (
            <li key={a.userId}>
              {t("rooms.nda.acceptance", { name: a.name, side: t(`rooms.sides.${a.side}`), at: formatDateTime(a.at) })}
            </li>
          ))}
        </ul>
      ) : null}
      {mine ? (
        <p className="muted">{t("rooms.nda.youAccepted")}</p>
      ) : (
        <Form method="post" preventScrollReset>
          <AuthenticityTokenInput />
          <FormErrors errors={failure?.formError ? [failure.formError] : null} />
          <button type="submit" name="intent" value="nda" className="button button--ghost" data-testid="nda-accept">
            {t("rooms.nda.accept")}
          </button>
        </Form>
      )}
    </section>
  );
}

/** The accepted card's terms and the deal they made. */
export function AgreedPanel({ agreed, dealId }: { agreed: CardTermsView & { acceptedAt: string }; dealId: string | null }) {
  const { t } = useTranslation();
  return (
    <section className="room-panel room-agreed" aria-labelledby="agreed-title" data-testid="agreed-terms">
      <h2 id="agreed-title">{t("rooms.agreed.title")}</h2>
      <p className="muted">{t("rooms.agreed.acceptedAt", { at: formatDateTime(agreed.acceptedAt) })}</p>
      <TermsList terms={agreed} />
      {dealId ? (
        <p>
          <Link to={`/deals/${dealId}`} className="button" data-testid="deal-link">
            {t("rooms.agreed.deal")}
          </Link>
        </p>
      ) : null}
    </section>
  );
}
