import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { Field, FormErrors } from "~/components/ui/forms.tsx";
import { POLICY_KINDS } from "~/utils/policies.ts";

/** The values of the policy form, as typed (strings). */
export type PolicyFormValues = Partial<
  Record<"kind" | "title" | "docNumber" | "issuer" | "issuedOn" | "effectiveOn" | "summary" | "body", string>
>;

/**
 * The bureau's form for a policy or notice (new and edit pages): every field with its errors,
 * what was typed kept after a refusal. Posts `intent` (create | save) with the CSRF token.
 */
export function PolicyForm({
  intent,
  values,
  errors,
  submitLabel,
}: {
  intent: "create" | "save";
  values: PolicyFormValues;
  errors: Record<string, string[] | null>;
  submitLabel: string;
}) {
  const { t } = useTranslation();
  const described = (name: string) => (errors[name]?.length ? `${name}-error` : `${name}-hint`);
  return (
    <Form method="post" className="listing-form" data-testid="policy-form" noValidate>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={intent} />
      <Field id="kind" label={t("policies.form.kind")} errors={errors.kind}>
        <select id="kind" name="kind" defaultValue={values.kind ?? "policy"} aria-describedby={described("kind")}>
          {POLICY_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`policies.kinds.${k}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="title" label={t("policies.form.title")} errors={errors.title}>
        <input id="title" name="title" required maxLength={200} defaultValue={values.title ?? ""} aria-describedby={described("title")} />
      </Field>
      <Field id="docNumber" label={t("policies.form.docNumber")} hint={t("policies.form.docNumberHint")} errors={errors.docNumber}>
        <input
          id="docNumber"
          name="docNumber"
          maxLength={60}
          defaultValue={values.docNumber ?? ""}
          aria-describedby={described("docNumber")}
        />
      </Field>
      <Field id="issuer" label={t("policies.form.issuer")} errors={errors.issuer}>
        <input
          id="issuer"
          name="issuer"
          required
          maxLength={100}
          defaultValue={values.issuer ?? ""}
          aria-describedby={described("issuer")}
        />
      </Field>
      <Field id="issuedOn" label={t("policies.form.issuedOn")} errors={errors.issuedOn}>
        <input id="issuedOn" name="issuedOn" type="date" defaultValue={values.issuedOn ?? ""} aria-describedby={described("issuedOn")} />
      </Field>
      <Field id="effectiveOn" label={t("policies.form.effectiveOn")} errors={errors.effectiveOn}>
        <input
          id="effectiveOn"
          name="effectiveOn"
          type="date"
          defaultValue={values.effectiveOn ?? ""}
          aria-describedby={described("effectiveOn")}
        />
      </Field>
      <Field id="summary" label={t("policies.form.summary")} hint={t("policies.form.summaryHint")} errors={errors.summary}>
        <textarea
          id="summary"
          name="summary"
          rows={2}
          maxLength={300}
          defaultValue={values.summary ?? ""}
          aria-describedby={described("summary")}
        />
      </Field>
      <Field id="body" label={t("policies.form.body")} hint={t("policies.form.bodyHint")} errors={errors.body}>
        <textarea id="body" name="body" rows={16} required defaultValue={values.body ?? ""} aria-describedby={described("body")} />
      </Field>
      <FormErrors errors={errors[""]} />
      <button type="submit" className="button" data-testid={`policy-${intent}`}>
        {submitLabel}
      </button>
    </Form>
  );
}
