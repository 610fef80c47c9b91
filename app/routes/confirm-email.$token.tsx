import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import { announceAccessChange } from "~/services/accounts/access-events.server.ts";
import { confirmEmailChange, emailChangeFor } from "~/services/accounts/profile.server.ts";
import { isTokenShaped } from "~/services/accounts/tokens.server.ts";
import { attempt, redirectDone } from "~/web/actions.server.ts";
import { getUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";

/**
 * The link of an email-change mail. Opening it shows what will change; the change is a POST (a
 * mail scanner that fetches the link changes nothing).
 */

export const meta: MetaFunction = () => [{ title: "确认新邮箱 · 成果" }, { name: "referrer", content: "no-referrer" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const email = isTokenShaped(params.token) ? await emailChangeFor(params.token) : null;
  return json({ email }, { status: email ? 200 : 410 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  await readVerifiedForm(request);
  const token = params.token;
  if (!isTokenShaped(token)) throw new Response("Not Found", { status: 404 });
  return attempt(
    { intent: "confirm" },
    () => confirmEmailChange(token),
    async ({ userId }) => {
      announceAccessChange({ kind: "userChanged", userId });
      return redirectDone((await getUser(request)) ? "/account" : "/login", "emailChanged");
    },
  );
}

export default function ConfirmEmailPage() {
  const { email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const navigation = useNavigation();
  const error = resultFor(result, "confirm")?.formError ?? null;
  if (!email) {
    return (
      <div className="form">
        <h1>{t("profile.emailLinkInvalidTitle")}</h1>
        <div className="form-card">
          <p data-testid="email-link-invalid">{t("profile.errors.emailLinkInvalid")}</p>
          <p>
            <Link to="/account">{t("account.title")}</Link>
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="form">
      <h1>{t("profile.confirmEmailTitle")}</h1>
      <Form method="post" className="form-card">
        <AuthenticityTokenInput />
        <p>{t("profile.confirmEmailText", { email })}</p>
        {error ? (
          <div className="form-error">
            <FieldErrors errors={[error]} />
          </div>
        ) : null}
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("profile.confirmEmail")}
        </button>
      </Form>
    </div>
  );
}
