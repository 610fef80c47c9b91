import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
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
import { reviewerChoices } from "~/services/listings/review.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const reviewer = await requirePermission(request, "listing:review");
  const [queue, reviewers] = await Promise.all([reviewQueue(reviewer), reviewerChoices()]);
  const orgId = reviewer.organization?.id ?? null;
  const t = requestT(request);
  // ?mine=1: only the items assigned to the reviewer.
  const assignedOnly = new URL(request.url).searchParams.get("mine") === "1";
  const assigneeOf = (id: string) => queue.assignees[id] ?? null;
  const shown = (id: string) => !assignedOnly || assigneeOf(id)?.id === reviewer.id;
  const assignedToMe = [...queue.achievements, ...queue.demands].filter((i) => assigneeOf(i.id)?.id === reviewer.id).length;
  return json({
    // A reviewer's own items are listed, but someone else must review them.
    achievements: queue.achievements
      .filter((item) => shown(item.id))
      .map((item) => ({
        item,
        mine: item.createdBy === reviewer.id || (!!orgId && item.owner.id === orgId),
        patentConflicts: queue.patentConflicts[item.id] ?? [],
        assignee: assigneeOf(item.id),
      })),
    demands: queue.demands
      .filter((item) => shown(item.id))
      .map((item) => ({
        item,
        mine: item.createdBy === reviewer.id || (!!orgId && item.enterprise.id === orgId),
        assignee: assigneeOf(item.id),
      })),
    me: reviewer.id,
    reviewers,
    assignedOnly,
    assignedToMe,
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
      <p className="review-filter">
        {data.assignedOnly ? (
          <Link to="/review" data-testid="show-all">
            {t("reviewWork.showAll")}
          </Link>
        ) : (
          <Link to="/review?mine=1" data-testid="assigned-to-me">
            {t("reviewWork.assignedToMe")} <span className="count">{data.assignedToMe}</span>
          </Link>
        )}
      </p>
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
          {data.achievements.map(({ item, mine, patentConflicts, assignee }) => {
            return (
              <QueueItem
                key={item.id}
                kind="achievement"
                id={item.id}
                title={item.title}
                submittedAt={item.submittedAt}
                mine={mine}
                assignee={assignee}
                me={data.me}
                reviewers={data.reviewers}
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
          {data.demands.map(({ item, mine, assignee }) => {
            return (
              <QueueItem
                key={item.id}
                kind="demand"
                id={item.id}
                title={item.title}
                submittedAt={item.submittedAt}
                mine={mine}
                assignee={assignee}
                me={data.me}
                reviewers={data.reviewers}
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

/**
 * One submitted item: what it is, when it came in, who it is assigned to, and the way to review it —
 * its own page (approving happens there, once opened), 退回 here, and assigning it to a reviewer.
 * The reviewer's own items only say that someone else must review them.
 */
function QueueItem(p: {
  kind: "achievement" | "demand";
  id: string;
  title: string;
  submittedAt: string | null;
  mine: boolean;
  assignee: { id: string; name: string } | null;
  me: string;
  reviewers: { id: string; name: string }[];
  result: ActionResult | undefined;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const target = `${p.kind}:${p.id}`;
  const refused = p.result ? resultFor(p.result, p.mine ? p.result.intent : ["approve", "assign"], target) : null;
  const assignedToMe = p.assignee?.id === p.me;
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
        <p data-testid="assignee">
          {p.assignee ? (
            assignedToMe ? (
              <span className="badge badge--featured" data-testid="assigned-to-me-badge">
                {t("reviewWork.assignedToMeBadge")}
              </span>
            ) : (
              t("reviewWork.assignedTo", { name: p.assignee.name })
            )
          ) : (
            <span className="muted">{t("reviewWork.unassigned")}</span>
          )}
        </p>
      </div>
      <div className="queue-item__actions">
        {p.mine ? (
          <p className="callout" data-testid="own-item">
            {t("review.ownItem")}
          </p>
        ) : (
          <>
            <p>
              <Link to={`/${p.kind}s/${p.id}`} className="button" data-testid="open-review">
                {t("reviewWork.openToReview")}
              </Link>
            </p>
            <WorkflowActions
              actions={["reject"]}
              result={p.result}
              target={target}
              hidden={{ kind: p.kind, id: p.id }}
              idPrefix={`${p.kind[0]}-${p.id}`}
              compact
            />
            <AssignForm kind={p.kind} id={p.id} reviewers={p.reviewers} current={p.assignee?.id ?? null} />
          </>
        )}
        {refused ? <FormError message={refused.formError ?? Object.values(refused.fieldErrors).flat()[0]} /> : null}
      </div>
    </li>
  );
}

/** 分配审核: pick a reviewer (a broker or admin) for the item. */
function AssignForm(p: { kind: "achievement" | "demand"; id: string; reviewers: { id: string; name: string }[]; current: string | null }) {
  const { t } = useTranslation();
  const selectId = `assign-${p.kind}-${p.id}`;
  return (
    <Form method="post" className="assign-form" preventScrollReset>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value="assign" />
      <input type="hidden" name="kind" value={p.kind} />
      <input type="hidden" name="id" value={p.id} />
      <label htmlFor={selectId}>{t("reviewWork.assignLabel")}</label>{" "}
      <select id={selectId} name="assignee" defaultValue={p.current ?? ""} data-testid="assign-select">
        <option value="">{t("reviewWork.choose")}</option>
        {p.reviewers.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>{" "}
      <button type="submit" className="button button--ghost button--small" data-testid="assign-submit">
        {t("reviewWork.assign")}
      </button>
    </Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
