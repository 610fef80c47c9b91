import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { RegistrationForm, RegistrationSummary } from "~/components/registration/registration-form.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { getRegistration } from "~/services/registration/queries.server.ts";
import { resubmitRegistration } from "~/services/registration/submit.server.ts";
import registrationStyles from "~/components/registration/registration.css";
import listingStyles from "~/styles/listings.css";
import { ValidationError } from "~/utils/errors.ts";
import { attempt, errorResponse, redirectDone, refusal, type ActionFailure } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { readRegistrationUpload } from "~/web/registration.server.ts";

/**
 * /my/registrations/:id (issue 15): the applicant's application — its state, the clock, the
 * number once registered, the history — and, when the registration point asked for corrections,
 * the form to correct and resubmit (the clock restarts that day).
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: registrationStyles },
  { rel: "stylesheet", href: contractStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.view.registration.projectName ?? "技术合同认定登记"} · 成果` },
];

const LOCKED = ["category", "subCategory", "contractAmount", "nonTechItems", "technologyAmount", "signedOn"];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    return json({ view: await getRegistration(user, params.id ?? "") });
  } catch (e) {
    throw errorResponse(e);
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = params.id ?? "";
  let post: Awaited<ReturnType<typeof readRegistrationUpload>>;
  try {
    post = await readRegistrationUpload(request);
  } catch (e) {
    if (e instanceof ValidationError) return refusal(e, { intent: "resubmit" });
    throw e;
  }
  return attempt(
    { intent: "resubmit", values: post.values },
    () => resubmitRegistration(user, id, post.values, post.file),
    () => redirectDone(`/my/registrations/${id}`, "resubmitted"),
  );
}

export default function MyRegistration() {
  const { view } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const r = view.registration;
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? null) as Record<string, string> | null;
  return (
    <div className="trading-page" data-testid="my-registration-page">
      <p className="breadcrumb">
        <Link to="/my/registrations">{t("registration.mine")}</Link>
        {r.dealId ? (
          <>
            {" · "}
            <Link to={`/deals/${r.dealId}/contract`}>{t("contracts.title")}</Link>
          </>
        ) : null}
      </p>
      <h1>
        {t("registration.title")} · {r.projectName}
      </h1>
      <DoneNotice ns="registration" />
      <RegistrationSummary r={r} />
      {view.canResubmit ? (
        <section data-testid="corrections-form">
          <h2>{t("registration.resubmit")}</h2>
          <RegistrationForm
            values={typed ?? view.values}
            errors={errors}
            locked={r.source === "platform" ? LOCKED : []}
            withFile={r.source === "external"}
            allowImport={r.source === "external"}
            intent="resubmit"
            submitLabel={t("registration.resubmit")}
          />
        </section>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
