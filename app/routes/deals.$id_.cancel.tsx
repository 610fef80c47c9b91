import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import {
  adminCancelDeal,
  confirmCancellation,
  getCancelView,
  proposeCancellation,
  withdrawCancellation,
} from "~/services/settlement/cancel.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";
import { requireUser } from "~/web/auth.server.ts";
import { attempt, errorResponse, intentAction, loadOrThrow, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * 取消成交 (issue 14, point 8): a party proposes cancelling with a reason, the other side confirms
 * or declines, the proposer may withdraw; an admin cancels directly after a dispute. Shows the
 * deal's refunds. Who may see the deal sees the page (others: 404); only the parties and admins act.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "取消成交 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let view: Awaited<ReturnType<typeof getCancelView>>;
  try {
    view = await getCancelView(user, params.id ?? "");
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({ view, pageTitle: pageTitle(t, t("settlement.cancel.title"), view.listingTitle) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const dealId = params.id ?? "";
  // Who has no business with the deal is refused before the form is read (a 404, as the page).
  await loadOrThrow(loadDealFor(user, dealId));
  const values = formValues(await readVerifiedForm(request));
  const here = `/deals/${dealId}/cancel`;
  return intentAction(values, {
    propose: () =>
      attempt(
        { intent: "propose", values },
        () => proposeCancellation(user, dealId, values.reason),
        () => redirectDone(here, "proposed"),
      ),
    confirm: () =>
      attempt(
        { intent: "confirm", values },
        () => confirmCancellation(user, dealId),
        () => redirectDone(here, "cancelled"),
      ),
    withdraw: () =>
      attempt(
        { intent: "withdraw", values },
        () => withdrawCancellation(user, dealId),
        (what) => redirectDone(here, what),
      ),
    adminCancel: () =>
      attempt(
        { intent: "adminCancel", values },
        () => adminCancelDeal(user, dealId, values.reason),
        () => redirectDone(here, "cancelled"),
      ),
  });
}

export default function CancelPage() {
  const { view: v } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  const errorsOf = (intent: string) => (failure?.intent === intent ? (failure.reply?.error ?? {}) : {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? {}) as Record<string, string>;
  const open = v.status === "open";
  const mine = v.proposal && v.side === v.proposal.side;
  return (
    <div className="trading-page" data-testid="cancel-page">
      <p className="breadcrumb">
        <Link to={`/deals/${v.dealId}`}>{t("settlement.cancel.back")}</Link>
      </p>
      <h1>
        {t("settlement.cancel.title")} · {v.listingTitle}
      </h1>
      {done && ["proposed", "withdrawn", "declined", "cancelled"].includes(done) ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t(`settlement.cancel.done.${done}`)}
        </p>
      ) : null}
      <p data-testid="deal-status">{t("settlement.cancel.status", { status: t(`settlement.cancel.statuses.${v.status}`) })}</p>
      {open && v.signBy ? <p className="muted">{t("settlement.cancel.signBy", { at: formatDateTime(v.signBy) })}</p> : null}
      {v.ended ? (
        <p data-testid="deal-ended">
          {t("settlement.cancel.ended", { at: formatDateTime(v.ended.at), by: v.ended.byName, reason: v.ended.reason })}
        </p>
      ) : null}
      {open ? <p className="field-hint">{t("settlement.cancel.intro")}</p> : null}
      {open && v.performed ? (
        <p className="notice" data-testid="cancel-performed">
          {t("settlement.cancel.performed")}
        </p>
      ) : null}

      {open && v.proposal ? (
        <section className="contract-section" data-testid="cancel-proposal">
          <p>
            {t("settlement.cancel.proposal", {
              by: v.proposal.byName,
              side: t(`settlement.cancel.sides.${v.proposal.side}`),
              at: formatDateTime(v.proposal.at),
              reason: v.proposal.reason,
            })}
          </p>
          {v.side && mine ? <p className="muted">{t("settlement.cancel.waiting")}</p> : null}
          {v.side && !mine && !v.performed ? (
            <Form method="post" className="contract-actions" data-testid="confirm-form">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="confirm" />
              <p className="field-hint">{t("settlement.cancel.confirmHint")}</p>
              <FormErrors errors={errorsOf("confirm")[""]} />
              <button type="submit" className="button" data-testid="confirm-cancel">
                {t("settlement.cancel.confirm")}
              </button>
            </Form>
          ) : null}
          {v.side ? (
            <Form method="post" className="contract-actions">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="withdraw" />
              <FormErrors errors={errorsOf("withdraw")[""]} />
              <button type="submit" className="button button--ghost" data-testid="withdraw-cancel">
                {mine ? t("settlement.cancel.withdraw") : t("settlement.cancel.decline")}
              </button>
            </Form>
          ) : null}
        </section>
      ) : null}

      {open && !v.proposal && v.side && !v.performed ? (
        <ReasonForm intent="propose" label={t("settlement.cancel.propose")} errors={errorsOf("propose")} typed={typed} />
      ) : null}
      {open && v.isAdmin && !v.performed ? (
        <section className="contract-section">
          <h2>{t("settlement.cancel.adminTitle")}</h2>
          <ReasonForm intent="adminCancel" label={t("settlement.cancel.adminCancel")} errors={errorsOf("adminCancel")} typed={typed} />
        </section>
      ) : null}

      <section className="contract-section" data-testid="cancel-refunds">
        <h2>{t("settlement.cancel.refunds")}</h2>
        {v.refunds.length ? (
          <ul>
            {v.refunds.map((r) => (
              <li key={r.id}>
                {t(r.stageNumber === 0 ? "settlement.cancel.depositLine" : "settlement.cancel.refundLine", {
                  stage: r.stageNumber,
                  via: t(`settlement.cancel.vias.${r.via}`),
                  amount: formatYuan(r.amount),
                  status: t(`settlement.cancel.refundStatuses.${r.status}`),
                })}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t("settlement.cancel.noRefunds")}</p>
        )}
      </section>
    </div>
  );
}

function ReasonForm({
  intent,
  label,
  errors,
  typed,
}: {
  intent: string;
  label: string;
  errors: Record<string, string[] | null>;
  typed: Record<string, string>;
}) {
  const { t } = useTranslation();
  return (
    <Form method="post" className="contract-form" data-testid={`${intent}-form`}>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={intent} />
      <label htmlFor={`${intent}-reason`}>{t("settlement.cancel.reason")}</label>
      <textarea
        id={`${intent}-reason`}
        name="reason"
        rows={3}
        maxLength={500}
        required
        defaultValue={typed.reason ?? ""}
        aria-describedby={`${intent}-reason-error`}
      />
      <FieldErrors id={`${intent}-reason-error`} errors={errors.reason} />
      <FormErrors errors={errors[""]} />
      <button type="submit" className="button" data-testid={`${intent}-button`}>
        {label}
      </button>
    </Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
