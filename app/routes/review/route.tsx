import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { WorkflowActions } from "~/components/listing/action-forms.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Maturity } from "~/components/listing/maturity.tsx";
import { FormError } from "~/components/listing/messages.tsx";
import { ResolveObjectionForm } from "~/components/listing/objections.tsx";
import { PatentConflicts } from "~/components/listing/patent-conflicts.tsx";
import { BudgetDisplay, PriceDisplay } from "~/components/listing/price.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { reviewQueue } from "~/services/listings/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const reviewer = await requirePermission(request, "listing:review");
  const queue = await reviewQueue(reviewer);
  const orgId = reviewer.organization?.id ?? null;
  const t = requestT(request);
  return json({
    // A reviewer's own items are listed, but someone else must review them.
    achievements: queue.achievements.map((item) => ({
      item,
      mine: item.createdBy === reviewer.id || (!!orgId && item.owner.id === orgId),
      patentConflicts: queue.patentConflicts[item.id] ?? [],
    })),
    demands: queue.demands.map((item) => ({ item, mine: item.createdBy === reviewer.id || (!!orgId && item.enterprise.id === orgId) })),
    objections: queue.objections.map((o) => ({ ...o, title: o.subjectTitle || null })),
    pageTitle: pageTitle(t, t("review.title")),
  });
}

export { action } from "./action.server.ts";

export default function ReviewQueue() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData() as ActionResult | undefined;
  const { t } = useTranslation();
  return (
    <div className="review-queue">
      <h1>{t("review.title")}</h1>
      <p className="muted">{t("review.intro")}</p>
      <DoneNotice ns="listingUi" />
      <nav className="review-summary" aria-label={t("review.summary")}>
        <a href="#queue-achievements">
          {t("review.achievementsTitle")} <span className="count">{data.achievements.length}</span>
        </a>
        <a href="#queue-demands">
          {t("review.demandsTitle")} <span className="count">{data.demands.length}</span>
        </a>
        <a href="#queue-objections">
          {t("review.objectionsTitle")} <span className="count">{data.objections.length}</span>
        </a>
      </nav>

      <section aria-labelledby="queue-achievements">
        <h2 id="queue-achievements">
          {t("review.achievementsTitle")} <small className="muted">{data.achievements.length}</small>
        </h2>
        {data.achievements.length === 0 ? <p className="empty-state">{t("review.empty")}</p> : null}
        <ol className="queue-list">
          {data.achievements.map(({ item, mine, patentConflicts }) => {
            return (
              <QueueItem
                key={item.id}
                kind="achievement"
                id={item.id}
                title={item.title}
                submittedAt={item.submittedAt}
                mine={mine}
                result={result}
              >
                <p className="muted">
                  {item.owner.name}
                  {item.owner.type ? ` · ${t(`orgTypes.${item.owner.type}`)}` : ""} · {t(`listing.fields.${item.field}`)} ·{" "}
                  <Maturity trl={item.trl} /> · <PriceDisplay price={item.price} />
                </p>
                <p className="queue-item__summary">{item.summary}</p>
                <PatentConflicts conflicts={patentConflicts} audience="reviewer" />
              </QueueItem>
            );
          })}
        </ol>
      </section>

      <section aria-labelledby="queue-demands">
        <h2 id="queue-demands">
          {t("review.demandsTitle")} <small className="muted">{data.demands.length}</small>
        </h2>
        {data.demands.length === 0 ? <p className="empty-state">{t("review.empty")}</p> : null}
        <ol className="queue-list">
          {data.demands.map(({ item, mine }) => {
            return (
              <QueueItem
                key={item.id}
                kind="demand"
                id={item.id}
                title={item.title}
                submittedAt={item.submittedAt}
                mine={mine}
                result={result}
              >
                <p className="muted">
                  {item.enterprise.name} · {t(`listing.fields.${item.field}`)} · {t("listingUi.budget")}{" "}
                  <BudgetDisplay budget={item.budget} />
                  {item.deadline ? ` · ${t("listingUi.deadline")} ${formatDate(item.deadline)}` : ""}
                </p>
              </QueueItem>
            );
          })}
        </ol>
      </section>

      <section aria-labelledby="queue-objections">
        <h2 id="queue-objections">
          {t("review.objectionsTitle")} <small className="muted">{data.objections.length}</small>
        </h2>
        {data.objections.length === 0 ? <p className="empty-state">{t("review.emptyObjections")}</p> : null}
        <ol className="queue-list">
          {data.objections.map((o) => (
            <li key={o.id} className="queue-item" data-testid={`objection-${o.id}`}>
              <div className="queue-item__body">
                <h3>
                  <Link to={`/${o.kind}s/${o.subjectId}`}>{o.title ?? t("review.objectedItem")}</Link>{" "}
                  <small className="muted">{t(`listing.${o.kind}`)}</small>
                </h3>
                <p className="muted">
                  {t("detail.objectionBy", { name: o.byName })} <time dateTime={o.createdAt}>{formatDateTime(o.createdAt)}</time>
                </p>
                <blockquote className="objection__text">{o.text}</blockquote>
              </div>
              <div className="queue-item__actions">
                <ResolveObjectionForm objectionId={o.id} result={result} />
              </div>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

/** One submitted item: what it is, when it came in, and approve / reject (unless it is the reviewer's own). */
function QueueItem(p: {
  kind: "achievement" | "demand";
  id: string;
  title: string;
  submittedAt: string | null;
  mine: boolean;
  result: ActionResult | undefined;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const target = `${p.kind}:${p.id}`;
  const ownRefused = p.mine && p.result ? resultFor(p.result, p.result.intent, target) : null;
  return (
    <li className="queue-item" data-testid={`queue-${target}`}>
      <div className="queue-item__body">
        <h3>
          <Link to={`/${p.kind}s/${p.id}`}>{p.title}</Link>
        </h3>
        {p.children}
        <p className="muted">
          {t("review.submittedAt")} <time dateTime={p.submittedAt ?? ""}>{formatDateTime(p.submittedAt)}</time>
        </p>
      </div>
      <div className="queue-item__actions">
        {p.mine ? (
          <p className="callout" data-testid="own-item">
            {t("review.ownItem")}
          </p>
        ) : (
          <WorkflowActions
            actions={["approve", "reject"]}
            result={p.result}
            target={target}
            hidden={{ kind: p.kind, id: p.id }}
            idPrefix={`${p.kind[0]}-${p.id}`}
            compact
          />
        )}
        {ownRefused ? <FormError message={ownRefused.formError ?? Object.values(ownRefused.fieldErrors).flat()[0]} /> : null}
      </div>
    </li>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
