import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ACCOUNT_TYPES, RegisterSchema } from "~/schemas/account.ts";
import { createSession, registerUser } from "~/services/accounts/accounts.server.ts";
import { resultFor } from "~/schemas/action-result.ts";
import { attempt, invalid, refuse, refusalHeaders } from "~/web/actions.server.ts";
import { ORG_EXISTS_JOIN } from "~/utils/organization.ts";
import { SELF_SERVICE_ROLES } from "~/utils/permissions.ts";
import { consumeRegistrationAttempt } from "~/utils/rate-limit.server.ts";
import { isKnownRegion, yunnanCounties } from "~/utils/regions.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import { getUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";

export const meta: MetaFunction = () => [{ title: "注册 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect("/");
  return json({ regions: yunnanCounties() });
}

/** A throttled (no-JS) registration keeps its Retry-After on the page's answer. */
export const headers = refusalHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: RegisterSchema });
  const form = { intent: "register", submission, hideFields: ["password", "confirmPassword"] };
  if (submission.status !== "success") return invalid(submission, form);
  if (submission.value.region && !isKnownRegion(submission.value.region)) {
    return refuse(400, { ...form, fieldErrors: { region: ["errors.region"] } });
  }
  return attempt(
    form,
    async () => {
      await consumeRegistrationAttempt(context.clientIp ?? "unknown"); // 429 with Retry-After past the limit
      const user = await registerUser(submission.value);
      const storage = sessionStorage();
      const session = await storage.getSession(request.headers.get("Cookie"));
      session.set(SESSION_ID_KEY, await createSession(user.id, request.headers.get("user-agent")));
      return { cookie: await storage.commitSession(session), joining: !user.organization };
    },
    // Registered with a join request: the account page says it waits for the organisation's admins.
    ({ cookie, joining }) =>
      redirect(joining ? "/account?welcome=1&done=welcomeJoin" : "/account?welcome=1", { headers: { "Set-Cookie": cookie } }),
  );
}

export default function RegisterPage() {
  const { regions } = useLoaderData<typeof loader>();
  const feedback = resultFor(useActionData<typeof action>(), "register");
  const lastResult = feedback?.reply;
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "register",
    lastResult,
    constraint: getZodConstraint(RegisterSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RegisterSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    defaultValue: { accountType: "enterprise", roles: ["buyer"] },
  });
  const busy = navigation.state === "submitting";
  // The credit code is registered already: offer to send its admins a join request instead. Read
  // from the server's answer, not the live field errors, so typing elsewhere does not hide it.
  const orgExists = feedback?.fieldErrors.creditCode?.some((e) => e.startsWith(ORG_EXISTS_JOIN)) ?? false;
  const joining = orgExists || fields.joinExisting.value === "on";
  const accountType = fields.accountType.value ?? "enterprise";
  const roles = fields.roles.value;
  const selectedRoles = Array.isArray(roles) ? roles : roles ? [roles] : [];
  return (
    <div className="form">
      <h1>{t("auth.registerTitle")}</h1>
      <Form method="post" className="form-card" {...getFormProps(form)}>
        <AuthenticityTokenInput />
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
                <input
                  type="checkbox"
                  name={fields.roles.name}
                  value={role}
                  defaultChecked={selectedRoles.includes(role)}
                  aria-invalid={fields.roles.errors ? true : undefined}
                />
                {t(`roles.${role}`)} <span className="muted">— {t(`roleHelp.${role}`)}</span>
              </label>
            ))}
          </div>
          <FieldErrors id={fields.roles.errorId} errors={fields.roles.errors} />
        </fieldset>
        <Field id={fields.email.id} label={t("auth.email")} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
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
        <Field id={fields.accountType.id} label={t("auth.accountType")} errors={fields.accountType.errors}>
          <select {...getSelectProps(fields.accountType)}>
            {ACCOUNT_TYPES.map((type) => (
              <option key={type} value={type}>
                {t(`orgTypes.${type}`)}
              </option>
            ))}
          </select>
        </Field>
        {accountType !== "individual" ? (
          <>
            <Field id={fields.orgName.id} label={t("auth.orgName")} errors={fields.orgName.errors}>
              <input {...getInputProps(fields.orgName, { type: "text" })} autoComplete="organization" />
            </Field>
            <Field id={fields.creditCode.id} label={t("auth.creditCode")} hint={t("auth.creditCodeHint")} errors={fields.creditCode.errors}>
              <input {...getInputProps(fields.creditCode, { type: "text" })} maxLength={18} spellCheck={false} />
            </Field>
            {joining ? (
              <div className="field" data-testid="join-existing">
                <label className="choices">
                  <input {...getInputProps(fields.joinExisting, { type: "checkbox" })} /> {t("auth.joinExisting")}
                </label>
                <Field id={fields.joinMessage.id} label={t("auth.joinMessage")} errors={fields.joinMessage.errors}>
                  <textarea {...getTextareaProps(fields.joinMessage)} rows={2} maxLength={300} />
                </Field>
              </div>
            ) : null}
          </>
        ) : null}
        <Field id={fields.region.id} label={t("auth.region")} errors={fields.region.errors}>
          <select {...getSelectProps(fields.region)}>
            <option value="">{t("auth.regionNone")}</option>
            {regions.map((g) => (
              <optgroup key={g.code} label={g.name}>
                {g.counties.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t("auth.submitting") : t("auth.submitRegister")}
        </button>
        <p className="muted">
          {t("auth.haveAccount")} <Link to="/login">{t("nav.login")}</Link>
        </p>
      </Form>
    </div>
  );
}
