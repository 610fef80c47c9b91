import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import { ResetPasswordSchema } from "~/schemas/membership.ts";
import { passwordResetIsOpen, resetPassword } from "~/services/accounts/profile.server.ts";
import { isTokenShaped } from "~/services/accounts/tokens.server.ts";
import { attempt, invalid, redirectDone } from "~/web/actions.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";

/** The link of a reset mail: a new password, once, within the hour; then every session of the person ends. */

export const meta: MetaFunction = () => [
  { title: "设置新密码 · 成果" },
  // The URL is a secret: no referrer leaves this page.
  { name: "referrer", content: "no-referrer" },
];

export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token;
  const open = isTokenShaped(token) && (await passwordResetIsOpen(token));
  return json({ open }, { status: open ? 200 : 410 });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: ResetPasswordSchema });
  const form = { intent: "reset", submission, hideFields: ["newPassword", "confirmPassword"] };
  if (submission.status !== "success") return invalid(submission, form);
  const token = params.token;
  return attempt(
    form,
    async () => {
      if (!isTokenShaped(token)) throw new Response("Not Found", { status: 404 });
      await resetPassword(token, submission.value.newPassword);
    },
    () => redirectDone("/login", "passwordReset"),
  );
}

export default function ResetPasswordPage() {
  const { open } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "reset",
    lastResult: resultFor(result, "reset")?.reply,
    constraint: getZodConstraint(ResetPasswordSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ResetPasswordSchema }),
    shouldRevalidate: "onInput",
  });
  if (!open) {
    return (
      <div className="form">
        <h1>{t("passwordReset.invalidTitle")}</h1>
        <div className="form-card">
          <p data-testid="reset-invalid">{t("passwordReset.invalidText")}</p>
          <p>
            <Link to="/forgot-password">{t("passwordReset.again")}</Link>
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="form">
      <h1>{t("passwordReset.resetTitle")}</h1>
      <Form method="post" className="form-card" {...getFormProps(form)}>
        <AuthenticityTokenInput />
        <p className="muted">{t("passwordReset.resetIntro")}</p>
        {form.errors?.length ? (
          <div className="form-error">
            <FieldErrors errors={form.errors} />
          </div>
        ) : null}
        <Field id={fields.newPassword.id} label={t("profile.newPassword")} hint={t("auth.passwordHint")} errors={fields.newPassword.errors}>
          <input {...getInputProps(fields.newPassword, { type: "password" })} autoComplete="new-password" />
        </Field>
        <Field id={fields.confirmPassword.id} label={t("profile.confirmNewPassword")} errors={fields.confirmPassword.errors}>
          <input {...getInputProps(fields.confirmPassword, { type: "password" })} autoComplete="new-password" />
        </Field>
        <button type="submit" className="button" disabled={navigation.state === "submitting"}>
          {t("passwordReset.submit")}
        </button>
      </Form>
    </div>
  );
}
