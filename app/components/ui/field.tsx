import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** A labelled form control with its hint and translated errors, wired for screen readers. */
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
  errors?: string[];
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className={`field${errors?.length ? " field--invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <ErrorList id={`${id}-error`} errors={errors} t={t} />
    </div>
  );
}

export function ErrorList({ id, errors, t }: { id?: string; errors?: string[]; t: (k: string) => string }) {
  if (!errors?.length) return null;
  return (
    <ul className="field-errors" id={id} role="alert">
      {errors.map((e) => (
        <li key={e}>{/^(errors|workflow|apiErrors)\./.test(e) ? t(e) : e}</li>
      ))}
    </ul>
  );
}
