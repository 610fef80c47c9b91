import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { OfferTermsFields, type OfferTermsFieldsInput } from "~/components/trading/trading-panel.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { expiryInputBounds, OFFER_DEFAULT_DAYS, OfferFormSchema, type OfferTerms } from "~/schemas/offers.ts";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { offerQuote } from "~/services/trading/offers/queries.server.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import listingStyles from "~/styles/listings.css";
import { requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { FormErrors, translateMessage } from "~/components/ui/forms.tsx";

/**
 * 我要报价: a buyer's offer on a negotiable listing in trading — amount in yuan, transaction mode
 * among the listing's, licence kind, message, expiry (days or a date-time). Errors show next to
 * their fields and what was typed stays (400); a refusal (sold meanwhile…) is a form message.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "我要报价 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let quote: Awaited<ReturnType<typeof offerQuote>>;
  try {
    quote = await offerQuote(user, params.id ?? "");
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({ quote, expiryBounds: expiryInputBounds(), pageTitle: pageTitle(t, t("offers.make.title"), quote.listing.title) });
}

export interface OfferActionData {
  form: SubmissionResult<string[]>;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: OfferFormSchema, disableAutoCoercion: true });
  if (submission.status !== "success") {
    return json<OfferActionData>({ form: submission.reply() }, { status: 400 });
  }
  let thread: string;
  try {
    thread = (await makeOffer(user, params.id ?? "", submission.value, { via: "ui" })).thread;
  } catch (e) {
    if (e instanceof ValidationError) {
      return json<OfferActionData>({ form: submission.reply({ fieldErrors: e.fieldErrors }) }, { status: 400 });
    }
    if (e instanceof DomainError && !(e instanceof NotFoundError)) {
      return json<OfferActionData>({ form: submission.reply({ formErrors: [e.message] }) }, { status: e.status });
    }
    throw errorResponse(e);
  }
  return redirect(`/offers/${thread}?done=made`);
}

export default function MakeOfferPage() {
  const { quote, expiryBounds } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const navigation = useNavigation();
  const l = quote.listing;
  const single = <T,>(list: readonly T[]) => (list.length === 1 ? list[0] : undefined);
  const [form, fields] = useForm<OfferTermsFieldsInput, OfferTerms>({
    id: "make-offer",
    lastResult: actionData?.form,
    defaultValue: {
      transactionMode: single(l.transactionModes),
      licenseExclusivity: single(l.licenseExclusivity),
      expiryKind: "days",
      expiresInDays: String(OFFER_DEFAULT_DAYS),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: OfferFormSchema, disableAutoCoercion: true }),
    shouldRevalidate: "onInput",
  });
  const busy = navigation.state === "submitting";
  const listingHref = `/achievements/${l.id}`;
  return (
    <div className="trading-page listing-form-page" data-testid="make-offer-page">
      <p className="breadcrumb">
        <Link to={listingHref}>{l.title}</Link>
      </p>
      <h1>{t("offers.make.title")}</h1>
      <dl className="facts trading-summary">
        <div className="facts__row">
          <dt>{t("offers.make.listing")}</dt>
          <dd>
            <Link to={listingHref}>{l.title}</Link>
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("offers.make.seller")}</dt>
          <dd>{l.seller.name}</dd>
        </div>
      </dl>
      {quote.problem ? (
        <div className="callout callout--warn" role="alert" data-testid="offer-problem">
          <strong>{t("offers.make.cannotOffer")}</strong>
          <p>{translateMessage(t as (k: string) => string, quote.problem)}</p>
          {quote.openThread ? (
            <Link to={`/offers/${quote.openThread}`} className="button">
              {t("offers.make.viewExisting")}
            </Link>
          ) : (
            <Link to={listingHref}>{t("offers.make.cancel")}</Link>
          )}
        </div>
      ) : (
        <Form method="post" className="form-card listing-form" {...getFormProps(form)}>
          <AuthenticityTokenInput />
          <p className="muted">{t("offers.make.intro")}</p>
          <FormErrors errors={form.errors} />
          <OfferTermsFields fields={fields} modes={l.transactionModes} exclusivities={l.licenseExclusivity} expiryBounds={expiryBounds} />
          <div className="form-actions">
            <button type="submit" className="button" disabled={busy} data-testid="submit-offer">
              {busy ? t("offers.make.submitting") : t("offers.make.submit")}
            </button>
            <Link to={listingHref} className="form-cancel">
              {t("offers.make.cancel")}
            </Link>
          </div>
        </Form>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
