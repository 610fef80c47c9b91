import { getCollectionProps, getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import tradingStyles from "~/components/trading/trading.css";
import { BuyNowFormSchema, type BuyNowFormInput, type BuyNowInput } from "~/schemas/offers.ts";
import { buyNow, buyNowQuote } from "~/services/trading/buy-now.server.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan, fenToYuanText } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { ChoiceGroup, FieldErrors, FormErrors, translateMessage } from "~/components/ui/forms.tsx";

/**
 * 立即购买: the confirmation page of a fixed-price listing — the price, the transaction mode (and
 * the licence kind when the listing offers several), the terms, the seller — then one POST that
 * makes the deal and goes to its page. A price changed meanwhile, or a listing sold to someone
 * else a moment earlier, comes back here as a message (409), never as a 500.
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
  return json({ quote, pageTitle: pageTitle(t, t("buyNow.title"), quote.listing.title) });
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
  let dealId: string;
  try {
    dealId = await buyNow(user, params.id ?? "", submission.value, { via: "ui" });
  } catch (e) {
    if (e instanceof ValidationError) {
      return json<BuyActionData>({ form: submission.reply({ fieldErrors: e.fieldErrors }) }, { status: 400 });
    }
    if (e instanceof DomainError && !(e instanceof NotFoundError)) {
      return json<BuyActionData>({ form: submission.reply({ formErrors: [e.message] }) }, { status: e.status });
    }
    throw errorResponse(e);
  }
  return redirect(`/deals/${dealId}?done=bought`);
}

export default function BuyNowPage() {
  const { quote } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const l = quote.listing;
  const single = <T,>(list: readonly T[]) => (list.length === 1 ? list[0] : undefined);
  const [form, fields] = useForm<BuyNowFormInput, BuyNowInput>({
    id: "buy-now",
    lastResult: actionData?.form,
    defaultValue: {
      transactionMode: single(l.transactionModes),
      licenseExclusivity: single(l.licenseExclusivity),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: BuyNowFormSchema, disableAutoCoercion: true }),
    shouldRevalidate: "onInput",
  });
  const busy = navigation.state === "submitting";
  const listingHref = `/achievements/${l.id}`;
  const showExclusivity = l.transactionModes.includes("license") && l.licenseExclusivity.length > 1;

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
        {l.price.mode === "fixed" && l.price.amount ? (
          <div className="facts__row">
            <dt>{t("buyNow.price")}</dt>
            <dd>
              <strong className="trading-price" data-testid="buy-price">
                {formatYuan(l.price.amount, i18n.language)}
              </strong>
            </dd>
          </div>
        ) : null}
      </dl>

      {quote.problem ? (
        <div className="callout callout--warn" role="alert" data-testid="buy-problem">
          <strong>{t("buyNow.cannotBuy")}</strong>
          <p>{translateMessage(t as (k: string) => string, quote.problem)}</p>
          <Link to={listingHref}>{t("buyNow.cancel")}</Link>
        </div>
      ) : (
        <Form method="post" className="form-card" {...getFormProps(form)}>
          <AuthenticityTokenInput />
          <p className="muted">{t("buyNow.intro")}</p>
          <FormErrors errors={form.errors} />
          {/* The price the buyer saw; the server refuses the purchase if the listing's price differs now. */}
          <input type="hidden" name="amount" value={fenToYuanText(l.price.amount ?? 0)} key={l.price.amount ?? 0} />
          <FieldErrors errors={fields.amount.errors} />
          <ChoiceGroup field={fields.transactionMode} legend={t("buyNow.mode")} required>
            {getCollectionProps(fields.transactionMode, { type: "radio", options: l.transactionModes }).map(({ key, ...p }) => (
              <label key={key} htmlFor={p.id}>
                <input {...p} />
                {t(`listing.modes.${p.value}`)}
              </label>
            ))}
          </ChoiceGroup>
          {showExclusivity ? (
            <ChoiceGroup field={fields.licenseExclusivity} legend={t("buyNow.exclusivity")} hint={t("buyNow.exclusivityHint")}>
              {getCollectionProps(fields.licenseExclusivity, { type: "radio", options: l.licenseExclusivity }).map(({ key, ...p }) => (
                <label key={key} htmlFor={p.id}>
                  <input {...p} />
                  {t(`listing.exclusivity.${p.value}`)}
                </label>
              ))}
            </ChoiceGroup>
          ) : l.transactionModes.includes("license") && l.licenseExclusivity.length === 1 ? (
            <input type="hidden" name="licenseExclusivity" value={l.licenseExclusivity[0]} />
          ) : (
            <FieldErrors errors={fields.licenseExclusivity.errors} />
          )}
          <h2 className="form-section-title">{t("buyNow.termsTitle")}</h2>
          <ol className="trading-terms" data-testid="buy-terms">
            <li>{t("buyNow.terms.price")}</li>
            <li>{t("buyNow.terms.binding")}</li>
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
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
