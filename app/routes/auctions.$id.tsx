import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import styles from "~/components/auction/auction.css";
import { formatDuration, useAuctionLive, useCountdown } from "~/components/auction/use-auction-live.ts";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, successOf, type ActionResult } from "~/schemas/action-result.ts";
import { BidSchema, RegisterBidderSchema } from "~/schemas/auctions.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { placeBid } from "~/services/trading/auctions/bidding.server.ts";
import { getAuction } from "~/services/trading/auctions/queries.server.ts";
import { registerBidder } from "~/services/trading/auctions/registration.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { formMessage } from "~/utils/messages.ts";
import { fenToYuanText, formatYuan } from "~/utils/money.ts";
import { attempt, intentAction, loadOrThrow, refuse, succeed } from "~/web/actions.server.ts";
import { getUser, requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 竞价页: the current price, time left, the bid history (bidders as numbers), registration with
 * the bidder agreement and the deposit, and the bid form. Server-rendered and complete without
 * JavaScript; with it, bids and the clock move live over socket.io.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: styles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "竞价 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const auction = await loadOrThrow(getAuction(actorOf(user), params.id ?? ""));
  const t = requestT(request);
  return json({ auction, loggedIn: !!user, pageTitle: pageTitle(t, t("auction.title", { title: auction.listing.title })) });
}

/** What the page shows after an accepted bid (no redirect: the bid form stays where it is). */
type BidPlaced = { seq: number; amount: number; extended: boolean };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const actor = { ...actorOf(user), email: user.email };
  const id = params.id ?? "";
  // An auction that does not exist (or is not shown to this person) is a 404 before the form is read.
  await loadOrThrow(getAuction(actorOf(user), id));
  const values = formValues(await readVerifiedForm(request));
  return intentAction(values, {
    register: async () => {
      const parsed = RegisterBidderSchema.safeParse(values);
      if (!parsed.success) return refuse(400, { intent: "register", values, fieldErrors: flattenZodErrors(parsed.error) });
      const origin = new URL(request.url).origin;
      return attempt(
        { intent: "register", values },
        () =>
          registerBidder(actor, id, {
            successUrl: `${origin}/auctions/${id}/deposit?session_id={CHECKOUT_SESSION_ID}`,
            cancelUrl: `${origin}/auctions/${id}?deposit=cancelled`,
          }),
        // Off to the payment page; back here (through /deposit) when the hold is done.
        ({ redirectUrl }) => redirect(redirectUrl ?? `/auctions/${id}?deposit=held`),
      );
    },
    bid: async () => {
      const parsed = BidSchema.safeParse(values);
      if (!parsed.success) return refuse(400, { intent: "bid", values, fieldErrors: flattenZodErrors(parsed.error) });
      return attempt(
        { intent: "bid", values },
        // The form asks to confirm a bid far above the minimum (a second submit with the box ticked).
        () => placeBid(actor, id, parsed.data.amount, { via: "ui", confirmLarge: values.confirmLarge === "on" }),
        (bid) => succeed<BidPlaced>("bid", { seq: bid.seq, amount: bid.amount, extended: bid.extended }),
      );
    },
  });
}

export default function AuctionPage() {
  const { auction, loggedIn } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionResult<BidPlaced> | undefined;
  const { t, i18n } = useTranslation();
  const [search] = useSearchParams();
  const navigation = useNavigation();
  const live = useAuctionLive(auction.id, auction, (auction) => ({
    state: {
      status: auction.status,
      phase: auction.phase,
      lastSeq: auction.lastSeq,
      bidCount: auction.bidCount,
      currentPrice: auction.currentPrice,
      nextMinimum: auction.nextMinimum,
      currentEndsAt: auction.currentEndsAt,
      extensions: auction.extensions,
      reserveMet: auction.reserveMet,
      outcome: auction.outcome ? { result: auction.outcome.result, price: auction.outcome.price, dealId: auction.outcome.dealId } : null,
      settled: auction.settled,
    },
    bids: auction.bids,
  }));
  const s = live.state;
  const myNumber = auction.viewer.registration?.number ?? null;
  const startsIn = useCountdown(auction.startsAt, auction.serverTime);
  const endsIn = useCountdown(s.currentEndsAt, auction.serverTime);
  const phase = s.status === "closed" ? "closed" : s.status === "closing" || endsIn === 0 ? "ended" : startsIn > 0 ? "scheduled" : "live";
  const leader = live.bids[0]?.bidderNumber ?? null;
  /** Bidding is still to come or under way; once ended, no minimum, no bid form, no "you can bid" banner. */
  const open = phase === "live" || phase === "scheduled";
  const myDeposit = auction.viewer.registration?.deposit.status ?? null;
  // Ended with the deposit still held: the settlement releases it (or applies it to the price) right after the close.
  const depositLabel =
    myDeposit === "held" && !open
      ? auction.viewer.isWinner
        ? "auction.register.depositApplying"
        : "auction.register.depositReleasing"
      : `auction.register.depositStatusLabel.${myDeposit}`;
  const depositNotice = search.get("deposit");
  const submitting = navigation.state !== "idle" && navigation.formData?.get("intent") === "bid";
  const bidOk = successOf(actionData, "bid");
  const bidRefused = resultFor(actionData, "bid");
  const registerRefused = resultFor(actionData, "register");
  /** A refusal's messages, each with the refusal's parameters (the minimum of a low bid), for the field kit to translate. */
  const messages = (r: typeof bidRefused, fields?: string[]) =>
    r
      ? [
          ...Object.entries(r.fieldErrors).flatMap(([k, m]) => (!fields || fields.includes(k) ? m : [])),
          ...(r.formError ? [r.formError] : []),
        ].map((m) => formMessage(m, r.params))
      : [];
  const bidErrors = messages(bidRefused, ["amount"]);
  /** The last submit was a bid far above the minimum: the form asks to confirm it. */
  const confirmLarge = !!bidRefused?.fieldErrors.amount?.includes("auction.errors.confirmLargeBid");
  const registerErrors = messages(registerRefused);
  const tt = (key: string, params?: Record<string, unknown>) => t(key, params ?? {});

  return (
    <div className="auction" data-testid="auction">
      <p className="crumbs">
        <Link to="/auctions">{t("auction.listTitle")}</Link> ›{" "}
        <Link to={`/achievements/${auction.listing.id}`}>{t("auction.listing")}</Link>
      </p>
      <h1>{t("auction.title", { title: auction.listing.title })}</h1>
      <p className="auction__meta">
        <span className={`badge auction-phase auction-phase--${phase}`} data-testid="auction-phase">
          {t(`auction.phase.${phase}`)}
        </span>
        <span>
          {t("auction.seller")}: {auction.seller.name}
        </span>
        <span>
          {t("auction.mode")}: {t(`listing.modes.${auction.transactionMode}`)}
          {auction.licenseExclusivity ? ` · ${t(`listing.exclusivity.${auction.licenseExclusivity}`)}` : ""}
        </span>
        {live.connected === false ? <span className="auction__offline">{t("auction.offline")}</span> : null}
        {live.connected ? (
          <span className="auction__live" data-testid="auction-live">
            ● {t("auction.live")}
          </span>
        ) : null}
      </p>

      {depositNotice === "held" && open ? (
        <p className="notice" role="status">
          {t("auction.register.held")}
        </p>
      ) : null}
      {depositNotice === "pending" ? (
        <p className="notice" role="status">
          {t("auction.register.pendingReturn")}
        </p>
      ) : null}
      {depositNotice === "cancelled" ? (
        <p className="notice notice--warn" role="status">
          {t("auction.register.cancelled")}
        </p>
      ) : null}

      <section className="auction__board" aria-live="polite">
        <div className="auction__price">
          <span className="label">{s.currentPrice == null ? t("auction.startPrice") : t("auction.currentPrice")}</span>
          <strong data-testid="current-price">{formatYuan(s.currentPrice ?? auction.startPrice, i18n.language)}</strong>
          {s.currentPrice == null ? <span className="muted">{t("auction.noBidsYet")}</span> : null}
          {leader != null && s.currentPrice != null ? (
            <span className="muted" data-testid="leader">
              {t("auction.leading")}: {t("auction.bidder", { number: leader })}
              {leader === myNumber ? t("auction.you") : ""}
            </span>
          ) : null}
        </div>
        <div className="auction__clock">
          {phase === "scheduled" ? (
            <>
              <span className="label">{t("auction.startsIn")}</span>
              <strong>{formatDuration(startsIn, i18n.language)}</strong>
            </>
          ) : phase === "live" ? (
            <>
              <span className="label">{t("auction.timeLeft")}</span>
              <strong data-testid="time-left">{formatDuration(endsIn, i18n.language)}</strong>
            </>
          ) : (
            <strong>{t("auction.ended")}</strong>
          )}
          <span className="muted">
            {t("auction.endsAt")}: <time dateTime={s.currentEndsAt}>{formatDateTime(s.currentEndsAt)}</time>
          </span>
          {s.extensions > 0 ? (
            <span className="muted" data-testid="extensions">
              {t("auction.extended", { count: s.extensions })}
            </span>
          ) : null}
        </div>
        <dl className="auction__facts">
          {open ? (
            <>
              <dt>{t("auction.nextMinimum")}</dt>
              <dd data-testid="next-minimum">{formatYuan(s.nextMinimum, i18n.language)}</dd>
            </>
          ) : null}
          <dt>{t("auction.reserve")}</dt>
          <dd>
            {auction.reservePrice != null
              ? t("auction.reserveSeller", { amount: formatYuan(auction.reservePrice, i18n.language) })
              : !auction.hasReserve
                ? t("auction.noReserve")
                : s.reserveMet
                  ? t("auction.reserveMet")
                  : t("auction.reserveHidden")}
          </dd>
          <dt>{t("auction.increment")}</dt>
          <dd>
            {auction.increments.length === 1
              ? formatYuan(auction.increments[0]!.increment, i18n.language)
              : auction.increments
                  .map((x) =>
                    t("auction.incrementTier", {
                      from: formatYuan(x.from, i18n.language),
                      increment: formatYuan(x.increment, i18n.language),
                    }),
                  )
                  .join("；")}
          </dd>
          <dt>{t("auction.deposit")}</dt>
          <dd>{formatYuan(auction.deposit, i18n.language)}</dd>
          <dt>{t("auction.startsAt")}</dt>
          <dd>
            <time dateTime={auction.startsAt}>{formatDateTime(auction.startsAt)}</time>
          </dd>
          <dt>{t("auction.scheduledEnd")}</dt>
          <dd>
            <time dateTime={auction.endsAt}>{formatDateTime(auction.endsAt)}</time>
          </dd>
          <dt>{t("auction.bidders")}</dt>
          <dd>{auction.registrations}</dd>
          <dt>{t("auction.bidCount")}</dt>
          <dd data-testid="bid-count">{s.bidCount}</dd>
        </dl>
        <p className="muted">
          {auction.antiSnipeWindowSec > 0
            ? t("auction.antiSnipe", {
                window: Math.round(auction.antiSnipeWindowSec / 60) || "<1",
                cap: Math.round(auction.antiSnipeCapSec / 60),
              })
            : t("auction.antiSnipeOff")}
        </p>
      </section>

      {s.outcome ? (
        <section className="auction__outcome notice" data-testid="auction-outcome">
          <p>
            {tt(`auction.outcome.${s.outcome.result}`, {
              number: auction.outcome?.winnerNumber ?? leader ?? "",
              price: s.outcome.price != null ? formatYuan(s.outcome.price, i18n.language) : "",
            })}
          </p>
          {auction.viewer.isWinner ? <p data-testid="you-won">{t("auction.outcome.won")}</p> : null}
          {s.outcome.dealId && (auction.viewer.isWinner || auction.viewer.sellerSide) ? (
            <p>
              <Link to={`/deals/${s.outcome.dealId}`}>{t("auction.outcome.deal")}</Link>
            </p>
          ) : null}
        </section>
      ) : null}

      {auction.viewer.sellerSide ? <p className="muted">{t("auction.sellerSide")}</p> : null}

      {auction.viewer.registration ? (
        <p className="auction__me" data-testid="my-registration">
          {t("auction.register.yourNumber", { number: auction.viewer.registration.number })} ·{" "}
          {t("auction.register.depositStatus", {
            status: t(depositLabel),
          })}
        </p>
      ) : null}

      {phase === "live" && auction.viewer.canBid ? (
        <Form method="post" className="auction__bid" data-testid="bid-form" replace>
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="bid" />
          <div className={bidErrors.length ? "field--invalid" : undefined}>
            <Field
              id="bid-amount"
              label={t("auction.bidAmount")}
              hint={t("auction.bidHint", { minimum: formatYuan(s.nextMinimum, i18n.language) })}
            >
              <input
                id="bid-amount"
                name="amount"
                inputMode="decimal"
                autoComplete="off"
                key={bidOk ? `ok-${bidOk.seq}` : "bid"}
                defaultValue={bidRefused?.values.amount ?? ""}
                placeholder={fenToYuanText(s.nextMinimum)}
                aria-invalid={bidErrors.length ? true : undefined}
                aria-describedby="bid-amount-hint bid-errors"
                required
              />
            </Field>
            {bidErrors.length ? (
              <div data-testid="bid-error">
                <FieldErrors id="bid-errors" errors={bidErrors} />
              </div>
            ) : null}
            {confirmLarge ? (
              <label className="checkbox">
                <input type="checkbox" name="confirmLarge" value="on" data-testid="confirm-large" /> {t("auction.confirmLargeBid")}
              </label>
            ) : null}
          </div>
          <button type="submit" className="button" disabled={submitting} data-testid="bid-submit">
            {t("auction.placeBid")}
          </button>
          {bidOk ? (
            <p className="notice" role="status" data-testid="bid-ok">
              {bidOk.extended
                ? t("auction.bidPlacedExtended", { amount: formatYuan(bidOk.amount, i18n.language) })
                : t("auction.bidPlaced", { amount: formatYuan(bidOk.amount, i18n.language), seq: bidOk.seq })}
            </p>
          ) : null}
        </Form>
      ) : null}

      {(phase === "live" || phase === "scheduled") && !auction.viewer.sellerSide && !auction.viewer.canBid ? (
        <section className="auction__register" data-testid="register">
          <h2>{t("auction.register.title")}</h2>
          <p>{t("auction.register.intro", { deposit: formatYuan(auction.deposit, i18n.language) })}</p>
          {!loggedIn ? (
            <Link className="button" to={`/login?redirectTo=${encodeURIComponent(`/auctions/${auction.id}`)}`}>
              {t("auction.register.loginToRegister")}
            </Link>
          ) : !auction.viewer.canRegister ? (
            <p className="muted">{t("auction.register.buyersOnly")}</p>
          ) : (
            <Form method="post" reloadDocument>
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="register" />
              <h3>{t("auction.register.agreementTitle")}</h3>
              <p className="auction__agreement">{t("auction.register.agreement")}</p>
              <label className="checkbox">
                <input type="checkbox" name="acceptAgreement" value="on" data-testid="accept-agreement" />
                {t("auction.register.accept")}
              </label>
              <FieldErrors errors={registerErrors} />
              <button type="submit" className="button" data-testid="register-submit">
                {auction.viewer.registration ? t("auction.register.retry") : t("auction.register.submit")}
              </button>
            </Form>
          )}
        </section>
      ) : null}

      <section className="auction__history">
        <h2>{t("auction.history")}</h2>
        {live.bids.length === 0 ? (
          <p className="empty-state">{t("auction.historyEmpty")}</p>
        ) : (
          <table className="table" data-testid="bid-history">
            <thead>
              <tr>
                <th>{t("auction.seq")}</th>
                <th>{t("auction.bidderColumn")}</th>
                <th>{t("auction.amount")}</th>
                <th>{t("auction.time")}</th>
              </tr>
            </thead>
            <tbody>
              {live.bids.map((b) => (
                <tr key={b.seq} data-testid="bid-row" data-seq={b.seq} className={b.bidderNumber === myNumber ? "mine" : undefined}>
                  <td>{b.seq}</td>
                  <td>
                    {t("auction.bidder", { number: b.bidderNumber })}
                    {b.bidderNumber === myNumber ? t("auction.you") : ""}
                  </td>
                  <td>{formatYuan(b.amount, i18n.language)}</td>
                  <td>
                    <time dateTime={b.placedAt}>{formatDateTime(b.placedAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="muted">
          {t("auction.verifyHint")} <a href={`/api/v1/auctions/${auction.id}/verify`}>{t("auction.verify")}</a>
        </p>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
