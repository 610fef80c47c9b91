import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { FormErrors, FormField } from "~/components/ui/forms.tsx";
import { FIELDS } from "~/utils/taxonomy.ts";

/** The form of one vocabulary group (add on /bureau/vocabulary, edit on the group's page). */
export interface GroupFormValues {
  words: string;
  field: string;
  source: string;
  note: string;
}

export function GroupForm({
  intent,
  values,
  errors,
  submitLabel,
  testId,
}: {
  intent: string;
  values: GroupFormValues;
  errors: Record<string, string[] | undefined>;
  submitLabel: string;
  testId: string;
}) {
  const { t } = useTranslation();
  const id = (name: string) => `${intent}-${name}`;
  const field = (name: string) => ({
    id: id(name),
    errorId: `${id(name)}-error`,
    descriptionId: `${id(name)}-hint`,
    errors: errors[name],
  });
  const described = (name: string) => `${id(name)}-hint ${id(name)}-error`;
  return (
    <Form method="post" className="listing-form vocabulary-form" data-testid={testId}>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value={intent} />
      <FormField field={field("words")} label={t("vocabulary.form.words")} hint={t("vocabulary.form.wordsHint")} required>
        <textarea
          id={id("words")}
          name="words"
          rows={4}
          required
          defaultValue={values.words}
          aria-describedby={described("words")}
          aria-invalid={errors.words?.length ? true : undefined}
        />
      </FormField>
      <label className="checkbox-line">
        <input type="checkbox" name="confirm" value="on" /> {t("vocabulary.form.confirm")}
      </label>
      <FormField field={field("field")} label={t("vocabulary.form.field")}>
        <select id={id("field")} name="field" defaultValue={values.field} aria-describedby={described("field")}>
          <option value="">{t("vocabulary.form.noField")}</option>
          {FIELDS.map((f) => (
            <option key={f} value={f}>
              {t(`listing.fields.${f}`)}
            </option>
          ))}
        </select>
      </FormField>
      <FormField field={field("source")} label={t("vocabulary.form.source")} hint={t("vocabulary.form.sourceHint")}>
        <input id={id("source")} name="source" maxLength={300} defaultValue={values.source} aria-describedby={described("source")} />
      </FormField>
      <FormField field={field("note")} label={t("vocabulary.form.note")}>
        <input id={id("note")} name="note" maxLength={300} defaultValue={values.note} aria-describedby={described("note")} />
      </FormField>
      <FormErrors errors={errors[""]?.length ? errors[""] : null} />
      <button type="submit" className="button" data-testid={`${testId}-submit`}>
        {submitLabel}
      </button>
    </Form>
  );
}
