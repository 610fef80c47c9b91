import { getCollectionProps, getInputProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { OFFER_MAX_DAYS, OFFER_MIN_DAYS, OFFER_MESSAGE_MAX } from "~/schemas/offers.ts";
import type { TradingSummary } from "~/services/trading/summary.server.ts";
import { isPublic } from "~/utils/listing-workflow.ts";
import { formatYuan } from "~/utils/money.ts";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { ChoiceGroup, FormField } from "~/components/ui/forms.tsx";

/**
 * The trading UI pieces: the panel on an achievement's page (what this person may do now: buy,
 * make or see an offer, go to the auction, or "sold"), the offer status badge, the terms line,
 * and the offer terms fields shared by the make-offer and counter-offer forms. Every action is a
 * link or a plain form, so all of it works without JavaScript.
 */

const loginHref = (to: string) => `/login?redirectTo=${encodeURIComponent(to)}`;

export function TradingPanel({ summary: s }: { summary: TradingSummary }) {
  const { t, i18n } = useTranslation();
  // 联系/洽谈: a buyer who is not on the selling side may talk to the seller about any public listing.
  const chat =
    s.loggedIn && s.isBuyer && !s.isOwnerSide && isPublic(s.status) ? (
      <Form method="post" action="/rooms/new" className="trading-chat">
        <AuthenticityTokenInput />
        <input type="hidden" name="from" value="listing" />
        <input type="hidden" name="listingId" value={s.listingId} />
        <button type="submit" className="button button--ghost" data-testid="open-room">
          {t("rooms.open.contact")}
        </button>
        <span className="muted"> {t("rooms.open.contactHint")}</span>
      </Form>
    ) : null;
  // Published but not yet trading: say why nobody can buy yet (the 公示, or an objection under review).
  const wait = s.noticeEndsAt ? (
    <p className="callout" data-testid="trading-wait">
      {t("tradingPanel.noticeWait", { date: formatDate(s.noticeEndsAt) })}
    </p>
  ) : s.objectionPending ? (
    <p className="callout" data-testid="trading-wait">
      {t("tradingPanel.objectionWait")}
    </p>
  ) : null;
  if (s.state === "closed") {
    return chat || wait ? (
      <section className="trading-panel" aria-labelledby="trading-title" data-testid="trading-panel">
        <h2 id="trading-title">{t("tradingPanel.title")}</h2>
        {wait}
        {chat}
      </section>
    ) : null;
  }
  const money = (fen: number) => formatYuan(fen, i18n.language);
  // Visitors are sent to log in and come back to the same action.
  const go = (to: string) => (s.loggedIn ? to : loginHref(to));
  const self = `/achievements/${s.listingId}`;
  const auctionLink = s.auction ? (
    <p>
      <Link to={`/auctions/${s.auction.id}`} className={s.auction.running ? "button" : ""} data-testid="auction-link">
        {s.auction.running ? t("tradingPanel.enterAuction") : t("tradingPanel.viewAuction")}
      </Link>
    </p>
  ) : null;

  return (
    <section className="trading-panel" aria-labelledby="trading-title" data-testid="trading-panel">
      <h2 id="trading-title">{t("tradingPanel.title")}</h2>
      {s.state === "sold" ? (
        <>
          <p>
            <span className="status-badge status-badge--deal" data-testid="sold-badge">
              {t("tradingPanel.sold")}
            </span>
          </p>
          <p className="muted">{t("tradingPanel.soldHint")}</p>
          {auctionLink}
        </>
      ) : (
        <>
          {s.isOwnerSide ? <p className="muted">{t("tradingPanel.ownerNote")}</p> : null}

          {s.priceMode === "fixed" && s.canBuy ? (
            <>
              <p>
                <Link to={go(`${self}/buy`)} className="button" data-testid="buy-now">
                  {t("tradingPanel.buyNow")}
                </Link>
              </p>
              <p className="muted">{s.loggedIn ? t("tradingPanel.buyNowHint") : t("tradingPanel.loginFirst")}</p>
            </>
          ) : null}
          {s.priceMode === "fixed" && s.loggedIn ? (
            <p data-testid="buy-requests-link">
              <Link to="/my/buy-requests">{t(s.isOwnerSide ? "buyRequests.panelSeller" : "buyRequests.panelBuyer")}</Link>
            </p>
          ) : null}

          {s.myOpenOffer ? (
            <>
              <p data-testid="my-offer">
                {s.myOpenOffer.by === "seller"
                  ? t("tradingPanel.counterWaiting", { amount: money(s.myOpenOffer.amount) })
                  : t("tradingPanel.myOffer", { amount: money(s.myOpenOffer.amount), expiresAt: formatDateTime(s.myOpenOffer.expiresAt) })}
              </p>
              <p>
                <Link to={`/offers/${s.myOpenOffer.thread}`} className="button" data-testid="view-my-offer">
                  {t("tradingPanel.viewMyOffer")}
                </Link>
              </p>
            </>
          ) : null}
          {s.canOffer ? (
            <>
              <p>
                <Link to={go(`${self}/offer`)} className="button" data-testid="make-offer">
                  {t("tradingPanel.makeOffer")}
                </Link>
              </p>
              <p className="muted">{s.loggedIn ? t("tradingPanel.offerHint") : t("tradingPanel.loginFirst")}</p>
            </>
          ) : null}
          {s.incomingOffers !== null && (s.priceMode === "negotiable" || s.incomingOffers > 0) ? (
            <p data-testid="incoming-offers">
              {s.incomingOffers > 0 ? t("tradingPanel.incomingOffers", { count: s.incomingOffers }) : t("tradingPanel.noIncomingOffers")}{" "}
              <Link to="/offers">{t("tradingPanel.viewOffers")}</Link>
            </p>
          ) : null}

          {s.priceMode === "auction" ? (
            <>
              {auctionLink ?? <p className="muted">{t("tradingPanel.noAuction")}</p>}
              {s.canStartAuction ? (
                <p>
                  <Link to={`${self}/auction/new`} className="button button--ghost" data-testid="start-auction">
                    {t("tradingPanel.startAuction")}
                  </Link>
                </p>
              ) : null}
            </>
          ) : null}

          {s.loggedIn && !s.isBuyer && !s.isOwnerSide && s.priceMode !== "auction" ? (
            <p className="muted" data-testid="buyer-only">
              {t("tradingPanel.buyerOnly")}
            </p>
          ) : null}
        </>
      )}
      {chat}
    </section>
  );
}

/** An offer's status as a pill; the text says it, the colour only helps. */
export function OfferStatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`offer-status offer-status--${status}`} data-testid="offer-status">
      {t(`offers.statuses.${status}`)}
    </span>
  );
}

/** 许可（普通许可） · 转让: a transaction mode with its licence kind. */
export function TermsText({ mode, exclusivity }: { mode: string; exclusivity: string | null }) {
  const { t } = useTranslation();
  const name = t(`listing.modes.${mode}`);
  return (
    <>
      {mode === "license" && exclusivity ? t("offers.termsWithKind", { mode: name, kind: t(`listing.exclusivity.${exclusivity}`) }) : name}
    </>
  );
}

/** What the offer fields hold as text (conform's view of OfferFormSchema). */
export interface OfferTermsFieldsInput {
  amount?: string;
  transactionMode?: string;
  licenseExclusivity?: string;
  message?: string;
  expiryKind?: "days" | "date";
  expiresInDays?: string;
  expiresAt?: string;
}

type Fields = { [K in keyof OfferTermsFieldsInput]-?: FieldMetadata<OfferTermsFieldsInput[K], OfferTermsFieldsInput, string[]> };

/**
 * Amount (yuan), transaction mode among the listing's, licence kind when the listing offers more
 * than one, message, and the expiry (days from now, or a China-time date and time).
 */
export function OfferTermsFields({
  fields,
  modes,
  exclusivities,
  expiryBounds,
}: {
  fields: Fields;
  modes: readonly string[];
  exclusivities: readonly string[];
  /** `datetime-local` limits in China time, computed by the loader. */
  expiryBounds: { min: string; max: string };
}) {
  const { t } = useTranslation();
  const described = (f: { descriptionId: string }) => ({ ariaDescribedBy: f.descriptionId });
  const showExclusivity = modes.includes("license") && exclusivities.length > 1;
  return (
    <>
      <FormField field={fields.amount} label={t("offers.make.amount")} hint={t("offers.make.amountHint")} required>
        <input {...getInputProps(fields.amount, { type: "text", ...described(fields.amount) })} inputMode="decimal" autoComplete="off" />
      </FormField>
      <ChoiceGroup field={fields.transactionMode} legend={t("offers.make.mode")} required>
        {getCollectionProps(fields.transactionMode, { type: "radio", options: [...modes] }).map(({ key, ...p }) => (
          <label key={key} htmlFor={p.id}>
            <input {...p} />
            {t(`listing.modes.${p.value}`)}
          </label>
        ))}
      </ChoiceGroup>
      {showExclusivity ? (
        <ChoiceGroup field={fields.licenseExclusivity} legend={t("offers.make.exclusivity")} hint={t("offers.make.exclusivityHint")}>
          {getCollectionProps(fields.licenseExclusivity, { type: "radio", options: [...exclusivities] }).map(({ key, ...p }) => (
            <label key={key} htmlFor={p.id}>
              <input {...p} />
              {t(`listing.exclusivity.${p.value}`)}
            </label>
          ))}
        </ChoiceGroup>
      ) : null}
      <FormField field={fields.message} label={t("offers.make.message")} hint={t("offers.make.messageHint")}>
        <textarea {...getTextareaProps(fields.message, described(fields.message))} rows={4} maxLength={OFFER_MESSAGE_MAX} />
      </FormField>
      <ChoiceGroup field={fields.expiryKind} legend={t("offers.make.expiry")}>
        {getCollectionProps(fields.expiryKind, { type: "radio", options: ["days", "date"] }).map(({ key, ...p }) => (
          <label key={key} htmlFor={p.id}>
            <input {...p} />
            {p.value === "days" ? t("offers.make.expiryDays") : t("offers.make.expiryDate")}
          </label>
        ))}
      </ChoiceGroup>
      <div className="field-row">
        <FormField field={fields.expiresInDays} label={t("offers.make.days")} hint={t("offers.make.daysHint")}>
          <input
            {...getInputProps(fields.expiresInDays, { type: "number", ...described(fields.expiresInDays) })}
            min={OFFER_MIN_DAYS}
            max={OFFER_MAX_DAYS}
            step={1}
          />
        </FormField>
        <FormField field={fields.expiresAt} label={t("offers.make.date")} hint={t("offers.make.dateHint")}>
          <input
            {...getInputProps(fields.expiresAt, { type: "datetime-local", ...described(fields.expiresAt) })}
            min={expiryBounds.min}
            max={expiryBounds.max}
          />
        </FormField>
      </div>
    </>
  );
}
