import { getFormProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { z } from "zod";
import { objectIdString } from "~/schemas/ids.ts";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import formStyles from "~/components/listing-form/listing-form.css";
import { useOfferLive } from "~/components/trading/use-offer-live.ts";
import { OfferStatusBadge, OfferTermsFields, TermsText, type OfferTermsFieldsInput } from "~/components/trading/trading-panel.tsx";
import tradingStyles from "~/components/trading/trading.css";
import {
  expiryInputBounds,
  OFFER_DEFAULT_DAYS,
  OFFER_REASON_MAX,
  OfferFormSchema,
  RejectOfferSchema,
  type OfferTerms,
} from "~/schemas/offers.ts";
import { acceptOffer, counterOffer, rejectOffer, withdrawOffer } from "~/services/trading/offers/commands.server.ts";
import { getOfferThread } from "~/services/trading/offers/queries.server.ts";
import { type OfferView } from "~/services/trading/offers/views.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { formatYuan, fenToYuanText } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { errorResponse, loadOrThrow } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { FormErrors, FormField, translateMessage } from "~/components/ui/forms.tsx";

/**
 * One negotiation (报价详情): every version oldest first, and the forms for whoever may act on
 * the open one — accept (saying that the other offers will close), reject with a reason,
 * counter, withdraw. Each form names the version it answers, so an answer to a version that was
 * countered meanwhile is refused (409) instead of landing on the wrong one.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "报价详情 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let thread: Awaited<ReturnType<typeof getOfferThread>>;
  try {
    thread = await getOfferThread(user, params.id ?? "");
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({ thread, expiryBounds: expiryInputBounds(), pageTitle: pageTitle(t, t("offers.thread.title"), thread.listing.title) });
}

const INTENTS = ["accept", "reject", "counter", "withdraw"] as const;
type Intent = (typeof INTENTS)[number];
const IntentSchema = z.object({
  intent: z.enum(INTENTS),
  offerId: objectIdString(),
});

export interface ThreadActionData {
  intent: Intent | "";
  /** The conform reply of the reject or counter form. */
  form?: SubmissionResult<string[]>;
  /** A refusal of accept / withdraw (an i18n key). */
  formError?: string | null;
  /** The fields a malformed request got wrong (`intent`, `offerId`): hidden fields, so the page shows formError. */
  errors?: Record<string, string[]>;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  // Who is not a side of this offer is refused before the form is read (a 404, as the page).
  await loadOrThrow(getOfferThread(user, params.id ?? ""));
  const formData = await readVerifiedForm(request);
  const parsed = IntentSchema.safeParse({ intent: formData.get("intent"), offerId: formData.get("offerId") });
  if (!parsed.success)
    return json<ThreadActionData>(
      { intent: "", formError: "errors.invalidInput", errors: flattenZodErrors(parsed.error) },
      { status: 400 },
    );
  const { intent, offerId } = parsed.data;

  if (intent === "accept" || intent === "withdraw") {
    try {
      if (intent === "accept") {
        const { dealId } = await acceptOffer(user, offerId, { via: "ui" });
        return redirect(`/deals/${dealId}?done=accepted`);
      }
      const offer = await withdrawOffer(user, offerId, { via: "ui" });
      return redirect(`/offers/${offer.thread}?done=withdraw`);
    } catch (e) {
      if (e instanceof DomainError && !(e instanceof NotFoundError)) {
        return json<ThreadActionData>({ intent, formError: e.message }, { status: e.status });
      }
      throw errorResponse(e);
    }
  }

  const submission =
    intent === "reject"
      ? parseWithZod(formData, { schema: RejectOfferSchema, disableAutoCoercion: true })
      : parseWithZod(formData, { schema: OfferFormSchema, disableAutoCoercion: true });
  if (submission.status !== "success") return json<ThreadActionData>({ intent, form: submission.reply() }, { status: 400 });
  try {
    if (intent === "reject") {
      const offer = await rejectOffer(user, offerId, submission.value as { reason: string | null }, { via: "ui" });
      return redirect(`/offers/${offer.thread}?done=reject`);
    }
    const offer = await counterOffer(user, offerId, submission.value as OfferTerms, { via: "ui" });
    return redirect(`/offers/${offer.thread}?done=counter`);
  } catch (e) {
    if (e instanceof ValidationError) {
      return json<ThreadActionData>({ intent, form: submission.reply({ fieldErrors: e.fieldErrors }) }, { status: 400 });
    }
    if (e instanceof DomainError && !(e instanceof NotFoundError)) {
      return json<ThreadActionData>({ intent, form: submission.reply({ formErrors: [e.message] }) }, { status: e.status });
    }
    throw errorResponse(e);
  }
}

const DONE = ["made", "counter", "reject", "withdraw"];

export default function OfferThreadPage() {
  const { thread, expiryBounds } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  const tr = t as (k: string) => string;
  const current = thread.current;
  const a = thread.actions;
  const sideLabel = t(`offers.sides.${thread.side}`);
  // Either side sees the other's answer arrive without a reload.
  const { live } = useOfferLive(thread.thread);
  return (
    <div className="trading-page" data-testid="offer-thread" data-live={live ? "true" : undefined}>
      <p className="breadcrumb">
        <Link to="/offers">{t("offers.thread.backToList")}</Link>
      </p>
      <h1>
        {t("offers.thread.title")} <OfferStatusBadge status={current.status} />
      </h1>
      {done && DONE.includes(done) && !actionData ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t(`offers.done.${done}`)}
        </p>
      ) : null}
      <dl className="facts trading-summary">
        <div className="facts__row">
          <dt>{t("offers.thread.listing")}</dt>
          <dd>
            <Link to={`/achievements/${thread.listing.id}`}>{thread.listing.title}</Link>
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("offers.thread.seller")}</dt>
          <dd>{thread.seller.name}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("offers.thread.buyer")}</dt>
          <dd>
            {thread.buyer.name}
            {thread.buyer.organizationName ? <span className="muted"> · {thread.buyer.organizationName}</span> : null}
          </dd>
        </div>
      </dl>
      <p className="muted">{t("offers.thread.youAre", { side: sideLabel })}</p>
      {thread.dealId ? (
        <p>
          <Link to={`/deals/${thread.dealId}`} className="button" data-testid="view-deal">
            {t("offers.thread.viewDeal")}
          </Link>
        </p>
      ) : null}
      {/* Only the two sides see this page: either may talk it over in the deal room. */}
      <Form method="post" action="/rooms/new" className="trading-chat">
        <AuthenticityTokenInput />
        <input type="hidden" name="from" value="offer" />
        <input type="hidden" name="offerId" value={current.id} />
        <button type="submit" className="button button--ghost" data-testid="open-room">
          {t("rooms.open.enterRoom")}
        </button>
      </Form>

      <h2>{t("offers.thread.history")}</h2>
      <ol className="offer-versions">
        {[...thread.versions].reverse().map((v) => (
          <VersionCard key={v.id} v={v} current={v.id === current.id} tr={tr} />
        ))}
      </ol>

      {a.accept || a.reject || a.counter || a.withdraw ? (
        <div className="offer-respond">
          {a.accept ? <AcceptForm offerId={current.id} others={thread.otherOpenOffers} side={thread.side} actionData={actionData} /> : null}
          {a.counter ? (
            <CounterForm
              current={current}
              modes={thread.listing.transactionModes}
              exclusivities={thread.listing.licenseExclusivity}
              expiryBounds={expiryBounds}
              actionData={actionData}
            />
          ) : null}
          {a.reject ? <RejectForm offerId={current.id} actionData={actionData} /> : null}
          {a.withdraw ? <WithdrawForm offerId={current.id} actionData={actionData} /> : null}
        </div>
      ) : current.status !== "open" ? (
        <p className="muted">{t("offers.thread.closedNote")}</p>
      ) : actionData?.formError ? (
        <FormErrors errors={[actionData.formError]} />
      ) : null}
    </div>
  );
}

function VersionCard({ v, current, tr }: { v: OfferView; current: boolean; tr: (k: string) => string }) {
  const { t, i18n } = useTranslation();
  return (
    <li className={`offer-version${current ? " offer-version--current" : ""}`} data-testid="offer-version">
      <div className="offer-version__head">
        <strong>{t("offers.round", { version: v.version })}</strong>
        <span>{t("offers.byLine", { name: v.byName, side: t(`offers.sides.${v.by}`) })}</span>
        <OfferStatusBadge status={v.status} />
      </div>
      <p className="offer-version__amount">{formatYuan(v.amount, i18n.language)}</p>
      <p>
        <TermsText mode={v.transactionMode} exclusivity={v.licenseExclusivity} />
        <span className="muted">
          {" · "}
          {t("offers.thread.madeAt")} {formatDateTime(v.createdAt)} · {t("offers.thread.expiresAt")} {formatDateTime(v.expiresAt)}
        </span>
      </p>
      {v.message ? <p className="offer-version__message">{v.message}</p> : null}
      {v.reason ? <p data-testid="offer-reason">{t("offers.thread.reason", { reason: translateMessage(tr, v.reason) })}</p> : null}
      {v.respondedByName && v.status !== "expired" && v.status !== "closed" ? (
        <p className="muted">
          {t("offers.thread.respondedBy", { name: v.respondedByName })}
          {v.respondedAt ? ` · ${formatDateTime(v.respondedAt)}` : null}
        </p>
      ) : null}
    </li>
  );
}

function useBusy(intent: Intent) {
  const navigation = useNavigation();
  return navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
}

function AcceptForm({
  offerId,
  others,
  side,
  actionData,
}: {
  offerId: string;
  others: number;
  side: string;
  actionData: ThreadActionData | undefined;
}) {
  const { t } = useTranslation();
  const busy = useBusy("accept");
  return (
    <section aria-labelledby="accept-title" data-testid="accept-form">
      <h2 id="accept-title">{t("offers.accept.button")}</h2>
      <p data-testid="accept-note">
        {side === "seller" && others > 0 ? t("offers.accept.noteCount", { count: others }) : t("offers.accept.note")}
      </p>
      {actionData?.intent === "accept" && actionData.formError ? <FormErrors errors={[actionData.formError]} /> : null}
      <Form method="post">
        <AuthenticityTokenInput />
        <input type="hidden" name="offerId" value={offerId} />
        <button type="submit" name="intent" value="accept" className="button" disabled={busy} data-testid="action-accept">
          {busy ? t("offers.working") : t("offers.accept.button")}
        </button>
      </Form>
    </section>
  );
}

function CounterForm({
  current,
  modes,
  exclusivities,
  expiryBounds,
  actionData,
}: {
  current: OfferView;
  modes: string[];
  exclusivities: string[];
  expiryBounds: { min: string; max: string };
  actionData: ThreadActionData | undefined;
}) {
  const { t } = useTranslation();
  const busy = useBusy("counter");
  const [form, fields] = useForm<OfferTermsFieldsInput, OfferTerms>({
    id: "counter-offer",
    lastResult: actionData?.intent === "counter" ? actionData.form : undefined,
    defaultValue: {
      amount: fenToYuanText(current.amount),
      transactionMode: current.transactionMode,
      licenseExclusivity: current.licenseExclusivity ?? undefined,
      expiryKind: "days",
      expiresInDays: String(OFFER_DEFAULT_DAYS),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: OfferFormSchema, disableAutoCoercion: true }),
    shouldRevalidate: "onInput",
  });
  return (
    <section aria-labelledby="counter-title" data-testid="counter-form">
      <h2 id="counter-title">{t("offers.counter.title")}</h2>
      <p className="muted">{t("offers.counter.intro")}</p>
      <Form method="post" className="listing-form" {...getFormProps(form)}>
        <AuthenticityTokenInput />
        <input type="hidden" name="offerId" value={current.id} />
        <input type="hidden" name="intent" value="counter" />
        <FormErrors errors={form.errors} />
        <OfferTermsFields fields={fields} modes={modes} exclusivities={exclusivities} expiryBounds={expiryBounds} />
        <button type="submit" className="button" disabled={busy} data-testid="action-counter">
          {busy ? t("offers.working") : t("offers.counter.submit")}
        </button>
      </Form>
    </section>
  );
}

function RejectForm({ offerId, actionData }: { offerId: string; actionData: ThreadActionData | undefined }) {
  const { t } = useTranslation();
  const busy = useBusy("reject");
  const [form, fields] = useForm<{ reason?: string }, { reason: string | null }>({
    id: "reject-offer",
    lastResult: actionData?.intent === "reject" ? actionData.form : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RejectOfferSchema, disableAutoCoercion: true }),
    shouldRevalidate: "onInput",
  });
  return (
    <section aria-labelledby="reject-title" data-testid="reject-form">
      <h2 id="reject-title">{t("offers.reject.button")}</h2>
      <Form method="post" {...getFormProps(form)}>
        <AuthenticityTokenInput />
        <input type="hidden" name="offerId" value={offerId} />
        <input type="hidden" name="intent" value="reject" />
        <FormErrors errors={form.errors} />
        <FormField field={fields.reason} label={t("offers.reject.reason")} hint={t("offers.reject.reasonHint")}>
          <textarea
            {...getTextareaProps(fields.reason, { ariaDescribedBy: fields.reason.descriptionId })}
            rows={3}
            maxLength={OFFER_REASON_MAX}
          />
        </FormField>
        <button type="submit" className="button button--ghost" disabled={busy} data-testid="action-reject">
          {busy ? t("offers.working") : t("offers.reject.button")}
        </button>
      </Form>
    </section>
  );
}

function WithdrawForm({ offerId, actionData }: { offerId: string; actionData: ThreadActionData | undefined }) {
  const { t } = useTranslation();
  const busy = useBusy("withdraw");
  return (
    <section aria-labelledby="withdraw-title" data-testid="withdraw-form">
      <h2 id="withdraw-title">{t("offers.withdraw.button")}</h2>
      <p className="muted">{t("offers.withdraw.note")}</p>
      {actionData?.intent === "withdraw" && actionData.formError ? <FormErrors errors={[actionData.formError]} /> : null}
      <Form method="post">
        <AuthenticityTokenInput />
        <input type="hidden" name="offerId" value={offerId} />
        <button type="submit" name="intent" value="withdraw" className="button button--ghost" disabled={busy} data-testid="action-withdraw">
          {busy ? t("offers.working") : t("offers.withdraw.button")}
        </button>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
