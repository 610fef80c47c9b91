import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import type { BuyRequestView } from "~/services/trading/buy-requests/queries.server.ts";
import { confirmBuyRequest, declineBuyRequest, refreshOwnRequest, resumeDeposit } from "~/services/trading/buy-requests/commands.server.ts";
import { myBuyRequests } from "~/services/trading/buy-requests/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import tradingStyles from "~/components/trading/trading.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { DomainError, NotFoundError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refuse } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /my/buy-requests (issue 14, point 8; decision 023): the buyer's buy-now requests and where each
 * stands (waiting for the seller side, deposit held, the deal opened, declined, expired, closed
 * because it sold to someone else), and the requests waiting for the seller side's answer with
 * confirm / decline. The deposit's return page lands here (`?request=…`): the page asks the gateway
 * where the deposit stands and carries the request on before it shows it.
 */

export const meta: MetaFunction = () => [{ title: "立即购买申请 Buy requests · 成果" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const back = new URL(request.url).searchParams.get("request");
  if (back) {
    // Back from the payment page (or the buyer reloads it): where does the deposit stand?
    // Not theirs, or the gateway did not answer now: the page shows where things stand anyway.
    await refreshOwnRequest(user, back).catch((e: unknown) => {
      if (!(e instanceof NotFoundError) && !(e instanceof DomainError)) throw e;
    });
  }
  return json(await loadOrThrow(myBuyRequests(user)));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const values = formValues(await readVerifiedForm(request));
  const target = values.requestId ?? null;
  const origin = new URL(request.url).origin;
  const ctx = { intent: values.intent ?? "", target, values, notFound: "show" as const };
  const needId = () =>
    target && /^[a-f0-9]{24}$/i.test(target) ? null : refuse(400, { ...ctx, fieldErrors: { requestId: ["errors.invalidId"] } });
  return intentAction(values, {
    confirm: async () =>
      needId() ??
      attempt(
        ctx,
        () => confirmBuyRequest(user, target!, { via: "ui" }),
        (dealId) => redirect(`/deals/${dealId}?done=bought`),
      ),
    decline: async () => {
      const bad = needId();
      if (bad) return bad;
      const note = (values.note ?? "").trim();
      if (note.length > 500) return refuse(400, { ...ctx, fieldErrors: { note: ["buyRequests.errors.noteTooLong"] } });
      return attempt(
        ctx,
        () => declineBuyRequest(user, target!, note || null, { via: "ui" }),
        () => redirectDone("/my/buy-requests", "declined", { hash: `request-${target}` }),
      );
    },
    pay: async () =>
      needId() ??
      attempt(
        ctx,
        () =>
          resumeDeposit({ ...user, email: user.email }, target!, {
            successUrl: `${origin}/my/buy-requests?request=${target}&session_id={CHECKOUT_SESSION_ID}`,
            cancelUrl: `${origin}/my/buy-requests?request=${target}&deposit=cancelled`,
          }),
        (url) => redirect(url),
      ),
  });
}

function RequestFacts({ r }: { r: BuyRequestView }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const option =
    r.terms.transactionMode === "license" ? `license.${r.terms.licenseExclusivity ?? "non-exclusive"}` : r.terms.transactionMode;
  return (
    <dl className="facts">
      <div className="facts__row">
        <dt>{t("buyRequests.price")}</dt>
        <dd>
          {money(r.terms.price)} · {t(`prices.options.${option}`)}
        </dd>
      </div>
      <div className="facts__row">
        <dt>{t("buyRequests.way")}</dt>
        <dd>
          {r.way === "deposit"
            ? t("buyRequests.ways.deposit", { amount: money(r.deposit.amount ?? 0) })
            : t("buyRequests.ways.confirm", { until: formatDateTime(r.expiresAt) })}
        </dd>
      </div>
      {r.way === "deposit" ? (
        <div className="facts__row">
          <dt>{t("buyRequests.depositState")}</dt>
          <dd data-testid="deposit-state">{t(`buyRequests.deposit.${r.deposit.status}`)}</dd>
        </div>
      ) : null}
      <div className="facts__row">
        <dt>{t("buyRequests.state")}</dt>
        <dd data-testid="request-state">
          <strong>{t(`buyRequests.status.${r.status}`)}</strong>
          {r.closedReason ? <span className="muted"> · {t(r.closedReason)}</span> : null}
          {r.note ? <span className="muted"> · “{r.note}”</span> : null}
        </dd>
      </div>
    </dl>
  );
}

export default function MyBuyRequests() {
  const { mine, toConfirm } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  return (
    <div className="trading-page" data-testid="buy-requests-page">
      <h1>{t("buyRequests.title")}</h1>
      <p className="muted">{t("buyRequests.intro")}</p>
      <DoneNotice ns="buyRequests" />
      {result && !result.ok && !result.target ? <FieldErrors errors={result.reply.error?.[""] ?? []} /> : null}

      <h2>{t("buyRequests.toConfirmTitle")}</h2>
      {toConfirm.length === 0 ? (
        <p className="muted">{t("buyRequests.noneToConfirm")}</p>
      ) : (
        <ul className="plain-list admin-cards" data-testid="requests-to-confirm">
          {toConfirm.map((r) => {
            const failed = resultFor(result, ["confirm", "decline"], r.id);
            return (
              <li key={r.id} id={`request-${r.id}`} className="admin-card" data-testid={`to-confirm-${r.id}`}>
                <h3 className="admin-card__title">
                  <Link to={`/achievements/${r.listing.id}`}>{r.listing.title}</Link>
                </h3>
                <p className="muted">
                  {t("buyRequests.from", { buyer: r.buyer.name })}
                  {r.buyer.organizationName ? ` · ${r.buyer.organizationName}` : ""}
                </p>
                <RequestFacts r={r} />
                {failed?.formError ? <FieldErrors errors={[failed.formError]} /> : null}
                {r.status === "pending" ? (
                  <div className="trading-actions">
                    <Form method="post">
                      <AuthenticityTokenInput />
                      <input type="hidden" name="requestId" value={r.id} />
                      <button type="submit" name="intent" value="confirm" className="button" data-testid="confirm-request">
                        {t("buyRequests.confirm")}
                      </button>
                    </Form>
                    <Form method="post" className="buy-request-decline">
                      <AuthenticityTokenInput />
                      <input type="hidden" name="requestId" value={r.id} />
                      <label>
                        {t("buyRequests.note")}
                        <input type="text" name="note" maxLength={500} />
                      </label>
                      <FieldErrors errors={failed?.fieldErrors.note ?? []} />
                      <button type="submit" name="intent" value="decline" className="button button--ghost" data-testid="decline-request">
                        {t("buyRequests.decline")}
                      </button>
                    </Form>
                  </div>
                ) : r.dealId ? (
                  <Link to={`/deals/${r.dealId}`}>{t("buyRequests.toDeal")}</Link>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}

      <h2>{t("buyRequests.mineTitle")}</h2>
      {mine.length === 0 ? (
        <p className="muted">{t("buyRequests.noneMine")}</p>
      ) : (
        <ul className="plain-list admin-cards" data-testid="my-requests">
          {mine.map((r) => {
            const failed = resultFor(result, "pay", r.id);
            return (
              <li key={r.id} id={`request-${r.id}`} className="admin-card" data-testid={`mine-${r.id}`}>
                <h3 className="admin-card__title">
                  <Link to={`/achievements/${r.listing.id}`}>{r.listing.title}</Link>
                </h3>
                <p className="muted">{t("buyRequests.seller", { seller: r.seller.name })}</p>
                <RequestFacts r={r} />
                {failed?.formError ? <FieldErrors errors={[failed.formError]} /> : null}
                {r.dealId ? (
                  <Link to={`/deals/${r.dealId}`} data-testid="request-deal">
                    {t("buyRequests.toDeal")}
                  </Link>
                ) : r.status === "pending" && r.way === "deposit" && ["none", "pending", "failed"].includes(r.deposit.status) ? (
                  <Form method="post">
                    <AuthenticityTokenInput />
                    <input type="hidden" name="requestId" value={r.id} />
                    <button type="submit" name="intent" value="pay" className="button">
                      {t("buyRequests.pay")}
                    </button>
                  </Form>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
