import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import tradingStyles from "~/components/trading/trading.css";
import { BuyNowFormSchema, type BuyNowFormInput, type BuyNowInput } from "~/schemas/offers.ts";
import { buyNowQuote } from "~/services/trading/buy-now.server.ts";
import { requestBuyNow } from "~/services/trading/buy-requests/commands.server.ts";
import { buyNowDepositFen } from "~/services/trading/buy-requests/rules.ts";
import { platformSettings } from "~/services/settings/settings.server.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan, fenToYuanText } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse, redirectDone } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { FieldErrors, FormErrors, translateMessage } from "~/components/ui/forms.tsx";

/**
 * 立即购买: the confirmation page of a fixed-price listing — the options it prices (a mode and,
 * for a licence, its kind: 转让 ¥300,000 · 普通许可 ¥50,000 …; `?option=license.non-exclusive`
 * picks one, a single option is picked by itself), the chosen option's price, the terms, the
 * seller, and the two ways to secure it (decision 023): a deposit (a percentage of the price, held
 * and captured on the gateway's page; the deal opens when it is captured) or the seller side's
 * confirmation within a set time — then one POST that stores the buy request (the listing stays on
 * the market) and goes to the payment page or to /my/buy-requests. A price changed meanwhile, or
 * a listing sold to someone else a moment earlier, comes back here as a message (409), never as a
 * 500. Choosing is a link, so it all works without JavaScript.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "确认购买 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let quote: Awaited<ReturnType<typeof buyNowQuote>>;
  try {
    quote = await buyNowQuote(user, params.id ?? "");
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  const asked = new URL(request.url).searchParams.get("option");
  const available = quote.options.filter((o) => !o.unavailable);
  const chosen = quote.options.find((o) => o.key === asked && !o.unavailable) ?? (available.length === 1 ? available[0]! : null);
  const settings = await platformSettings();
  // What each way asks (decision 023): the deposit for the chosen price, and how long the seller side has to confirm.
  const ways = {
    depositPercent: settings.buyNowDepositPercent,
    depositFen: chosen ? buyNowDepositFen(chosen.amount, settings.buyNowDepositPercent) : null,
    confirmHours: settings.buyNowConfirmHours,
  };
  return json({ quote, chosen, ways, pageTitle: pageTitle(t, t("buyNow.title"), quote.listing.title) });
}

export interface BuyActionData {
  form: SubmissionResult<string[]>;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: BuyNowFormSchema, disableAutoCoercion: true });
  if (submission.status !== "success") {
    return json<BuyActionData>({ form: submission.reply() }, { status: 400 });
  }
  const id = params.id ?? "";
  const origin = new URL(request.url).origin;
  let started: Awaited<ReturnType<typeof requestBuyNow>>;
  try {
    started = await requestBuyNow(
      { ...user, email: user.email },
      id,
      { ...submission.value, way: submission.value.way ?? "confirm" },
      {
        via: "ui",
        urls: {
          successUrl: `${origin}/my/buy-requests?request={REQUEST_ID}&session_id={CHECKOUT_SESSION_ID}`,
          cancelUrl: `${origin}/my/buy-requests?request={REQUEST_ID}&deposit=cancelled`,
        },
      },
    );
  } catch (e) {
    if (e instanceof ValidationError) {
      return json<BuyActionData>({ form: submission.reply({ fieldErrors: e.fieldErrors }) }, { status: 400 });
    }
    if (e instanceof DomainError && !(e instanceof NotFoundError)) {
      return json<BuyActionData>({ form: submission.reply({ formErrors: [e.message] }) }, { status: e.status });
    }
    throw errorResponse(e);
  }
  // A deposit: off to the payment page, back on the requests page. A confirmation: the request waits there.
  return started.redirectUrl
    ? redirect(started.redirectUrl)
    : redirectDone("/my/buy-requests", "requested", { hash: `request-${started.requestId}` });
}

export default function BuyNowPage() {
  const { quote, chosen, ways } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const l = quote.listing;
  const [form, fields] = useForm<BuyNowFormInput, BuyNowInput>({
    id: `buy-now-${chosen?.key ?? "none"}`,
    lastResult: actionData?.form,
    defaultValue: {
      transactionMode: chosen?.transactionMode,
      licenseExclusivity: chosen?.licenseExclusivity ?? undefined,
      way: "deposit",
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: BuyNowFormSchema, disableAutoCoercion: true }),
    shouldRevalidate: "onInput",
  });
  const busy = navigation.state === "submitting";
  const listingHref = `/achievements/${l.id}`;
  const money = (fen: number) => formatYuan(fen, i18n.language);

  return (
    <div className="trading-page" data-testid="buy-now-page">
      <p className="breadcrumb">
        <Link to={listingHref}>{l.title}</Link>
      </p>
      <h1>{t("buyNow.title")}</h1>
      <dl className="facts trading-summary">
        <div className="facts__row">
          <dt>{t("buyNow.listing")}</dt>
          <dd>
            <Link to={listingHref}>{l.title}</Link>
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("buyNow.seller")}</dt>
          <dd>
            {l.seller.name}
            {l.seller.type ? <span className="muted"> · {t(`orgTypes.${l.seller.type}`)}</span> : null}
          </dd>
        </div>
        {chosen ? (
          <>
            <div className="facts__row">
              <dt>{t("buyNow.mode")}</dt>
              <dd data-testid="buy-option">{t(`prices.options.${chosen.key}`)}</dd>
            </div>
            <div className="facts__row">
              <dt>{t("buyNow.price")}</dt>
              <dd>
                <strong className="trading-price" data-testid="buy-price">
                  {money(chosen.amount)}
                </strong>
              </dd>
            </div>
          </>
        ) : null}
      </dl>

      {quote.problem ? (
        <div className="callout callout--warn" role="alert" data-testid="buy-problem">
          <strong>{t("buyNow.cannotBuy")}</strong>
          <p>{translateMessage(t as (k: string) => string, quote.problem)}</p>
          <Link to={listingHref}>{t("buyNow.cancel")}</Link>
        </div>
      ) : (
        <>
          {quote.options.length > 1 || !chosen ? (
            <section className="form-card" aria-labelledby="buy-options-title" data-testid="buy-options">
              <h2 id="buy-options-title" className="form-section-title">
                {t("prices.buy.choose")}
              </h2>
              <ul className="plain-list price-list">
                {quote.options.map((o) => (
                  <li key={o.key} className={o.key === chosen?.key ? "price-list__item price-list__item--chosen" : "price-list__item"}>
                    <span>{t(`prices.options.${o.key}`)}</span> <strong>{money(o.amount)}</strong>{" "}
                    {o.unavailable ? (
                      <span className="muted">{translateMessage(t as (k: string) => string, o.unavailable)}</span>
                    ) : o.key === chosen?.key ? (
                      <span className="badge">{t("prices.buy.chosen")}</span>
                    ) : (
                      <Link to={`?option=${encodeURIComponent(o.key)}`} data-testid={`choose-${o.key}`}>
                        {t("prices.buy.chooseThis")}
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
              {l.nonExclusiveLicences > 0 ? <p className="muted">{t("prices.licensees", { count: l.nonExclusiveLicences })}</p> : null}
            </section>
          ) : null}
          {chosen ? (
            <Form method="post" className="form-card" {...getFormProps(form)}>
              <AuthenticityTokenInput />
              <p className="muted">{t("buyNow.intro")}</p>
              <FormErrors errors={form.errors} />
              {/* The option and the price the buyer saw; the server refuses the purchase if that price differs now. */}
              <input type="hidden" name="amount" value={fenToYuanText(chosen.amount)} key={chosen.key} />
              <input type="hidden" name="transactionMode" value={chosen.transactionMode} />
              {chosen.licenseExclusivity ? <input type="hidden" name="licenseExclusivity" value={chosen.licenseExclusivity} /> : null}
              <FieldErrors errors={fields.amount.errors} />
              <FieldErrors errors={fields.transactionMode.errors} />
              <FieldErrors errors={fields.licenseExclusivity.errors} />
              {chosen.transactionMode === "license" && chosen.licenseExclusivity === "non-exclusive" ? (
                <p className="callout" data-testid="non-exclusive-note">
                  {t("prices.buy.nonExclusiveNote")}
                </p>
              ) : null}
              <fieldset className="field buy-ways" data-testid="buy-ways">
                <legend className="form-section-title">{t("buyRequests.form.legend")}</legend>
                <p className="muted">{t("buyRequests.form.stays")}</p>
                <label className="buy-ways__way">
                  <input type="radio" name="way" value="deposit" defaultChecked data-testid="way-deposit" />{" "}
                  <strong>{t("buyRequests.form.deposit", { amount: money(ways.depositFen ?? 0), percent: ways.depositPercent })}</strong>
                  <span className="muted"> {t("buyRequests.form.depositHelp")}</span>
                </label>
                <label className="buy-ways__way">
                  <input type="radio" name="way" value="confirm" data-testid="way-confirm" />{" "}
                  <strong>{t("buyRequests.form.confirm", { hours: ways.confirmHours })}</strong>
                  <span className="muted"> {t("buyRequests.form.confirmHelp", { hours: ways.confirmHours })}</span>
                </label>
                <FieldErrors errors={fields.way.errors} />
              </fieldset>
              <h2 className="form-section-title">{t("buyNow.termsTitle")}</h2>
              <ol className="trading-terms" data-testid="buy-terms">
                <li>{t("buyNow.terms.price")}</li>
                <li>
                  {chosen.transactionMode === "license" && chosen.licenseExclusivity === "non-exclusive"
                    ? t("prices.buy.bindingNonExclusive")
                    : t("buyNow.terms.binding")}
                </li>
                <li>{t("buyNow.terms.contract")}</li>
                <li>{t("buyNow.terms.registration")}</li>
              </ol>
              <div className={`field field--checkbox${fields.agree.errors?.length ? " field--invalid" : ""}`}>
                <label htmlFor={fields.agree.id}>
                  <input {...getInputProps(fields.agree, { type: "checkbox", value: "on" })} />
                  {t("buyNow.agree")}
                </label>
                <FieldErrors id={fields.agree.errorId} errors={fields.agree.errors} />
              </div>
              <div className="trading-actions">
                <button type="submit" className="button" disabled={busy} data-testid="confirm-buy">
                  {busy ? t("buyNow.confirming") : t("buyNow.confirm")}
                </button>
                <Link to={listingHref}>{t("buyNow.cancel")}</Link>
              </div>
            </Form>
          ) : null}
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
