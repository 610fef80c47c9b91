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
import { AchievementFormSchema, LIMITS, priceFieldOf, type AchievementFormInput } from "~/schemas/listing-form.ts";
import { PRICE_OPTIONS, priceOptionKey } from "~/schemas/listing-prices.ts";
import {
  FIELDS,
  IP_TYPES,
  LICENSE_EXCLUSIVITY,
  maturityStage,
  PRICE_MODES,
  TRANSACTION_MODES,
  TRL_MAX,
  TRL_MIN,
} from "~/utils/taxonomy.ts";
import { FormActions, SectionTitle } from "./form-parts.tsx";
import { ChoiceGroup, FormErrors, FormField } from "~/components/ui/forms.tsx";

export const TRL_LEVELS = Array.from({ length: TRL_MAX - TRL_MIN + 1 }, (_, i) => TRL_MIN + i);

/** The 科技成果 form, for /achievements/new and /achievements/:id/edit. Works without JavaScript. */
export function AchievementForm({
  id,
  lastResult,
  defaultValue,
  regions,
  towns,
  cancelTo,
}: {
  id: string;
  lastResult?: SubmissionResult<string[]> | null;
  defaultValue: AchievementFormInput;
  regions: RegionGroupOption[];
  towns: CountyTowns;
  cancelTo: string;
}) {
  const { t } = useTranslation();
  const [form, fields] = useForm<AchievementFormInput>({
    id,
    lastResult,
    defaultValue,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AchievementFormSchema }),
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

      <SectionTitle>{t("listingForm.sections.basics")}</SectionTitle>
      <FormField field={fields.title} label={t("listingForm.labels.title")} hint={t("listingForm.hints.title")} required>
        <input {...getInputProps(fields.title, { type: "text", ...described(fields.title) })} maxLength={LIMITS.title} required />
      </FormField>
      <FormField field={fields.summary} label={t("listingForm.labels.summary")} hint={t("listingForm.hints.summary")} required>
        <textarea {...getTextareaProps(fields.summary, described(fields.summary))} rows={3} maxLength={LIMITS.summary} required />
      </FormField>
      <FormField field={fields.description} label={t("listingForm.labels.description")} hint={t("listingForm.hints.description")} required>
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

      <SectionTitle>{t("listingForm.sections.ip")}</SectionTitle>
      <FormField field={fields.ipType} label={t("listingForm.labels.ipType")} required>
        <select {...getSelectProps(fields.ipType)} required>
          <option value="">{t("listingForm.placeholders.choose")}</option>
          {IP_TYPES.map((v) => (
            <option key={v} value={v}>
              {t(`listing.ipTypes.${v}`)}
            </option>
          ))}
        </select>
      </FormField>
      <FormField field={fields.patentNumbers} label={t("listingForm.labels.patentNumbers")} hint={t("listingForm.hints.patentNumbers")}>
        <textarea
          {...getTextareaProps(fields.patentNumbers, described(fields.patentNumbers))}
          rows={3}
          spellCheck={false}
          autoCapitalize="characters"
          placeholder="ZL201910123456.X"
        />
      </FormField>
      <FormField field={fields.trl} label={t("listingForm.labels.trl")} hint={t("listingForm.hints.trl")} required>
        <select {...getSelectProps(fields.trl, described(fields.trl))} required>
          <option value="">{t("listingForm.placeholders.choose")}</option>
          {TRL_LEVELS.map((n) => (
            <option key={n} value={String(n)}>
              {t("listingForm.trlOption", { trl: n, stage: t(`listing.maturity.${maturityStage(n)}`) })}
            </option>
          ))}
        </select>
      </FormField>

      <SectionTitle>{t("listingForm.sections.trade")}</SectionTitle>
      <ChoiceGroup
        field={fields.transactionModes}
        legend={t("listingForm.labels.transactionModes")}
        hint={t("listingForm.hints.transactionModes")}
        required
      >
        {getCollectionProps(fields.transactionModes, { type: "checkbox", options: [...TRANSACTION_MODES] }).map(({ key, ...p }) => (
          <label key={key} htmlFor={p.id}>
            <input {...p} />
            {t(`listing.modes.${p.value}`)}
          </label>
        ))}
      </ChoiceGroup>
      <ChoiceGroup
        field={fields.licenseExclusivity}
        legend={t("listingForm.labels.licenseExclusivity")}
        hint={t("listingForm.hints.licenseExclusivity")}
      >
        {getCollectionProps(fields.licenseExclusivity, { type: "checkbox", options: [...LICENSE_EXCLUSIVITY] }).map(({ key, ...p }) => (
          <label key={key} htmlFor={p.id}>
            <input {...p} />
            {t(`listing.exclusivity.${p.value}`)}
          </label>
        ))}
      </ChoiceGroup>
      <ChoiceGroup field={fields.priceMode} legend={t("listingForm.labels.priceMode")} required>
        {getCollectionProps(fields.priceMode, { type: "radio", options: [...PRICE_MODES] }).map(({ key, ...p }) => (
          <label key={key} htmlFor={p.id}>
            <input {...p} />
            {t(`listing.priceModes.${p.value}`)}
          </label>
        ))}
      </ChoiceGroup>
      <fieldset className="fieldset price-list-fields" data-testid="price-list-fields">
        <legend>{t("prices.form.legend")}</legend>
        <p className="field-hint">{t("prices.form.hint")}</p>
        {PRICE_OPTIONS.map((o) => {
          const f = fields[priceFieldOf(o)];
          return (
            <FormField key={priceOptionKey(o)} field={f} label={t(`prices.options.${priceOptionKey(o)}`)}>
              <input
                {...getInputProps(f, { type: "text", ...described(f) })}
                inputMode="decimal"
                autoComplete="off"
                placeholder={t("prices.form.placeholder")}
              />
            </FormField>
          );
        })}
      </fieldset>
      <FormField field={fields.priceAmount} label={t("listingForm.labels.priceAmount")} hint={t("listingForm.hints.priceAmount")}>
        <input
          {...getInputProps(fields.priceAmount, { type: "text", ...described(fields.priceAmount) })}
          inputMode="decimal"
          autoComplete="off"
          placeholder="300000"
        />
      </FormField>
      <FormField field={fields.expiresAt} label={t("listingForm.labels.expiresAt")} hint={t("listingForm.hints.expiresAt")}>
        <input {...getInputProps(fields.expiresAt, { type: "date", ...described(fields.expiresAt) })} />
      </FormField>

      <SectionTitle>{t("listingForm.sections.people")}</SectionTitle>
      <FormField field={fields.inventors} label={t("listingForm.labels.inventors")} hint={t("listingForm.hints.inventors")}>
        <textarea
          {...getTextareaProps(fields.inventors, described(fields.inventors))}
          rows={4}
          placeholder={t("listingForm.placeholders.inventors")}
        />
      </FormField>
      <div className={`field field--checkbox${fields.fiscalFunded.errors?.length ? " field--invalid" : ""}`}>
        <label htmlFor={fields.fiscalFunded.id}>
          <input {...getInputProps(fields.fiscalFunded, { type: "checkbox", ...described(fields.fiscalFunded) })} />{" "}
          {t("listingForm.labels.fiscalFunded")}
        </label>
        <p className="field-hint" id={fields.fiscalFunded.descriptionId}>
          {t("listingForm.hints.fiscalFunded")}
        </p>
      </div>
      <FormField field={fields.fiscalProject} label={t("listingForm.labels.fiscalProject")} hint={t("listingForm.hints.fiscalProject")}>
        <input
          {...getInputProps(fields.fiscalProject, { type: "text", ...described(fields.fiscalProject) })}
          maxLength={LIMITS.fiscalProject}
        />
      </FormField>

      <SectionTitle>{t("listingForm.sections.region")}</SectionTitle>
      <RegionSelect regions={regions} towns={towns} county={fields.region} town={fields.town} />

      <FormActions cancelTo={cancelTo} />
    </Form>
  );
}
