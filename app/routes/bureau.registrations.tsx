import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DaysLeft } from "~/components/registration/registration-form.tsx";
import { QUEUE_FILTERS, reviewQueue, type QueueFilter } from "~/services/registration/queries.server.ts";
import registrationStyles from "~/components/registration/registration.css";
import listingStyles from "~/styles/listings.css";
import { formatYuan } from "~/utils/money.ts";
import { groupedNumber } from "~/utils/registration.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";

/**
 * /bureau/registrations (issue 15): the registration point's queue, ordered by the review
 * deadline, with the working days left and overdue ones marked; filters for the other states.
 * Bureau users and admins (others: 404).
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: registrationStyles },
];
export const meta: MetaFunction = () => [{ title: "认定登记审核 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const f = new URL(request.url).searchParams.get("filter") ?? "open";
  const filter: QueueFilter = (QUEUE_FILTERS as readonly string[]).includes(f) ? (f as QueueFilter) : "open";
  return json(await loadOrThrow(reviewQueue(user, filter)));
}

export default function BureauRegistrations() {
  const { items, filter, today } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  return (
    <div data-testid="registration-queue-page">
      <h1>{t("registration.queue")}</h1>
      <nav className="tabs" aria-label={t("registration.queue")}>
        {QUEUE_FILTERS.map((f) => (
          <Link
            key={f}
            to={`?filter=${f}`}
            aria-current={f === filter ? "page" : undefined}
            className={f === filter ? "active" : undefined}
          >
            {t(`registration.filters.${f}`)}
          </Link>
        ))}
        {" · "}
        <Link to="/bureau/settings">{t("registration.settings")}</Link>
      </nav>
      <p className="muted">{today}</p>
      {items.length === 0 ? <p className="muted">{t("registration.none")}</p> : null}
      <ol className="card-list" data-testid="registration-queue">
        {items.map((r) => (
          <li
            key={r.id}
            className={`card${r.overdue ? " card--overdue" : ""}`}
            data-testid="queue-item"
            data-overdue={r.overdue ? "true" : undefined}
          >
            <Link to={`/bureau/registrations/${r.id}`}>{r.projectName}</Link>
            <p>
              {t(`registration.statuses.${r.status}`)} · {r.seller.name} → {r.buyer.name}
              {r.number ? ` · ${groupedNumber(r.number)}` : null}
            </p>
            <p>
              {t("registration.fields.technologyAmount")} {formatYuan(r.technologyAmount, i18n.language)}
              {r.large ? ` · ${t("registration.large")}` : null}
              {r.disputed ? ` · ${t("registration.disputed")}` : null}
            </p>
            {r.dueOn ? (
              <p>
                {t("registration.dueOn")} {r.dueOn} · <DaysLeft r={r} />
              </p>
            ) : null}
            {r.own ? <p className="muted">{t("registration.ownOrganization")}</p> : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
