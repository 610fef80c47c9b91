import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DaysLeft } from "~/components/registration/registration-form.tsx";
import { myRegistrations } from "~/services/registration/queries.server.ts";
import registrationStyles from "~/components/registration/registration.css";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";
import { groupedNumber } from "~/utils/registration.ts";
import { requireUser } from "~/web/auth.server.ts";

/** /my/registrations (issue 15): the applicant's registration applications and where each stands. */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: registrationStyles },
];
export const meta: MetaFunction = () => [{ title: "我的登记申请 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return json({ items: await myRegistrations(user) });
}

export default function MyRegistrations() {
  const { items } = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation();
  return (
    <div data-testid="my-registrations-page">
      <h1>{t("registration.mine")}</h1>
      <p>
        <Link className="button button--ghost" to="/registrations/new">
          {t("registration.applyExternal")}
        </Link>
      </p>
      {items.length === 0 ? <p className="muted">{t("registration.none")}</p> : null}
      <ul className="card-list" data-testid="registration-list">
        {items.map((r) => (
          <li key={r.id} className="card">
            <Link to={`/my/registrations/${r.id}`}>{r.projectName}</Link>
            <p>
              {t(`registration.statuses.${r.status}`)} · {t(`registration.sources.${r.source}`)} · {formatDate(r.submittedAt)}
              {r.number ? ` · ${t("registration.number")} ${groupedNumber(r.number)}` : null}
            </p>
            <p>
              {t("registration.fields.contractAmount")} {formatYuan(r.contractAmount, i18n.language)} ·{" "}
              {t("registration.fields.technologyAmount")} {formatYuan(r.technologyAmount, i18n.language)} <DaysLeft r={r} />
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
