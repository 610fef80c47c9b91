import { Link, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function SectionTitle({ children }: { children: ReactNode }) {
  return <h2 className="form-section-title">{children}</h2>;
}

/**
 * Save as a draft, or save and submit for review (intent=submit); the action does the rest.
 * While a save is on its way the buttons say so and cannot be pressed twice.
 */
export function FormActions({ cancelTo }: { cancelTo: string }) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const intent = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const busy = intent === "save" || intent === "submit";
  return (
    <div className="form-actions">
      <button type="submit" name="intent" value="save" className="button button--ghost" disabled={busy}>
        {intent === "save" ? t("listingForm.buttons.saving") : t("listingForm.buttons.save")}
      </button>
      <button type="submit" name="intent" value="submit" className="button" disabled={busy}>
        {intent === "submit" ? t("listingForm.buttons.submitting") : t("listingForm.buttons.saveAndSubmit")}
      </button>
      <Link to={cancelTo} className="form-cancel">
        {t("listingForm.buttons.cancel")}
      </Link>
      <p className="field-hint">{t("listingForm.hints.submit")}</p>
    </div>
  );
}
