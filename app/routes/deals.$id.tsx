import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { TermsText } from "~/components/trading/trading-panel.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { ContractFacts, SignatureList } from "~/components/contract/contract-parts.tsx";
import contractStyles from "~/components/contract/contract.css";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { requireUser } from "~/web/auth.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * 成交详情: the listing, both parties, price, terms, how it was reached (buy-now, offer, auction),
 * when, the deposit applied if any — and that the contract comes next. Only the parties (and
 * brokers, the bureau, admins, by the deals service) see it; anyone else gets a 404.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成交详情 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let deal: Awaited<ReturnType<typeof getDeal>>;
  let contract: Awaited<ReturnType<typeof getContractPage>> | null;
  try {
    deal = await getDeal(user, params.id ?? "");
    // The contract: for the parties, their broker, admins and the bureau; other brokers see the deal only.
    contract = await getContractPage(user, deal.id).catch((e: unknown) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    });
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  // The deal room is for the two parties (brokers and the bureau may see the deal, not open its room).
  const isParty = deal.buyer.userId === user.id || (!!user.organization && deal.seller.organizationId === user.organization.id);
  return json({ deal, isParty, contract, pageTitle: pageTitle(t, t("deals.detail.title"), deal.listing.title) });
}

const DONE = ["bought", "accepted"];

export default function DealPage() {
  const { deal: d, isParty, contract } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const done = params.get("done");
  const money = (fen: number) => formatYuan(fen, i18n.language);
  return (
    <div className="trading-page" data-testid="deal-page">
      <p className="breadcrumb">
        <Link to="/deals">{t("deals.detail.backToList")}</Link>
      </p>
      <h1>{t("deals.detail.title")}</h1>
      {done && DONE.includes(done) ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t(`deals.done.${done}`)}
        </p>
      ) : null}
      <dl className="facts trading-summary">
        <div className="facts__row">
          <dt>{t("deals.detail.listing")}</dt>
          <dd>
            <Link to={`/achievements/${d.listing.id}`}>{d.listing.title}</Link>
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("deals.detail.seller")}</dt>
          <dd>{d.seller.name}</dd>
        </div>
        <div className="facts__row">
          <dt>{t("deals.detail.buyer")}</dt>
          <dd>
            {d.buyer.name}
            {d.buyer.organizationName ? <span className="muted"> · {d.buyer.organizationName}</span> : null}
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("deals.detail.price")}</dt>
          <dd>
            <strong className="trading-price" data-testid="deal-price">
              {money(d.price.amount)}
            </strong>
          </dd>
        </div>
        <div className="facts__row">
          <dt>{t("deals.detail.mode")}</dt>
          <dd>
            <TermsText mode={d.terms.transactionMode} exclusivity={d.terms.licenseExclusivity} />
            {d.endsTrading ? null : (
              <p className="muted" data-testid="deal-non-exclusive">
                {t("prices.deal.nonExclusive")}
              </p>
            )}
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
        {d.deposit ? (
          <>
            <div className="facts__row">
              <dt>{t("deals.detail.deposit")}</dt>
              <dd data-testid="deal-deposit">{money(d.deposit.amount)}</dd>
            </div>
            <div className="facts__row">
              <dt>{t("deals.detail.remaining")}</dt>
              <dd>{money(Math.max(0, d.price.amount - d.deposit.amount))}</dd>
            </div>
          </>
        ) : null}
        <div className="facts__row">
          <dt>{t("deals.detail.status")}</dt>
          <dd>{t(`deals.statuses.${d.status}`)}</dd>
        </div>
      </dl>
      {isParty ? (
        <Form method="post" action="/rooms/new" className="trading-chat">
          <AuthenticityTokenInput />
          <input type="hidden" name="from" value="deal" />
          <input type="hidden" name="dealId" value={d.id} />
          <button type="submit" className="button button--ghost" data-testid="open-room">
            {t("rooms.open.enterRoom")}
          </button>
        </Form>
      ) : null}
      {contract ? <ContractSection page={contract} /> : null}
      <aside className="trading-note" data-testid="contract-next">
        <h2>{t("deals.detail.nextStep")}</h2>
        <p>{t("deals.detail.nextStepText")}</p>
        {contract ? (
          <p>
            <Link to={`/deals/${d.id}/cancel`} data-testid="cancel-link">
              {t("settlement.cancel.link")}
            </Link>
          </p>
        ) : null}
      </aside>
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
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
