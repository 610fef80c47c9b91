import {
  getCollectionProps,
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
  type SubmissionResult,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { RegionSelect, type CountyTowns, type RegionGroupOption } from "~/components/region-select.tsx";
import { DemandFormSchema, LIMITS, type DemandFormInput } from "~/schemas/listing-form.ts";
import { FIELDS, maturityStage, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { TRL_LEVELS } from "./achievement-form.tsx";
import { FormActions, SectionTitle } from "./form-parts.tsx";
import { ChoiceGroup, FormErrors, FormField } from "~/components/ui/forms.tsx";

/** The 技术需求 form, for /demands/new and /demands/:id/edit. Works without JavaScript. */
export function DemandForm({
  id,
  lastResult,
  defaultValue,
  regions,
  towns,
  cancelTo,
}: {
  id: string;
  lastResult?: SubmissionResult<string[]> | null;
  defaultValue: DemandFormInput;
  regions: RegionGroupOption[];
  towns: CountyTowns;
  cancelTo: string;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<DemandFormInput>({
    id,
    lastResult,
    defaultValue,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: DemandFormSchema }),
    // Errors appear on submit and then follow the typing. Not on blur: an error appearing on blur
    // moves the controls below it between mousedown and mouseup, and the click is lost.
    shouldRevalidate: "onInput",
  });
  const described = (f: { descriptionId: string }) => ({ ariaDescribedBy: f.descriptionId });
  return (
    <Form method="post" className="form-card listing-form" {...getFormProps(form)}>
      <AuthenticityTokenInput />
      {/* Enter in a text box saves, like the first visible button (not the towns refresh). */}
      <button type="submit" name="intent" value="save" className="sr-only" tabIndex={-1} aria-hidden="true" />
      <FormErrors errors={form.errors} />
      <p className="muted">{t("listingForm.requiredNote")}</p>

      <SectionTitle>{t("listingForm.sections.need")}</SectionTitle>
      <FormField field={fields.title} label={t("listingForm.labels.demandTitle")} hint={t("listingForm.hints.demandTitle")} required>
        <input {...getInputProps(fields.title, { type: "text", ...described(fields.title) })} maxLength={LIMITS.title} required />
      </FormField>
      <FormField
        field={fields.description}
        label={t("listingForm.labels.demandDescription")}
        hint={t("listingForm.hints.demandDescription")}
        required
      >
        <textarea
          {...getTextareaProps(fields.description, described(fields.description))}
          rows={10}
          maxLength={LIMITS.description}
          required
        />
      </FormField>
      <FormField field={fields.field} label={t("listingForm.labels.field")} required>
        <select {...getSelectProps(fields.field)} required>
          <option value="">{t("listingForm.placeholders.choose")}</option>
          {FIELDS.map((f) => (
            <option key={f} value={f}>
              {t(`listing.fields.${f}`)}
            </option>
          ))}
        </select>
      </FormField>
      <FormField field={fields.keywords} label={t("listingForm.labels.keywords")} hint={t("listingForm.hints.keywords")}>
        <input {...getInputProps(fields.keywords, { type: "text", ...described(fields.keywords) })} />
      </FormField>

      <SectionTitle>{t("listingForm.sections.terms")}</SectionTitle>
      <ChoiceGroup
        field={fields.transactionModes}
        legend={t("listingForm.labels.demandModes")}
        hint={t("listingForm.hints.demandModes")}
        required
      >
        {getCollectionProps(fields.transactionModes, { type: "checkbox", options: [...TRANSACTION_MODES] }).map(({ key, ...p }) => (
          <label key={key} htmlFor={p.id}>
            <input {...p} />
            {t(`listing.modes.${p.value}`)}
          </label>
        ))}
      </ChoiceGroup>
      <div className="field-row">
        <FormField field={fields.budgetMin} label={t("listingForm.labels.budgetMin")}>
          <input
            {...getInputProps(fields.budgetMin, { type: "text", ariaDescribedBy: "budget-hint" })}
            inputMode="decimal"
            autoComplete="off"
          />
        </FormField>
        <FormField field={fields.budgetMax} label={t("listingForm.labels.budgetMax")}>
          <input
            {...getInputProps(fields.budgetMax, { type: "text", ariaDescribedBy: "budget-hint" })}
            inputMode="decimal"
            autoComplete="off"
          />
        </FormField>
      </div>
      <p className="field-hint field-hint--group" id="budget-hint">
        {t("listingForm.hints.budget")}
      </p>
      <FormField field={fields.minTrl} label={t("listingForm.labels.minTrl")} hint={t("listingForm.hints.minTrl")}>
        <select {...getSelectProps(fields.minTrl, described(fields.minTrl))}>
          <option value="">{t("listingForm.placeholders.anyTrl")}</option>
          {TRL_LEVELS.map((n) => (
            <option key={n} value={String(n)}>
              {t("listingForm.trlOption", { trl: n, stage: t(`listing.maturity.${maturityStage(n)}`) })}
            </option>
          ))}
        </select>
      </FormField>
      <FormField field={fields.deadline} label={t("listingForm.labels.deadline")} hint={t("listingForm.hints.deadline")}>
        <input {...getInputProps(fields.deadline, { type: "date", ...described(fields.deadline) })} />
      </FormField>

      <SectionTitle>{t("listingForm.sections.region")}</SectionTitle>
      <RegionSelect regions={regions} towns={towns} county={fields.region} town={fields.town} />

      <FormActions cancelTo={cancelTo} />
    </Form>
  );
}
