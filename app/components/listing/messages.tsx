import { useTranslation } from "react-i18next";

/** Service and schema messages are i18n keys (errors.*, workflow.*); anything else is shown as is. */
export function translateMessage(t: (key: string) => string, message: string): string {
  return /^(errors|workflow)\./.test(message) ? t(message) : message;
}

/** A form-level error (403/409…) above a form, announced to screen readers. */
export function FormError({ message, id }: { message: string | null | undefined; id?: string }) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <p className="form-error" role="alert" id={id} data-testid="form-error">
      {translateMessage(t, message)}
    </p>
  );
}

/** Field errors under a control; `id` is what the control's aria-describedby points at. */
export function FieldErrors({ id, errors }: { id: string; errors: string[] | undefined }) {
  const { t } = useTranslation();
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {errors.map((e) => (
        <li key={e}>{translateMessage(t, e)}</li>
      ))}
    </ul>
  );
}
