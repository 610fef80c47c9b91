import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { parseFormMessage } from "~/utils/messages.ts";

/**
 * The one field kit of every form in the app: a labelled control with its hint and its translated
 * errors, wired for screen readers (aria-describedby, role="alert"), for conform fields and for
 * hand-made ones alike.
 */
type Translate = (key: string, options?: Record<string, unknown>) => string;

const KEY = /^[A-Za-z][\w-]*(\.[\w-]+)+$/;

/**
 * Messages are i18n keys, optionally with parameters (`listingForm.errors.patentCheck?number=…`,
 * see formMessage); anything that is not a key (a server's plain text) is shown as it is.
 */
export function translateMessage(t: Translate, message: string): string {
  const { key, params } = parseFormMessage(message);
  return KEY.test(key) ? t(key, params) : message;
}

export function FieldErrors({ id, errors }: { id?: string; errors?: string[] | null }) {
  const { t } = useTranslation();
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {errors.map((e) => (
        <li key={e}>{translateMessage(t as Translate, e)}</li>
      ))}
    </ul>
  );
}

/** What FormField needs of a conform field (or of a hand-made one). */
export interface FieldIds {
  id: string;
  errorId: string;
  descriptionId: string;
  errors?: string[] | null;
}

/** A labelled control with its hint and its translated errors, wired for screen readers. */
export function FormField({
  field,
  label,
  hint,
  required,
  children,
}: {
  field: FieldIds;
  label: string;
  hint?: ReactNode;
  required?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className={`field${field.errors?.length ? " field--invalid" : ""}`}>
      <label htmlFor={field.id}>
        {label}
        {required ? <RequiredMark label={t("listingForm.required")} /> : null}
      </label>
      {children}
      {hint ? (
        <p className="field-hint" id={field.descriptionId}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}

/** A group of checkboxes or radios under one legend, with the group's hint and errors. */
export function ChoiceGroup({
  field,
  legend,
  hint,
  required,
  children,
}: {
  field: FieldIds;
  legend: string;
  hint?: ReactNode;
  required?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const describedBy = [hint ? field.descriptionId : null, field.errors?.length ? field.errorId : null].filter(Boolean).join(" ");
  return (
    <fieldset
      className={`fieldset${field.errors?.length ? " field--invalid" : ""}`}
      aria-describedby={describedBy || undefined}
      aria-invalid={field.errors?.length ? true : undefined}
    >
      <legend>
        {legend}
        {required ? <RequiredMark label={t("listingForm.required")} /> : null}
      </legend>
      <div className="choices">{children}</div>
      {hint ? (
        <p className="field-hint" id={field.descriptionId}>
          {hint}
        </p>
      ) : null}
      <FieldErrors id={field.errorId} errors={field.errors} />
    </fieldset>
  );
}

function RequiredMark({ label }: { label: string }) {
  return (
    <abbr className="required-mark" title={label}>
      {" *"}
    </abbr>
  );
}

/** Form-level errors (key "" of the reply), e.g. an organisation is missing or the item changed. */
export function FormErrors({ errors }: { errors?: string[] | null }) {
  if (!errors?.length) return null;
  return (
    <div className="form-error">
      <FieldErrors errors={errors} />
    </div>
  );
}

/** A labelled control by id (forms that do not use conform's field metadata). */
export function Field({
  id,
  label,
  hint,
  errors,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  errors?: string[] | null;
  children: ReactNode;
}) {
  return (
    <FormField field={{ id, errorId: `${id}-error`, descriptionId: `${id}-hint`, errors }} label={label} hint={hint}>
      {children}
    </FormField>
  );
}
