import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { RegistrationForm } from "~/components/registration/registration-form.tsx";
import { blankValues } from "~/services/registration/queries.server.ts";
import { submitExternal } from "~/services/registration/submit.server.ts";
import registrationStyles from "~/components/registration/registration.css";
import listingStyles from "~/styles/listings.css";
import { ValidationError } from "~/utils/errors.ts";
import { attempt, refusal, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { readRegistrationUpload } from "~/web/registration.server.ts";

/**
 * /registrations/new (issue 15): a technology contract signed outside the platform, submitted for
 * registration with its signed file (PDF or image) and every field typed.
 */
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: registrationStyles },
  { rel: "stylesheet", href: contractStyles },
];

export const meta: MetaFunction = () => [{ title: "登记平台外签订的合同 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return json({ values: blankValues() });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  let post: Awaited<ReturnType<typeof readRegistrationUpload>>;
  try {
    post = await readRegistrationUpload(request);
  } catch (e) {
    if (e instanceof ValidationError) return refusal(e, { intent: "submit" });
    throw e;
  }
  return attempt(
    { intent: "submit", values: post.values },
    () => submitExternal(user, post.values, post.file),
    (id) => redirectDone(`/my/registrations/${id}`, "submitted"),
  );
}

export default function NewRegistration() {
  const { values } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? null) as Record<string, string> | null;
  return (
    <div className="trading-page" data-testid="new-registration-page">
      <p className="breadcrumb">
        <Link to="/my/registrations">{t("registration.mine")}</Link>
      </p>
      <h1>{t("registration.applyExternal")}</h1>
      <p className="field-hint">{t("registration.externalIntro")}</p>
      <RegistrationForm values={typed ?? values} errors={errors} withFile intent="submit" submitLabel={t("registration.submit")} />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
