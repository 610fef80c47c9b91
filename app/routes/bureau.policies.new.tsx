import { type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { PolicyForm } from "~/components/policies/policy-form.tsx";
import { createPolicy } from "~/services/policies/commands.server.ts";
import formStyles from "~/components/listing-form/listing-form.css";
import policyStyles from "~/components/policies/policies.css";
import listingStyles from "~/styles/listings.css";
import { attempt, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { POLICY_FORM_FIELDS } from "~/schemas/policies.ts";

/** /bureau/policies/new — a new policy or notice, saved as a draft (issue 15, point 8). */
export const meta: MetaFunction = () => [{ title: "新建文件 · 政策发布 · 成果" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: policyStyles },
];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "policy:publish");
  return null;
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "policy:publish");
  const values = formValues(await readVerifiedForm(request), POLICY_FORM_FIELDS);
  return attempt(
    { intent: "create", values },
    () => createPolicy(user, values),
    (id) => redirectDone(`/bureau/policies/${id}/edit`, "created"),
  );
}

export default function NewPolicy() {
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  return (
    <div className="policy-desk" data-testid="new-policy-page">
      <p>
        <Link to="/bureau/policies">← {t("policies.bureau.title")}</Link>
      </p>
      <h1>{t("policies.bureau.new")}</h1>
      <p className="muted">{t("policies.bureau.attachAfterSave")}</p>
      <PolicyForm
        intent="create"
        values={(failure?.reply?.initialValue ?? {}) as Record<string, string>}
        errors={(failure?.reply?.error ?? {}) as Record<string, string[] | null>}
        submitLabel={t("policies.bureau.create")}
      />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
