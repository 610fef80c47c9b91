import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import { ForgotPasswordSchema } from "~/schemas/membership.ts";
import { requestPasswordReset } from "~/services/accounts/profile.server.ts";
import { consumePasswordResetAttempt } from "~/utils/rate-limit.server.ts";
import { attempt, invalid, refusalHeaders, succeed } from "~/web/actions.server.ts";
import { getUser } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";

/** 忘记密码: a reset link by mail. The answer is the same whether or not the address has an account. */

export const meta: MetaFunction = () => [{ title: "找回密码 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getUser(request)) throw redirect("/account");
  return json({});
}

export const headers = refusalHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: ForgotPasswordSchema });
  const form = { intent: "forgot", submission };
  if (submission.status !== "success") return invalid(submission, form);
  const { email } = submission.value;
  return attempt(
    form,
    async () => {
      await consumePasswordResetAttempt(email, context.clientIp ?? "unknown"); // 429 with Retry-After past the limit
      await requestPasswordReset(email);
    },
    () => succeed("forgot", { sent: true }),
  );
}

export default function ForgotPasswordPage() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    id: "forgot",
    lastResult: resultFor(result, "forgot")?.reply,
    constraint: getZodConstraint(ForgotPasswordSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ForgotPasswordSchema }),
    shouldRevalidate: "onInput",
  });
  const sent = result?.ok === true;
  return (
    <div className="form">
      <h1>{t("passwordReset.forgotTitle")}</h1>
      {sent ? (
        <div className="form-card">
          <p className="notice" role="status" data-testid="reset-sent">
            {t("passwordReset.sent")}
          </p>
          <p>
            <Link to="/login">{t("passwordReset.backToLogin")}</Link>
          </p>
        </div>
      ) : (
        <Form method="post" className="form-card" {...getFormProps(form)}>
          <AuthenticityTokenInput />
          <p className="muted">{t("passwordReset.forgotIntro")}</p>
          {form.errors?.length ? (
            <div className="form-error">
              <FieldErrors errors={form.errors} />
            </div>
          ) : null}
          <Field id={fields.email.id} label={t("auth.email")} errors={fields.email.errors}>
            <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
          </Field>
          <button type="submit" className="button" disabled={navigation.state === "submitting"}>
            {t("passwordReset.send")}
          </button>
          <p>
            <Link to="/login">{t("passwordReset.backToLogin")}</Link>
          </p>
        </Form>
      )}
    </div>
  );
}
