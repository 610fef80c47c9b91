import { paymentsAreDemo } from "~/services/payments/gateway.server.ts";
import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { StageFacts } from "~/components/settlement/stage-parts.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { stagePage } from "~/services/settlement/queries.server.ts";
import { startStageCheckout, syncStageCheckout } from "~/services/settlement/receipts.server.ts";
import { reportRoyalty } from "~/services/settlement/royalty.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";
import { attempt, errorResponse, intentAction, loadOrThrow, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * /deals/:id/stages/:number — one stage of a deal's payment schedule (issue 14, point 5): what is
 * due, paid, short (少付), excess (多付) or late (逾期); for the buyer, the pay-by-card button
 * (Stripe Checkout), the bank-transfer instructions with the stage's unique reference, and on a
 * royalty stage the sales report form. Back from Checkout (?checkout=done) the page asks the
 * gateway where the payment stands, so the buyer sees it paid without waiting for the webhook.
 * Works without JavaScript.
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "付款 · 成果" }];

const numberOf = (raw: string | undefined) => (/^\d{1,4}$/.test(raw ?? "") ? Number(raw) : 0);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const id = params.id ?? "";
  const number = numberOf(params.number);
  let checkout: string | null = null;
  try {
    if (url.searchParams.get("checkout") === "done") checkout = await syncStageCheckout(user, id, number);
    const page = await stagePage(user, id, number);
    const t = requestT(request);
    return json({
      page,
      checkout,
      demoPayments: paymentsAreDemo(),
      pageTitle: pageTitle(t, t("settlement.stageTitle", { number: page.stage.number, title: page.stage.title }), page.deal.title),
    });
  } catch (e) {
    throw errorResponse(e);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  const number = numberOf(params.number);
  // Who has no business with the deal is refused before the form is read (a 404, as the page).
  await loadOrThrow(loadDealFor(user, id));
  const values = formValues(await readVerifiedForm(request));
  const here = `/deals/${id}/stages/${number}`;
  return intentAction(values, {
    pay: async () => {
      const origin = new URL(request.url).origin;
      return attempt(
        { intent: "pay", values: {} },
        () =>
          startStageCheckout(user, id, number, {
            successUrl: `${origin}${here}?checkout=done`,
            cancelUrl: `${origin}${here}?checkout=cancelled`,
          }),
        ({ redirectUrl }) => redirect(redirectUrl),
      );
    },
    report: async () =>
      attempt(
        { intent: "report", values },
        () =>
          reportRoyalty(user, id, number, {
            periodFrom: values.periodFrom ?? "",
            periodTo: values.periodTo ?? "",
            sales: values.sales ?? "",
            note: values.note || undefined,
          }),
        () => redirectDone(here, "reported"),
      ),
  });
}

export default function StagePage() {
  const { page, checkout, demoPayments } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const s = page.stage;
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? {}) as Record<string, string>;
  const failedIntent = failure?.intent;
  const done = params.get("done");
  const notice =
    params.get("checkout") === "done"
      ? checkout === "succeeded"
        ? "paid"
        : "pending"
      : params.get("checkout") === "cancelled"
        ? "cancelled"
        : done === "reported"
          ? "reported"
          : null;
  return (
    <div className="trading-page" data-testid="stage-page">
      <p className="breadcrumb">
        <Link to={`/deals/${page.deal.id}/stages`}>{t("settlement.backToStages")}</Link>
      </p>
      <h1>{t("settlement.stageTitle", { number: s.number, title: s.title })}</h1>
      <p className="muted">{page.deal.title}</p>
      {notice ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t(`settlement.done.${notice}`)}
        </p>
      ) : null}
      <StageFacts stage={s} />

      {page.canPay ? (
        <>
          <section className="contract-section" data-testid="pay-card">
            <h2>{t("settlement.payTitle")}</h2>
            <p>{t("settlement.payIntro", { amount: money(s.outstandingFen) })}</p>
            {demoPayments ? (
              <p className="notice" data-testid="demo-payments">
                {t("settlement.demoPayments")}
              </p>
            ) : null}
            <Form method="post">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="pay" />
              {failedIntent === "pay" ? <FormErrors errors={errors[""]} /> : null}
              <button type="submit" className="button" data-testid="pay-button">
                {t("settlement.payButton", { amount: money(s.outstandingFen) })}
              </button>
            </Form>
          </section>
          <section className="contract-section" data-testid="pay-bank">
            <h2>{t("settlement.bankTitle")}</h2>
            <p>{t("settlement.bankIntro")}</p>
            <dl className="facts">
              <div className="facts__row">
                <dt>{t("settlement.bankName")}</dt>
                <dd>{page.bankAccount.name}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("settlement.bankBank")}</dt>
                <dd>{page.bankAccount.bank}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("settlement.bankNumber")}</dt>
                <dd data-testid="bank-number">{page.bankAccount.number}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("settlement.bankAmount")}</dt>
                <dd data-testid="bank-amount">{money(s.outstandingFen)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("settlement.reference")}</dt>
                <dd>
                  <strong data-testid="bank-reference">{s.reference}</strong>
                </dd>
              </div>
            </dl>
          </section>
        </>
      ) : null}

      {s.kind === "royalty" ? (
        <section className="contract-section" data-testid="royalty">
          <h2>{t("settlement.reportsTitle")}</h2>
          {s.royaltyReports.length ? (
            <ul data-testid="royalty-reports">
              {s.royaltyReports.map((r) => (
                <li key={r.id}>
                  {t("settlement.reportLine", {
                    from: formatDate(r.periodFrom),
                    to: formatDate(r.periodTo),
                    sales: money(r.salesFen),
                    rate: r.rateBps / 100,
                    due: money(r.dueFen),
                  })}
                </li>
              ))}
            </ul>
          ) : null}
          {page.canReport ? (
            <Form method="post" className="contract-form" data-testid="royalty-form">
              <h3>{t("settlement.royaltyTitle")}</h3>
              <p className="field-hint">{t("settlement.royaltyIntro", { rate: page.deal.royaltyPercent ?? 0 })}</p>
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="report" />
              <label>
                {t("settlement.periodFrom")}
                <input type="date" name="periodFrom" required defaultValue={typed.periodFrom ?? ""} aria-describedby="periodFrom-error" />
              </label>
              <FieldErrors id="periodFrom-error" errors={errors.periodFrom} />
              <label>
                {t("settlement.periodTo")}
                <input type="date" name="periodTo" required defaultValue={typed.periodTo ?? ""} aria-describedby="periodTo-error" />
              </label>
              <FieldErrors id="periodTo-error" errors={errors.periodTo} />
              <label>
                {t("settlement.sales")}
                <input name="sales" inputMode="decimal" required defaultValue={typed.sales ?? ""} aria-describedby="sales-error" />
              </label>
              <FieldErrors id="sales-error" errors={errors.sales} />
              <label>
                {t("settlement.note")}
                <input name="note" maxLength={500} defaultValue={typed.note ?? ""} />
              </label>
              {failedIntent === "report" ? <FormErrors errors={errors[""]} /> : null}
              <button type="submit" className="button" data-testid="report-button">
                {t("settlement.reportButton")}
              </button>
            </Form>
          ) : null}
        </section>
      ) : null}

      <section className="contract-section">
        <h2>{t("settlement.receiptsTitle")}</h2>
        {s.receipts.length === 0 ? (
          <p className="muted">{t("settlement.noReceipts")}</p>
        ) : (
          <ul data-testid="receipts">
            {s.receipts.map((r) => (
              <li key={r.id} data-testid="receipt">
                {t("settlement.receiptLine", {
                  at: formatDate(r.receivedAt),
                  via: t(`settlement.vias.${r.via}`),
                  amount: money(r.amountFen),
                })}
                {r.bankRef ? ` · ${t("settlement.bankRef")} ${r.bankRef}` : ""}
                <span className="muted"> · {formatDateTime(r.recordedAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
