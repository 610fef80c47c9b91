import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { ContractFacts, SignatureList } from "~/components/contract/contract-parts.tsx";
import contractStyles from "~/components/contract/contract.css";
import type { getContractPage } from "~/services/contracts/queries.server.ts";
import { getDealWorkspace, type DealWorkspace } from "~/services/settlement/workspace.server.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import type { DealView } from "~/services/trading/deals/views.ts";
import { BooksCard, StageCard, Timeline } from "~/components/deal/workspace-parts.tsx";
import workspaceStyles from "~/components/deal/workspace.css";
import { TermsList } from "~/components/rooms/room-parts.tsx";
import roomStyles from "~/components/rooms/rooms.css";
import { formatYuan } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 成交详情 as the deal's workspace (issue 14, point 1): the deal's status and signing deadline,
 * both parties, the broker of record and the rooms' brokers, the agreed terms, the contract and
 * its signatures, the payment schedule (due, paid, short / excess / late, paid out, commission and
 * fee per stage), the deal's books and the timeline of every event. For the parties, the deal's
 * brokers, admins and the bureau (read only: no actions); anyone else gets a 404. The query is
 * services/settlement/workspace.server.ts.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
  { rel: "stylesheet", href: roomStyles },
  { rel: "stylesheet", href: workspaceStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成交详情 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let deal: DealView;
  let workspace: DealWorkspace;
  try {
    // The deal's workspace: its parties, their broker(s), admins and the bureau; anyone else 404.
    workspace = await getDealWorkspace(user, params.id ?? "");
    deal = await getDeal(user, workspace.deal.id);
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({
    deal,
    // The deal room is for the two parties (brokers and the bureau may see the deal, not open its room).
    isParty: workspace.isParty,
    contract: workspace.contract,
    workspace,
    // Payouts as this reader may see them (the workspace applies payouts' visibility rule).
    payouts: workspace.stages.flatMap((s) => s.payouts),
    pageTitle: pageTitle(t, t("deals.detail.title"), deal.listing.title),
  });
}

const DONE = ["bought", "accepted"];

export default function DealPage() {
  const { deal: d, isParty, contract, workspace: w } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const wd = w.deal;
  return (
    <div className="trading-page deal-workspace" data-testid="deal-page">
      <p className="breadcrumb">
        <Link to="/deals">{t("deals.detail.backToList")}</Link>
      </p>
      <h1>
        {t("deals.detail.title")} · {wd.listing.title}
      </h1>
      {done && DONE.includes(done) ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t(`deals.done.${done}`)}
        </p>
      ) : null}
      <section className="workspace-card workspace-status" data-testid="deal-state">
        <p>
          <span className={`workspace-badge workspace-badge--${wd.status}`} data-testid="deal-status">
            {t(`deals.statuses.${wd.status}`)}
          </span>{" "}
          <span data-testid="deal-contract-state">{t(`workspace.contractStates.${wd.contractState}`)}</span>
          {" · "}
          <span data-testid="deal-payment-state">{t(`workspace.paymentStates.${wd.paymentState}`)}</span>
        </p>
        {wd.ended ? (
          <p data-testid="deal-ended">
            {wd.ended.at
              ? t(wd.status === "lapsed" ? "workspace.ended.lapsed" : "workspace.ended.cancelled", {
                  at: formatDateTime(wd.ended.at),
                  by: wd.ended.byName ?? t("workspace.system"),
                })
              : t(`deals.statuses.${wd.status}`)}
            {wd.ended.reason ? <span> · {wd.ended.reason}</span> : null}
          </p>
        ) : null}
        {wd.status === "open" && wd.contractState !== "signed" && wd.signBy ? (
          <p data-testid="deal-sign-by">{t("workspace.signBy", { at: formatDateTime(wd.signBy) })}</p>
        ) : null}
        {w.access === "bureau" ? (
          <p className="muted" data-testid="read-only">
            {t("workspace.readOnly")}
          </p>
        ) : null}
      </section>

      <section className="workspace-card" data-testid="deal-parties">
        <h2>{t("workspace.parties")}</h2>
        <dl className="facts trading-summary">
          <div className="facts__row">
            <dt>{t("deals.detail.listing")}</dt>
            <dd>
              <Link to={`/achievements/${d.listing.id}`}>{d.listing.title}</Link>
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t("deals.detail.seller")}</dt>
            <dd data-testid="deal-seller">
              {wd.seller.name}
              {wd.seller.organizationName && wd.seller.organizationName !== wd.seller.name ? (
                <span className="muted"> · {wd.seller.organizationName}</span>
              ) : null}
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t("deals.detail.buyer")}</dt>
            <dd data-testid="deal-buyer">
              {wd.buyer.name}
              {wd.buyer.organizationName ? <span className="muted"> · {wd.buyer.organizationName}</span> : null}
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t("workspace.brokerOfRecord")}</dt>
            <dd data-testid="deal-broker">{wd.broker ? wd.broker.name : <span className="muted">{t("workspace.none")}</span>}</dd>
          </div>
          <div className="facts__row">
            <dt>{t("workspace.roomBrokers")}</dt>
            <dd data-testid="deal-room-brokers">
              {wd.brokers.length ? wd.brokers.map((b) => b.name).join("、") : <span className="muted">{t("workspace.none")}</span>}
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t("deals.detail.source")}</dt>
            <dd>
              {t(`deals.sources.${d.source}`)}
              {d.offerId ? (
                <>
                  {" · "}
                  <Link to={`/offers/${d.offerId}`}>{t("deals.detail.viewOffer")}</Link>
                </>
              ) : null}
              {d.auctionId ? (
                <>
                  {" · "}
                  <Link to={`/auctions/${d.auctionId}`}>{t("deals.detail.viewAuction")}</Link>
                </>
              ) : null}
            </dd>
          </div>
          <div className="facts__row">
            <dt>{t("deals.detail.date")}</dt>
            <dd>
              <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>
            </dd>
          </div>
        </dl>
        {isParty && wd.status === "open" ? (
          <Form method="post" action="/rooms/new" className="trading-chat">
            <AuthenticityTokenInput />
            <input type="hidden" name="from" value="deal" />
            <input type="hidden" name="dealId" value={d.id} />
            <button type="submit" className="button button--ghost" data-testid="open-room">
              {t("rooms.open.enterRoom")}
            </button>
          </Form>
        ) : null}
        {(isParty || w.access === "admin") && (wd.status === "open" || wd.status === "cancelled") ? (
          <p>
            <Link to={`/deals/${d.id}/cancel`} data-testid="cancel-link">
              {t("settlement.cancel.link")}
            </Link>
          </p>
        ) : null}
      </section>

      <section className="workspace-card" data-testid="deal-terms">
        <h2>{t("workspace.terms")}</h2>
        <p>
          <strong className="trading-price" data-testid="deal-price">
            {money(d.price.amount)}
          </strong>
        </p>
        <TermsList terms={wd.terms} />
        {d.endsTrading ? null : (
          <p className="muted" data-testid="deal-non-exclusive">
            {t("prices.deal.nonExclusive")}
          </p>
        )}
        {d.deposit ? (
          <dl className="facts">
            <div className="facts__row">
              <dt>{t("deals.detail.deposit")}</dt>
              <dd data-testid="deal-deposit">{money(d.deposit.amount)}</dd>
            </div>
            <div className="facts__row">
              <dt>{t("deals.detail.remaining")}</dt>
              <dd>{money(Math.max(0, d.price.amount - d.deposit.amount))}</dd>
            </div>
          </dl>
        ) : null}
      </section>

      {contract ? <ContractSection page={contract} /> : null}

      <section className="workspace-card" data-testid="deal-schedule">
        <h2>{t("workspace.schedule")}</h2>
        {w.stages.length ? (
          <>
            <dl className="facts" data-testid="schedule-totals">
              <div className="facts__row">
                <dt>{t("workspace.totals.due")}</dt>
                <dd>{money(w.totals.dueFen)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("workspace.totals.paid")}</dt>
                <dd data-testid="total-paid">{money(w.totals.paidFen)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("workspace.totals.paidOut")}</dt>
                <dd data-testid="total-paid-out">{money(w.totals.paidOutFen)}</dd>
              </div>
              <div className="facts__row">
                <dt>{t("workspace.totals.commission")}</dt>
                <dd>
                  {money(w.totals.commissionFen)}
                  {wd.commissionBps != null ? (
                    <span className="muted"> · {t("workspace.rate", { percent: (wd.commissionBps / 100).toString() })}</span>
                  ) : null}
                </dd>
              </div>
              <div className="facts__row">
                <dt>{t("workspace.totals.fee")}</dt>
                <dd>
                  {money(w.totals.feeFen)}
                  {wd.feeBps != null ? (
                    <span className="muted"> · {t("workspace.rate", { percent: (wd.feeBps / 100).toString() })}</span>
                  ) : null}
                </dd>
              </div>
            </dl>
            <ol className="workspace-stages">
              {w.stages.map((s) => (
                <StageCard key={s.id} s={s} dealId={wd.id} />
              ))}
            </ol>
          </>
        ) : (
          <p className="muted" data-testid="schedule-none">
            {t(wd.contractState === "signed" ? "workspace.scheduleEmpty" : "workspace.scheduleAfterSigning")}
          </p>
        )}
      </section>

      <BooksCard books={w.books} />
      <Timeline entries={w.timeline} />

      {wd.status === "open" && wd.contractState !== "signed" ? (
        <aside className="trading-note" data-testid="contract-next">
          <h2>{t("deals.detail.nextStep")}</h2>
          <p>{t("deals.detail.nextStepText")}</p>
        </aside>
      ) : null}
    </div>
  );
}

function ContractSection({ page }: { page: Awaited<ReturnType<typeof getContractPage>> }) {
  const { t } = useTranslation();
  const c = page.contract;
  const base = `/deals/${page.dealId}/contract`;
  return (
    <section className="contract-section" data-testid="deal-contract">
      <h2>{t("contracts.section")}</h2>
      {c ? (
        <>
          <ContractFacts c={c} />
          <p className="muted">
            {t("contracts.versionLine", {
              n: c.version,
              author: c.versions[c.versions.length - 1]?.authorName ?? "",
              at: formatDateTime(c.versions[c.versions.length - 1]?.at ?? c.signedAt ?? ""),
            })}
          </p>
          <SignatureList signatures={c.signatures} voided={c.voidedSignatures} />
        </>
      ) : (
        <p data-testid="contract-none">{t("contracts.none")}</p>
      )}
      <p className="contract-actions">
        {c ? (
          <Link className="button button--ghost" to={base} data-testid="contract-view-link">
            {t("contracts.view")}
          </Link>
        ) : null}
        {page.canEdit ? (
          <Link className="button button--ghost" to={`${base}/edit`} data-testid="contract-edit-link">
            {c ? t("contracts.edit") : t("contracts.draft")}
          </Link>
        ) : null}
        {page.signAs ? (
          <Link className="button" to={`${base}#sign`} data-testid="contract-sign-link">
            {t("contracts.sign")}
          </Link>
        ) : null}
        {c ? (
          <Link className="button button--ghost" to={`${base}/print`} data-testid="contract-print-link">
            {t("contracts.print")}
          </Link>
        ) : null}
        {c?.status === "signed" ? (
          <Link className="button" to={`/deals/${page.dealId}/stages`} data-testid="stages-link">
            {t("settlement.stagesTitle")}
          </Link>
        ) : null}
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
