import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { AuditLog } from "~/components/listing/audit-log.tsx";
import { Attachments, DetailHeader, Fact, Facts, NoticeLine, NoticePeriod } from "~/components/listing/detail-parts.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { ReviewPanel } from "~/components/listing/review-panel.tsx";
import { NoticeText, VerifiedMark } from "~/components/listing/admin-marks.tsx";
import { detailAction, loadDetail, requireVisibleListing } from "~/web/listings.server.ts";
import { ManagePanel } from "~/components/listing/manage-panel.tsx";
import { Maturity } from "~/components/listing/maturity.tsx";
import { ModesDisplay } from "~/components/listing/modes.tsx";
import { FileObjectionForm, ObjectionList } from "~/components/listing/objections.tsx";
import { BudgetDisplay } from "~/components/listing/price.tsx";
import { loadPageMatches } from "~/web/matching.server.ts";
import { isMatchFeedbackIntent, matchFeedbackAction } from "~/web/match-feedback.server.ts";
import { isRecommendationIntent, loadRecommendations, recommendationAction } from "~/web/recommendations.server.ts";
import { RecommendationsSection, RecommendForm, SolvedNote, SolveForm } from "~/components/recommendations/recommendations.tsx";
import { MatchesSection } from "~/components/matching/matches-section.tsx";
import matchingStyles from "~/components/matching/matching.css";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import type { ActionResult } from "~/schemas/action-result.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: matchingStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  // The matches load beside the item; they never fail the page (Meilisearch down → "匹配暂不可用").
  const [detail, matches, recommendations] = await Promise.all([
    loadDetail(request, "demand", params.id ?? ""),
    loadPageMatches(request, "demand", params.id ?? ""),
    loadRecommendations(request, params.id ?? ""),
  ]);
  // 标记为已解决 has its own form (SolveForm), which can name what solved the demand.
  const canSolve = detail.actions.includes("solve");
  return json({ ...detail, actions: detail.actions.filter((a) => a !== "solve"), canSolve, matches, recommendations });
}

export async function action({ request, params }: ActionFunctionArgs) {
  await requireVisibleListing(request, "demand", params.id ?? "");
  // 推荐我的成果 and 标记为已解决 have their own glue; every other form is the listing's.
  if (await isRecommendationIntent(request)) return recommendationAction(request, params.id ?? "");
  // 相关 / 不相关 on a match.
  if (await isMatchFeedbackIntent(request)) return matchFeedbackAction(request, "demand", params.id ?? "");
  return detailAction(request, "demand", params.id ?? "");
}

export default function DemandDetail() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData() as ActionResult | undefined;
  const { t } = useTranslation();
  const d = data.item;
  const insider = data.isOwner || data.isReviewer;
  return (
    <article className="listing-detail" data-testid="demand-detail">
      <p className="breadcrumb">
        <Link to="/demands">{t("detail.backToDemands")}</Link>
      </p>
      <DetailHeader
        title={d.title}
        status={d.status}
        noticeEndsAt={data.inNotice ? d.noticeEndsAt : null}
        featured={d.featured}
        kindLabel={t("listing.demand")}
      />
      <DoneNotice ns="listingUi" />
      <NoticeText text={data.noticeText} />
      {insider ? <NoticeLine status={d.status} rejectionReason={d.rejectionReason} /> : null}
      {data.review ? <ReviewPanel review={data.review} kind="demand" /> : null}
      <div className="detail-layout">
        <div className="detail-main">
          <Facts>
            <Fact label={t("listingUi.enterprise")}>
              {d.enterprise.name} <VerifiedMark verified={data.ownerVerified} />
            </Fact>
            <Fact label={t("listingUi.field")}>{t(`listing.fields.${d.field}`)}</Fact>
            <Fact label={t("listingUi.budget")}>
              <BudgetDisplay budget={d.budget} />
            </Fact>
            <Fact label={t("listingUi.acceptableModes")}>
              <ModesDisplay modes={d.transactionModes} />
            </Fact>
            <Fact label={t("listingUi.minTrl")}>{d.minTrl ? <Maturity trl={d.minTrl} /> : t("listingUi.anyTrl")}</Fact>
            <Fact label={t("listingUi.deadline")}>
              {d.deadline ? <time dateTime={d.deadline}>{formatDate(d.deadline)}</time> : t("listingUi.noDeadline")}
            </Fact>
            <Fact label={t("listingUi.region")}>{d.regionName}</Fact>
            {d.keywords.length ? (
              <Fact label={t("listingUi.keywords")}>
                {d.keywords.map((k) => (
                  <span key={k} className="badge">
                    {k}
                  </span>
                ))}
              </Fact>
            ) : null}
            <Fact label={t("listingUi.publishedAt")}>
              <NoticePeriod publishedAt={d.publishedAt} noticeEndsAt={d.noticeEndsAt} />
            </Fact>
            {d.source !== "platform" ? (
              <Fact label={t("listingUi.source")}>
                {d.source}
                {d.externalId ? ` · ${d.externalId}` : ""}
              </Fact>
            ) : null}
          </Facts>
          <section className="detail-section" aria-labelledby="description-title">
            <h2 id="description-title">{t("listingUi.demandDescription")}</h2>
            <div className="prose">{d.description}</div>
          </section>
          <Attachments attachments={d.attachments} />
          {d.status === "solved" ? (
            <SolvedNote solution={d.solution} />
          ) : (
            <MatchesSection
              kind="demand"
              matches={data.matches}
              negotiate={data.isOwner ? { demandId: d.id } : undefined}
              result={result}
            />
          )}
          {data.recommendations.all ? <RecommendationsSection items={data.recommendations.all} /> : null}
          {data.recommendations.panel ? (
            <RecommendForm panel={data.recommendations.panel} broker={data.recommendations.broker} result={result} />
          ) : null}
        </div>
        <aside className="detail-aside">
          <div className="price-box">
            <span className="muted">{t("listingUi.budget")}</span>
            <strong>
              <BudgetDisplay budget={d.budget} />
            </strong>
          </div>
          <ManagePanel
            kind="demand"
            id={d.id}
            actions={data.actions}
            canEdit={data.canEdit}
            canFeature={data.canFeature}
            featured={d.featured}
            result={result}
          />
          {data.canSolve ? <SolveForm options={data.recommendations.solutions} result={result} /> : null}
          {!data.loggedIn && data.inNotice ? (
            <p className="muted">
              <Link to={`/login?redirectTo=${encodeURIComponent(`/demands/${d.id}`)}`}>{t("detail.loginToAct")}</Link>
            </p>
          ) : null}
        </aside>
      </div>
      {data.canObject ? <FileObjectionForm noticeEndsAt={d.noticeEndsAt} result={result} /> : null}
      {insider ? <ObjectionList objections={data.objections} canResolve={data.isReviewer} result={result} /> : null}
      {insider ? <AuditLog entries={data.audit} /> : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
