import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { RegistrationSummary } from "~/components/registration/registration-form.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { getRegistration } from "~/services/registration/queries.server.ts";
import { askForCorrections, refuseRegistration, registerContract } from "~/services/registration/review.server.ts";
import registrationStyles from "~/components/registration/registration.css";
import listingStyles from "~/styles/listings.css";
import { REFUSAL_GROUNDS } from "~/utils/registration.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { attempt, errorResponse, intentAction, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/registrations/:id (issue 15): an application's details, the contract file or the
 * platform contract, its history, and the registration point's three answers — register, refuse
 * on a ground with a note, ask for corrections. Bureau users and admins see it (others: 404);
 * only bureau users of another organisation act.
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: registrationStyles },
  { rel: "stylesheet", href: contractStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.view.registration.projectName ?? "认定登记审核"} · 成果` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    if (!can(user, "contract:register") && !hasRole(user, "admin")) throw new NotFoundError();
    return json({ view: await getRegistration(user, params.id ?? "") });
  } catch (e) {
    throw errorResponse(e);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  // Only the bureau acts here; anyone else is refused before the form is read (a 404, as the page).
  if (!can(user, "contract:register") && !hasRole(user, "admin")) throw errorResponse(new NotFoundError());
  const values = formValues(await readVerifiedForm(request));
  const here = `/bureau/registrations/${id}`;
  return intentAction(values, {
    register: () =>
      attempt(
        { intent: "register", values },
        () => registerContract(user, id),
        () => redirectDone(here, "registered"),
      ),
    refuse: () =>
      attempt(
        { intent: "refuse", values },
        () => refuseRegistration(user, id, { ground: values.ground ?? "", note: values.note ?? "" }),
        () => redirectDone(here, "refused"),
      ),
    corrections: () =>
      attempt(
        { intent: "corrections", values },
        () => askForCorrections(user, id, { note: values.note ?? "" }),
        () => redirectDone(here, "corrections"),
      ),
  });
}

export default function BureauRegistration() {
  const { view } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const r = view.registration;
  const errorsOf = (intent: string) => (failure?.intent === intent ? (failure.reply?.error ?? {}) : {}) as Record<string, string[] | null>;
  return (
    <div className="trading-page" data-testid="bureau-registration-page">
      <p className="breadcrumb">
        <Link to="/bureau/registrations">{t("registration.backToQueue")}</Link>
      </p>
      <h1>
        {t("registration.title")} · {r.projectName}
      </h1>
      <DoneNotice ns="registration" />
      {failure && !["register", "refuse", "corrections"].includes(failure.intent) ? (
        <FormErrors errors={failure.reply?.error?.[""]} />
      ) : null}
      <RegistrationSummary r={r} />
      {r.dealId ? (
        <p>
          <Link to={`/deals/${r.dealId}/contract`}>{t("contracts.view")}</Link>
        </p>
      ) : null}
      {r.attachments.length ? (
        <p data-testid="registration-files">
          {t("registration.attachments")}：
          {r.attachments.map((a) => (
            <a key={a.file} href={`/registrations/${r.id}/file/${a.file}`}>
              {a.filename}{" "}
            </a>
          ))}
        </p>
      ) : null}
      {view.ownOrganization ? (
        <p className="notice" data-testid="own-organization">
          {t("registration.ownOrganization")}
        </p>
      ) : null}
      {view.canReview ? (
        <section className="contract-section registration-review" data-testid="review-actions">
          <Form method="post" className="contract-actions">
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="register" />
            <FormErrors errors={errorsOf("register")[""]} />
            <button type="submit" className="button" data-testid="register">
              {t("registration.register")}
            </button>
          </Form>
          <Form method="post" className="contract-actions">
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="corrections" />
            <FormErrors errors={errorsOf("corrections")[""]} />
            <div className="field">
              <label htmlFor="corrections-note">{t("registration.correctionsNote")}</label>
              <textarea id="corrections-note" name="note" rows={3} />
              <FieldErrors errors={errorsOf("corrections").note} />
            </div>
            <button type="submit" className="button button--ghost" data-testid="ask-corrections">
              {t("registration.askCorrections")}
            </button>
          </Form>
          <Form method="post" className="contract-actions">
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="refuse" />
            <FormErrors errors={errorsOf("refuse")[""]} />
            <div className="field">
              <label htmlFor="refuse-ground">{t("registration.ground")}</label>
              <select id="refuse-ground" name="ground" defaultValue="">
                <option value="">—</option>
                {REFUSAL_GROUNDS.map((g) => (
                  <option key={g} value={g}>
                    {t(`registration.grounds.${g}`)}
                  </option>
                ))}
              </select>
              <FieldErrors errors={errorsOf("refuse").ground} />
            </div>
            <div className="field">
              <label htmlFor="refuse-note">{t("registration.note")}</label>
              <textarea id="refuse-note" name="note" rows={3} />
              <FieldErrors errors={errorsOf("refuse").note} />
            </div>
            <button type="submit" className="button button--danger" data-testid="refuse">
              {t("registration.refuse")}
            </button>
          </Form>
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
