import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { LoginSchema } from "~/schemas/account.ts";
import { createSession, verifyLogin } from "~/services/accounts/accounts.server.ts";
import { resultFor } from "~/schemas/action-result.ts";
import { invalid, refusal, refusalHeaders, refuse } from "~/web/actions.server.ts";
import { isDemoMode } from "~/utils/demo-mode.server.ts";
import { platformSettings } from "~/services/settings/settings.server.ts";
import { assertLoginAllowed, clearLoginFailures, recordLoginFailure } from "~/utils/rate-limit.server.ts";
import { SESSION_ID_KEY, SESSION_TTL_MS, sessionStorage } from "~/utils/session.server.ts";
import { getUser, safeRedirect } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";

export const meta: MetaFunction = () => [{ title: "登录 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect("/");
  // The demo accounts exist (and may be named) only on the embedded, seeded database, and only
  // while the platform settings say so (/admin/settings).
  return json({ demo: isDemoMode() && (await platformSettings()).showDemoAccounts });
}

/** A throttled (no-JS) login keeps its Retry-After on the page's answer. */
export const headers = refusalHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: LoginSchema });
  const form = { intent: "login", submission, hideFields: ["password"] };
  if (submission.status !== "success") return invalid(submission, form);
  const { email, password, remember, redirectTo } = submission.value;
  // Where to go next is settled before anything is written: safeRedirect answers an ASCII path of
  // this site (CR/LF, 中文 and the like are encoded, not a failing Location header after the
  // session row exists).
  const next = safeRedirect(redirectTo);
  const ip = context.clientIp ?? "unknown";
  try {
    await assertLoginAllowed(email, ip);
  } catch (e) {
    return refusal(e, form); // 429 with Retry-After
  }
  const user = await verifyLogin(email, password);
  if (!user) {
    await recordLoginFailure(email, ip);
    return refuse(400, { ...form, formError: "errors.invalidCredentials" });
  }
  await clearLoginFailures(email, ip);
  const sessionId = await createSession(user.id, request.headers.get("user-agent"));
  const storage = sessionStorage();
  const session = await storage.getSession(request.headers.get("Cookie"));
  session.set(SESSION_ID_KEY, sessionId);
  return redirect(next, {
    headers: {
      "Set-Cookie": await storage.commitSession(session, {
        // Without "keep me logged in" the cookie lasts until the browser closes.
        maxAge: remember ? SESSION_TTL_MS / 1000 : undefined,
      }),
    },
  });
}

export default function LoginPage() {
  const { demo } = useLoaderData<typeof loader>();
  const lastResult = resultFor(useActionData<typeof action>(), "login")?.reply;
  const [searchParams] = useSearchParams();
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "login",
    lastResult,
    constraint: getZodConstraint(LoginSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
    // Revalidate while typing, not on blur: a blur that removes an error moves the
    // submit button between mousedown and mouseup, and the click is lost.
    shouldRevalidate: "onInput",
  });
  const busy = navigation.state === "submitting";
  return (
    <div className="form">
      <h1>{t("auth.loginTitle")}</h1>
      <Form method="post" className="form-card" {...getFormProps(form)}>
        <AuthenticityTokenInput />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        {form.errors?.length ? (
          <div className="form-error" id={form.errorId}>
            <FieldErrors errors={form.errors} />
          </div>
        ) : null}
        <Field id={fields.email.id} label={t("auth.email")} errors={fields.email.errors}>
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="username" autoFocus />
        </Field>
        <Field id={fields.password.id} label={t("auth.password")} errors={fields.password.errors}>
          <input {...getInputProps(fields.password, { type: "password" })} autoComplete="current-password" />
        </Field>
        <div className="field">
          <label className="choices">
            <input {...getInputProps(fields.remember, { type: "checkbox" })} /> {t("auth.remember")}
          </label>
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t("auth.submitting") : t("auth.submitLogin")}
        </button>
        <p className="muted">
          {t("auth.noAccount")} <Link to="/register">{t("nav.register")}</Link>
        </p>
        {demo ? <p className="muted">{t("auth.demoHint")}</p> : null}
      </Form>
    </div>
  );
}
