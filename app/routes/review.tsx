import { json, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { WorkflowActions } from "~/components/listing/action-forms.tsx";
import { DoneNotice } from "~/components/listing/done-notice.tsx";
import { formatDate, formatDateTime } from "~/components/listing/format.ts";
import { badInput, failureResponse, pageTitle, requestT, typedValues } from "~/components/listing/listing-route.server.ts";
import { Maturity } from "~/components/listing/maturity.tsx";
import { FormError } from "~/components/listing/messages.tsx";
import { ResolveObjectionForm } from "~/components/listing/objections.tsx";
import { BudgetDisplay, PriceDisplay } from "~/components/listing/price.tsx";
import { LISTING_KINDS, type ListingKind } from "~/schemas/listing.ts";
import { getListing, resolveObjection, reviewQueue, transitionListing } from "~/services/listings.server.ts";
import { requirePermission } from "~/utils/auth.server.ts";
import { readVerifiedForm } from "~/utils/csrf.server.ts";
import listingStyles from "~/styles/listings.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "成果" }];

/** How many objected items get their title looked up (the queue itself carries only the id). */
const TITLE_LOOKUPS = 50;

export async function loader({ request }: LoaderFunctionArgs) {
  const reviewer = await requirePermission(request, "listing:review");
  const queue = await reviewQueue(reviewer);
  const subjects = [...new Set(queue.objections.map((o) => `${o.kind}:${o.subjectId}`))].slice(0, TITLE_LOOKUPS);
  const titles = new Map(
    await Promise.all(
      subjects.map(async (key) => {
        const [kind, id] = key.split(":") as [ListingKind, string];
        const title = await getListing(reviewer, kind, id).then(
          (d) => d.item.title,
          () => null,
        );
        return [key, title] as const;
      }),
    ),
  );
  const orgId = reviewer.organization?.id ?? null;
  const t = requestT(request);
  return json({
    // A reviewer's own organisation's items are listed, but someone else must review them.
    achievements: queue.achievements.map((item) => ({ item, mine: !!orgId && item.owner.id === orgId })),
    demands: queue.demands.map((item) => ({ item, mine: !!orgId && item.enterprise.id === orgId })),
    objections: queue.objections.map((o) => ({ ...o, title: titles.get(`${o.kind}:${o.subjectId}`) ?? null })),
    pageTitle: pageTitle(t, t("review.title")),
  });
}

const ReviewIntentSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.enum(["approve", "reject"]),
    kind: z.enum(LISTING_KINDS),
    id: z.string().min(1).max(64),
    reason: z.string().max(2000).optional(),
  }),
  z.object({
    intent: z.literal("resolveObjection"),
    objectionId: z.string().min(1).max(64),
    decision: z.enum(["uphold", "dismiss"]),
    resolution: z.string().max(2000).default(""),
  }),
]);

export async function action({ request }: ActionFunctionArgs) {
  const reviewer = await requirePermission(request, "listing:review");
  const form = await readVerifiedForm(request);
  const raw = Object.fromEntries([...form].filter(([, v]) => typeof v === "string")) as Record<string, string>;
  const values = typedValues(form, ["reason", "resolution"]);
  const intent = raw.intent ?? "";
  const target = intent === "resolveObjection" ? (raw.objectionId ?? null) : `${raw.kind}:${raw.id}`;
  const parsed = ReviewIntentSchema.safeParse(raw);
  if (!parsed.success) return badInput(intent, target, values);
  const input = parsed.data;
  try {
    if (input.intent === "resolveObjection") {
      await resolveObjection(reviewer, input.objectionId, { uphold: input.decision === "uphold", resolution: input.resolution });
    } else {
      await transitionListing(reviewer, input.kind, input.id, input.intent, { reason: input.reason ?? null, via: "ui" });
    }
  } catch (e) {
    // The queue stays on screen with the message next to the form (a vanished item included).
    return failureResponse(e, { intent, target, values }, "show");
  }
  const done = input.intent === "resolveObjection" ? (input.decision === "uphold" ? "objectionUpheld" : "objectionDismissed") : input.intent;
  return redirect(`/review?done=${done}`);
}

export default function ReviewQueue() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="review-queue">
      <h1>{t("review.title")}</h1>
      <p className="muted">{t("review.intro")}</p>
      <DoneNotice />
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
          {data.achievements.map(({ item, mine }) => {
            const target = `achievement:${item.id}`;
            return (
              <li key={item.id} className="queue-item" data-testid={`queue-${target}`}>
                <div className="queue-item__body">
                  <h3>
                    <Link to={`/achievements/${item.id}`}>{item.title}</Link>
                  </h3>
                  <p className="muted">
                    {item.owner.name}
                    {item.owner.type ? ` · ${t(`orgTypes.${item.owner.type}`)}` : ""} · {t(`listing.fields.${item.field}`)} ·{" "}
                    <Maturity trl={item.trl} /> · <PriceDisplay price={item.price} />
                  </p>
                  <p className="queue-item__summary">{item.summary}</p>
                  <p className="muted">
                    {t("review.submittedAt")} <time dateTime={item.submittedAt ?? ""}>{formatDateTime(item.submittedAt)}</time>
                  </p>
                </div>
                <div className="queue-item__actions">
                  {mine ? (
                    <p className="callout" data-testid="own-item">
                      {t("review.ownItem")}
                    </p>
                  ) : (
                    <WorkflowActions
                      actions={["approve", "reject"]}
                      result={result}
                      target={target}
                      hidden={{ kind: "achievement", id: item.id }}
                      idPrefix={`a-${item.id}`}
                      compact
                    />
                  )}
                  {mine && result && result.target === target ? <FormError message={result.formError ?? Object.values(result.fieldErrors).flat()[0]} /> : null}
                </div>
              </li>
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
            const target = `demand:${item.id}`;
            return (
              <li key={item.id} className="queue-item" data-testid={`queue-${target}`}>
                <div className="queue-item__body">
                  <h3>
                    <Link to={`/demands/${item.id}`}>{item.title}</Link>
                  </h3>
                  <p className="muted">
                    {item.enterprise.name} · {t(`listing.fields.${item.field}`)} · {t("listingUi.budget")} <BudgetDisplay budget={item.budget} />
                    {item.deadline ? ` · ${t("listingUi.deadline")} ${formatDate(item.deadline)}` : ""}
                  </p>
                  <p className="muted">
                    {t("review.submittedAt")} <time dateTime={item.submittedAt ?? ""}>{formatDateTime(item.submittedAt)}</time>
                  </p>
                </div>
                <div className="queue-item__actions">
                  {mine ? (
                    <p className="callout" data-testid="own-item">
                      {t("review.ownItem")}
                    </p>
                  ) : (
                    <WorkflowActions
                      actions={["approve", "reject"]}
                      result={result}
                      target={target}
                      hidden={{ kind: "demand", id: item.id }}
                      idPrefix={`d-${item.id}`}
                      compact
                    />
                  )}
                  {mine && result && result.target === target ? <FormError message={result.formError ?? Object.values(result.fieldErrors).flat()[0]} /> : null}
                </div>
              </li>
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

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
