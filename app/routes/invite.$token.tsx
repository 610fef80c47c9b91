import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import { InviteRegisterSchema } from "~/schemas/membership.ts";
import { createSession, hashPassword } from "~/services/accounts/accounts.server.ts";
import { acceptInvitation, invitationFor, registerByInvitation } from "~/services/accounts/membership.server.ts";
import { hashToken, isTokenShaped } from "~/services/accounts/tokens.server.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { SELF_SERVICE_ROLES } from "~/utils/permissions.ts";
import { consumeRegistrationAttempt } from "~/utils/rate-limit.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { attempt, intentAction, invalid, redirectDone, refuse, refusalHeaders } from "~/web/actions.server.ts";
import { getUser, requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * An invitation link (a mail's, or one an org admin shared): a new person registers straight into
 * the organisation; a signed-in person without an organisation accepts it.
 */

export const meta: MetaFunction = () => [{ title: "加入机构 · 成果" }, { name: "referrer", content: "no-referrer" }];

export const headers = refusalHeaders;

async function invitationOf(token: string | undefined) {
  return isTokenShaped(token) ? invitationFor(hashToken(token)) : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const [invitation, user] = await Promise.all([invitationOf(params.token), getUser(request)]);
  return json(
    { invitation, user: user ? { name: user.name, organization: user.organization?.name ?? null } : null },
    { status: invitation ? 200 : 410 },
  );
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await readVerifiedForm(request);
  const token = params.token;
  if (!isTokenShaped(token)) throw new Response("Not Found", { status: 404 });
  const tokenHash = hashToken(token);
  return intentAction(formValues(formData), {
    register: async () => {
      const submission = parseWithZod(formData, { schema: InviteRegisterSchema });
      const form = { intent: "register", submission, hideFields: ["password", "confirmPassword"] };
      if (submission.status !== "success") return invalid(submission, form);
      if (await getUser(request)) return refuse(409, { ...form, formError: "membership.errors.alreadyInOrganization" });
      return attempt(
        form,
        async () => {
          await consumeRegistrationAttempt(context.clientIp ?? "unknown");
          const userId = await registerByInvitation(tokenHash, submission.value, await hashPassword(submission.value.password));
          const storage = sessionStorage();
          const session = await storage.getSession(request.headers.get("Cookie"));
          session.set(SESSION_ID_KEY, await createSession(userId, request.headers.get("user-agent")));
          return storage.commitSession(session);
        },
        (cookie) => redirect("/account?welcome=1", { headers: { "Set-Cookie": cookie } }),
      );
    },
    accept: async () => {
      const user = await requireUser(request);
      return attempt(
        { intent: "accept" },
        () => acceptInvitation(actorOf(user), tokenHash),
        () => redirectDone("/account/organization", "joined"),
      );
    },
  });
}

export default function InvitePage() {
  const { invitation, user } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const location = useLocation();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "invite-register",
    lastResult: resultFor(result, "register")?.reply,
    constraint: getZodConstraint(InviteRegisterSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: InviteRegisterSchema }),
    shouldRevalidate: "onInput",
    defaultValue: { email: invitation?.email ?? "", roles: ["buyer"] },
  });
  const acceptError = resultFor(result, "accept")?.formError ?? null;
  if (!invitation) {
    return (
      <div className="form">
        <h1>{t("invite.invalidTitle")}</h1>
        <div className="form-card">
          <p data-testid="invite-invalid">{t("invite.invalidText")}</p>
        </div>
      </div>
    );
  }
  const org = invitation.organization.name;
  const roles = fields.roles.value;
  const selectedRoles = Array.isArray(roles) ? roles : roles ? [roles] : [];
  const busy = navigation.state === "submitting";
  return (
    <div className="form">
      <h1>{t("invite.title", { org })}</h1>
      {user ? (
        <div className="form-card">
          {user.organization ? (
            <p data-testid="invite-other-org">{t("invite.inOtherOrg", { org: user.organization })}</p>
          ) : (
            <Form method="post">
              <AuthenticityTokenInput />
              <p>{t("invite.acceptIntro", { name: user.name, org })}</p>
              {acceptError ? (
                <div className="form-error">
                  <FieldErrors errors={[acceptError]} />
                </div>
              ) : null}
              <button type="submit" name="intent" value="accept" className="button" disabled={busy}>
                {t("invite.accept")}
              </button>
            </Form>
          )}
        </div>
      ) : (
        <Form method="post" className="form-card" {...getFormProps(form)}>
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="register" />
          <p>{t("invite.intro", { org })}</p>
          {form.errors?.length ? (
            <div className="form-error">
              <FieldErrors errors={form.errors} />
            </div>
          ) : null}
          <fieldset className="fieldset" aria-describedby={fields.roles.errorId}>
            <legend>{t("auth.wantRoles")}</legend>
            <div className="choices">
              {SELF_SERVICE_ROLES.map((role) => (
                <label key={role}>
                  <input type="checkbox" name={fields.roles.name} value={role} defaultChecked={selectedRoles.includes(role)} />
                  {t(`roles.${role}`)} <span className="muted">— {t(`roleHelp.${role}`)}</span>
                </label>
              ))}
            </div>
            <FieldErrors id={fields.roles.errorId} errors={fields.roles.errors} />
          </fieldset>
          <Field id={fields.email.id} label={t("auth.email")} errors={fields.email.errors}>
            <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" readOnly={!!invitation.email} />
          </Field>
          <Field id={fields.name.id} label={t("auth.name")} errors={fields.name.errors}>
            <input {...getInputProps(fields.name, { type: "text" })} autoComplete="name" />
          </Field>
          <Field id={fields.password.id} label={t("auth.password")} hint={t("auth.passwordHint")} errors={fields.password.errors}>
            <input {...getInputProps(fields.password, { type: "password" })} autoComplete="new-password" />
          </Field>
          <Field id={fields.confirmPassword.id} label={t("auth.confirmPassword")} errors={fields.confirmPassword.errors}>
            <input {...getInputProps(fields.confirmPassword, { type: "password" })} autoComplete="new-password" />
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("auth.submitting") : t("invite.submit")}
          </button>
          <p className="muted">
            {t("invite.haveAccount")}{" "}
            <Link to={`/login?redirectTo=${encodeURIComponent(location.pathname)}`}>{t("invite.loginToAccept")}</Link>
          </p>
        </Form>
      )}
    </div>
  );
}
