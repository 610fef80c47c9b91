import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { RegistrationForm, RegistrationSummary } from "~/components/registration/registration-form.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { dealRegistrationPage } from "~/services/registration/queries.server.ts";
import { submitFromContract } from "~/services/registration/submit.server.ts";
import registrationStyles from "~/components/registration/registration.css";
import listingStyles from "~/styles/listings.css";
import { attempt, errorResponse, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * /deals/:id/registration (issue 15): the seller side (or the buyer side for a technology import)
 * applies to register the deal's signed contract — the form pre-filled from the contract, the
 * listing and both organisations — and then sees where the application stands. Who may see the
 * deal sees the page (others: 404).
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: registrationStyles },
  { rel: "stylesheet", href: contractStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "技术合同认定登记 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  let page: Awaited<ReturnType<typeof dealRegistrationPage>>;
  try {
    page = await dealRegistrationPage(user, params.id ?? "");
  } catch (e) {
    throw errorResponse(e);
  }
  const t = requestT(request);
  return json({ page, pageTitle: pageTitle(t, t("registration.title"), page.listingTitle) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const dealId = params.id ?? "";
  const values = formValues(await readVerifiedForm(request));
  return attempt(
    { intent: "submit", values },
    () => submitFromContract(user, dealId, values),
    () => redirectDone(`/deals/${dealId}/registration`, "submitted"),
  );
}

export default function DealRegistration() {
  const { page } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? null) as Record<string, string> | null;
  const live = page.current && ["submitted", "corrections", "registered"].includes(page.current.status);
  return (
    <div className="trading-page" data-testid="deal-registration-page">
      <p className="breadcrumb">
        <Link to={`/deals/${page.dealId}/contract`}>{t("contracts.title")}</Link>
      </p>
      <h1>
        {t("registration.title")} · {page.listingTitle}
      </h1>
      <DoneNotice ns="registration" />
      {page.current ? (
        <>
          <RegistrationSummary r={page.current} />
          {page.current.status === "corrections" ? (
            <p>
              <Link className="button" to={`/my/registrations/${page.current.id}`} data-testid="corrections-link">
                {t("registration.resubmit")}
              </Link>
            </p>
          ) : null}
        </>
      ) : null}
      {!live && page.side ? (
        page.values ? (
          <>
            <p className="field-hint">{t("registration.intro")}</p>
            <RegistrationForm
              values={typed ?? page.values}
              errors={errors}
              locked={page.locked}
              intent="submit"
              submitLabel={t("registration.submit")}
            />
          </>
        ) : (
          <p className="notice" data-testid="not-signed">
            {t("registration.notSigned")}
          </p>
        )
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
