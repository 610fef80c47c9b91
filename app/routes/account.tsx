import { getFormProps, getInputProps, getSelectProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import { ChangeEmailSchema, ChangePasswordSchema, ProfileSchema } from "~/schemas/membership.ts";
import { actorOf } from "~/services/kernel/actor.ts";
import { pendingJoinRequestOf } from "~/services/accounts/membership.server.ts";
import { changePassword, getProfile, requestEmailChange, updateProfile } from "~/services/accounts/profile.server.ts";
import { LOCALE_COOKIE, LOCALES } from "~/utils/i18n.ts";
import { attempt, intentAction, invalid, redirectDone } from "~/web/actions.server.ts";
import { getSessionId, requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

export const meta: MetaFunction = () => [{ title: "我的账户 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const [profile, pending] = await Promise.all([getProfile(user.id), user.organization ? null : pendingJoinRequestOf(user.id)]);
  return json({ user, profile, pendingJoin: pending?.organization ?? null });
}

/** Two forms: the profile (name, phone, language of mails) and the password (current one required; other sessions end). */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const formData = await readVerifiedForm(request);
  return intentAction(formValues(formData), {
    profile: async () => {
      const submission = parseWithZod(formData, { schema: ProfileSchema });
      const form = { intent: "profile", submission };
      if (submission.status !== "success") return invalid(submission, form);
      const { name, phone, locale } = submission.value;
      return attempt(
        form,
        () => updateProfile(actorOf(user), { name, phone, locale }),
        // The chosen language also becomes the site's (the `lng` cookie), as the language switch does.
        () =>
          redirectDone("/account", "profile", {
            headers: locale
              ? { "Set-Cookie": `${LOCALE_COOKIE}=${encodeURIComponent(locale)}; Path=/; Max-Age=31536000; SameSite=Lax` }
              : {},
          }),
      );
    },
    email: async () => {
      const submission = parseWithZod(formData, { schema: ChangeEmailSchema });
      const form = { intent: "email", submission, hideFields: ["currentPassword"] };
      if (submission.status !== "success") return invalid(submission, form);
      return attempt(
        form,
        () => requestEmailChange(actorOf(user), submission.value),
        () => redirectDone("/account", "emailSent"),
      );
    },
    password: async () => {
      const submission = parseWithZod(formData, { schema: ChangePasswordSchema });
      const form = { intent: "password", submission, hideFields: ["currentPassword", "newPassword", "confirmPassword"] };
      if (submission.status !== "success") return invalid(submission, form);
      const sessionId = await getSessionId(request);
      return attempt(
        form,
        () => changePassword(actorOf(user), submission.value, sessionId),
        () => redirectDone("/account", "password"),
      );
    },
  });
}

export default function AccountPage() {
  const { user, profile, pendingJoin } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const navigation = useNavigation();
  const result = useActionData<typeof action>();
  const busy = (intent: string) => navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const [profileForm, pf] = useForm({
    id: "profile",
    lastResult: resultFor(result, "profile")?.reply,
    constraint: getZodConstraint(ProfileSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ProfileSchema }),
    shouldRevalidate: "onInput",
    defaultValue: { name: profile.name, phone: profile.phone ?? "", locale: profile.locale ?? "" },
  });
  const [emailForm, em] = useForm({
    id: "email",
    lastResult: resultFor(result, "email")?.reply,
    constraint: getZodConstraint(ChangeEmailSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangeEmailSchema }),
    shouldRevalidate: "onInput",
  });
  const [passwordForm, pw] = useForm({
    id: "password",
    lastResult: resultFor(result, "password")?.reply,
    constraint: getZodConstraint(ChangePasswordSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ChangePasswordSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <div className="form">
      <h1>{t("account.title")}</h1>
      {params.get("welcome") ? <p className="notice">{t("home.welcome", { name: user.name })}</p> : null}
      <DoneNotice ns="account" />
      <div className="card">
        <dl>
          <dt>{t("auth.name")}</dt>
          <dd data-testid="account-name">{user.name}</dd>
          <dt>{t("auth.email")}</dt>
          <dd>{user.email}</dd>
          <dt>{t("account.organization")}</dt>
          <dd data-testid="account-organization">
            {user.organization ? `${user.organization.name}（${t(`orgTypes.${user.organization.type}`)}）` : t("account.none")}
            {user.orgRole ? <span className="badge">{t(`orgRoles.${user.orgRole}`)}</span> : null}
          </dd>
          <dt>{t("account.roles")}</dt>
          <dd data-testid="account-roles">
            {user.roles.map((r) => (
              <span key={r} className="badge badge--role">
                {t(`roles.${r}`)}
              </span>
            ))}
          </dd>
        </dl>
        {pendingJoin ? (
          <p className="notice" data-testid="pending-join">
            {t("account.pendingJoin", { org: pendingJoin })}
          </p>
        ) : !user.organization ? (
          <p className="muted">{t("account.noOrganization")}</p>
        ) : null}
        <p>
          <Link to="/account/organization">{t("account.organizationLink")}</Link>
        </p>
        <p>
          <Link to="/account/payouts">{t("payouts.mine.title")}</Link>
        </p>
        <p className="muted">{t("account.requestRole")}</p>
      </div>

      <h2>{t("profile.title")}</h2>
      <Form method="post" className="form-card" {...getFormProps(profileForm)}>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="profile" />
        {profileForm.errors?.length ? (
          <div className="form-error">
            <FieldErrors errors={profileForm.errors} />
          </div>
        ) : null}
        <Field id={pf.name.id} label={t("auth.name")} errors={pf.name.errors}>
          <input {...getInputProps(pf.name, { type: "text" })} autoComplete="name" />
        </Field>
        <Field id={pf.phone.id} label={t("profile.phone")} hint={t("profile.phoneHint")} errors={pf.phone.errors}>
          <input {...getInputProps(pf.phone, { type: "tel" })} autoComplete="tel" inputMode="tel" />
        </Field>
        <Field id={pf.locale.id} label={t("profile.locale")} errors={pf.locale.errors}>
          <select {...getSelectProps(pf.locale)}>
            <option value="">{t("profile.localeNone")}</option>
            {LOCALES.map((l) => (
              <option key={l} value={l}>
                {l === "en" ? "English" : "中文"}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" className="button" disabled={busy("profile")}>
          {busy("profile") ? t("auth.submitting") : t("profile.save")}
        </button>
      </Form>

      <h2>{t("profile.emailTitle")}</h2>
      <Form method="post" className="form-card" {...getFormProps(emailForm)}>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="email" />
        {emailForm.errors?.length ? (
          <div className="form-error">
            <FieldErrors errors={emailForm.errors} />
          </div>
        ) : null}
        <p className="muted">{t("profile.emailNote")}</p>
        <Field id={em.newEmail.id} label={t("profile.newEmail")} errors={em.newEmail.errors}>
          <input {...getInputProps(em.newEmail, { type: "email" })} autoComplete="email" />
        </Field>
        <Field id={em.currentPassword.id} label={t("profile.currentPassword")} errors={em.currentPassword.errors}>
          <input {...getInputProps(em.currentPassword, { type: "password" })} autoComplete="current-password" />
        </Field>
        <button type="submit" className="button" disabled={busy("email")}>
          {busy("email") ? t("auth.submitting") : t("profile.changeEmail")}
        </button>
      </Form>

      <h2>{t("profile.passwordTitle")}</h2>
      <Form method="post" className="form-card" {...getFormProps(passwordForm)}>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="password" />
        <input type="email" name="username" value={user.email} autoComplete="username" readOnly hidden />
        {passwordForm.errors?.length ? (
          <div className="form-error">
            <FieldErrors errors={passwordForm.errors} />
          </div>
        ) : null}
        <Field id={pw.currentPassword.id} label={t("profile.currentPassword")} errors={pw.currentPassword.errors}>
          <input {...getInputProps(pw.currentPassword, { type: "password" })} autoComplete="current-password" />
        </Field>
        <Field id={pw.newPassword.id} label={t("profile.newPassword")} hint={t("auth.passwordHint")} errors={pw.newPassword.errors}>
          <input {...getInputProps(pw.newPassword, { type: "password" })} autoComplete="new-password" />
        </Field>
        <Field id={pw.confirmPassword.id} label={t("profile.confirmNewPassword")} errors={pw.confirmPassword.errors}>
          <input {...getInputProps(pw.confirmPassword, { type: "password" })} autoComplete="new-password" />
        </Field>
        <p className="muted">{t("profile.passwordNote")}</p>
        <button type="submit" className="button" disabled={busy("password")}>
          {busy("password") ? t("auth.submitting") : t("profile.changePassword")}
        </button>
      </Form>
    </div>
  );
}
