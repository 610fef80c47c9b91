import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { AuditLog } from "~/components/listing/audit-log.tsx";
import { Attachments, DetailHeader, Fact, Facts, NoticeLine, NoticePeriod } from "~/components/listing/detail-parts.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { NoticeText, VerifiedMark } from "~/components/listing/admin-marks.tsx";
import { detailAction, loadDetail, requireVisibleListing } from "~/web/listings.server.ts";
import { ManagePanel } from "~/components/listing/manage-panel.tsx";
import { Maturity } from "~/components/listing/maturity.tsx";
import { ModesDisplay } from "~/components/listing/modes.tsx";
import { FileObjectionForm, ObjectionList } from "~/components/listing/objections.tsx";
import { PatentConflicts } from "~/components/listing/patent-conflicts.tsx";
import { ReviewPanel } from "~/components/listing/review-panel.tsx";
import { PriceDisplay, PriceList } from "~/components/listing/price.tsx";
import { severalPrices } from "~/schemas/listing-prices.ts";
import { loadPageMatches } from "~/web/matching.server.ts";
import { isMatchFeedbackIntent, matchFeedbackAction } from "~/web/match-feedback.server.ts";
import { MatchesSection } from "~/components/matching/matches-section.tsx";
import matchingStyles from "~/components/matching/matching.css";
import { TradingPanel } from "~/components/trading/trading-panel.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { tradingSummary } from "~/services/trading/summary.server.ts";
import listingStyles from "~/styles/listings.css";
import { getUser } from "~/web/auth.server.ts";
import type { ActionResult } from "~/schemas/action-result.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: matchingStyles },
  { rel: "stylesheet", href: tradingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  // The matches load beside the item; they never fail the page (Meilisearch down → "匹配暂不可用").
  // The trading panel says what this person may do now (null for an item they may not see: the
  // detail then answers 404).
  const [detail, matches, trading] = await Promise.all([
    loadDetail(request, "achievement", params.id ?? ""),
    loadPageMatches(request, "achievement", params.id ?? ""),
    getUser(request).then((user) => tradingSummary(params.id ?? "", user)),
  ]);
  return json({ ...detail, matches, trading });
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireVisibleListing(request, "achievement", params.id ?? "");
  // 相关 / 不相关 on a matching demand; every other form is the listing's.
  if (await isMatchFeedbackIntent(request)) return matchFeedbackAction(request, "achievement", params.id ?? "");
  return detailAction(request, "achievement", params.id ?? "");
}

export default function AchievementDetail() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData() as ActionResult | undefined;
  const { t } = useTranslation();
  const a = data.item;
  const insider = data.isOwner || data.isReviewer;
  return (
    <article className="listing-detail" data-testid="achievement-detail">
      <p className="breadcrumb">
        <Link to="/achievements">{t("detail.backToAchievements")}</Link>
      </p>
      <DetailHeader
        title={a.title}
        status={a.status}
        noticeEndsAt={data.inNotice ? a.noticeEndsAt : null}
        featured={a.featured}
        kindLabel={t("listing.achievement")}
      />
      <DoneNotice ns="listingUi" />
      <NoticeText text={data.noticeText} />
      {insider ? <NoticeLine status={a.status} rejectionReason={a.rejectionReason} /> : null}
      <PatentConflicts conflicts={data.patentConflicts} audience={data.isOwner ? "owner" : "reviewer"} />
      {data.review ? <ReviewPanel review={data.review} kind="achievement" /> : null}
      <div className="detail-layout">
        <div className="detail-main">
          <p className="detail-summary">{a.summary}</p>
          <Facts>
            <Fact label={t("listingUi.owner")}>
              {a.owner.name} <VerifiedMark verified={data.ownerVerified} />
              {a.owner.type ? <span className="muted"> · {t(`orgTypes.${a.owner.type}`)}</span> : null}
            </Fact>
            <Fact label={t("listingUi.field")}>{t(`listing.fields.${a.field}`)}</Fact>
            <Fact label={t("listingUi.maturity")}>
              <Maturity trl={a.trl} />
            </Fact>
            <Fact label={t("listingUi.ipType")}>{t(`listing.ipTypes.${a.ipType}`)}</Fact>
            {a.patentNumbers.length ? (
              <Fact label={t("listingUi.patentNumbers")}>
                <ul className="plain-list">
                  {a.patentNumbers.map((n) => (
                    <li key={n}>
                      <code>{n}</code>
                    </li>
                  ))}
                </ul>
              </Fact>
            ) : null}
            <Fact label={t("listingUi.modes")}>
              <ModesDisplay modes={a.transactionModes} exclusivity={a.licenseExclusivity} />
            </Fact>
            <Fact label={t("listingUi.price")}>
              <PriceList listing={a} />
            </Fact>
            {a.inventors.length ? (
              <Fact label={t("listingUi.inventors")}>
                {a.inventors
                  .map((i) => (i.share != null ? `${i.name} ${t("listingUi.share", { share: i.share })}` : i.name))
                  .join(t("listingUi.listSeparator"))}
              </Fact>
            ) : null}
            <Fact label={t("listingUi.region")}>{a.regionName}</Fact>
            {a.keywords.length ? (
              <Fact label={t("listingUi.keywords")}>
                {a.keywords.map((k) => (
                  <span key={k} className="badge">
                    {k}
                  </span>
                ))}
              </Fact>
            ) : null}
            <Fact label={t("listingUi.publishedAt")}>
              <NoticePeriod publishedAt={a.publishedAt} noticeEndsAt={a.noticeEndsAt} />
            </Fact>
            {a.source !== "platform" ? (
              <Fact label={t("listingUi.source")}>
                {a.source}
                {a.externalId ? ` · ${a.externalId}` : ""}
              </Fact>
            ) : null}
          </Facts>
          {a.fiscalFunding.funded ? (
            <aside className="fiscal-note" data-testid="fiscal-note">
              <strong>{t("listingUi.fiscalFunding")}</strong>
              {a.fiscalFunding.project ? <span> · {a.fiscalFunding.project}</span> : null}
              <p>{t("listingUi.fiscalDuty")}</p>
            </aside>
          ) : null}
          <section className="detail-section" aria-labelledby="description-title">
            <h2 id="description-title">{t("listingUi.description")}</h2>
            <div className="prose">{a.description}</div>
          </section>
          <Attachments attachments={a.attachments} />
          <MatchesSection kind="achievement" matches={data.matches} result={result} />
        </div>
        <aside className="detail-aside">
          <div className="price-box">
            <span className="muted">{t("listingUi.price")}</span>
            <strong>
              <PriceDisplay price={a.price} from={severalPrices(a.prices)} />
            </strong>
          </div>
          {data.trading ? <TradingPanel summary={data.trading} /> : null}
          <ManagePanel
            kind="achievement"
            id={a.id}
            actions={data.actions}
            canEdit={data.canEdit}
            canFeature={data.canFeature}
            featured={a.featured}
            result={result}
          />
          {!data.loggedIn && data.inNotice ? (
            <p className="muted">
              <Link to={`/login?redirectTo=${encodeURIComponent(`/achievements/${a.id}`)}`}>{t("detail.loginToAct")}</Link>
            </p>
          ) : null}
        </aside>
      </div>
      {data.canObject ? <FileObjectionForm noticeEndsAt={a.noticeEndsAt} result={result} /> : null}
      {insider ? <ObjectionList objections={data.objections} canResolve={data.isReviewer} result={result} /> : null}
      {insider ? <AuditLog entries={data.audit} /> : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
