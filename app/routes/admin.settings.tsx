import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import {
  BANK_FIELD_MAX,
  bpsToPercent,
  BUY_NOW_CONFIRM_MAX_HOURS,
  SIGNING_DEADLINE_MAX_DAYS,
  NOTICE_MAX_DAYS,
  NOTICE_TEXT_MAX,
  PUBLIC_AGREEMENT_NOTICE_MIN_DAYS,
  SettingsFormSchema,
  settingsFromForm,
} from "~/schemas/settings.ts";
import { readSettings, settingsForAdmin, updateSettings } from "~/services/settings/settings.server.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { attempt, loadOrThrow, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/** /admin/settings: the platform settings that used to be constants (issue 13, point 11). */

export const meta: MetaFunction = () => [{ title: "平台设置 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "settings:manage");
  return json(await loadOrThrow(settingsForAdmin(admin)));
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "settings:manage");
  const values = formValues(await readVerifiedForm(request));
  const ctx = { intent: "settings", values };
  const parsed = SettingsFormSchema.safeParse(values);
  if (!parsed.success) return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error) });
  return attempt(
    ctx,
    async () => updateSettings(admin, settingsFromForm(parsed.data, await readSettings())),
    () => redirectDone("/admin/settings", "saved"),
  );
}

export default function AdminSettings() {
  const { settings, updatedAt, updatedByName } = useLoaderData<typeof loader>();
  const failed = resultFor(useActionData<typeof action>() as ActionResult | undefined, "settings");
  const { t } = useTranslation();
  const busy = useNavigation().state === "submitting";
  const value = (name: string, fallback: string | number) => failed?.values[name] ?? String(fallback);
  const errors = (name: string) => failed?.fieldErrors[name];
  return (
    <div className="form">
      <h1>{t("admin.settings.title")}</h1>
      <p className="muted">{t("admin.settings.intro")}</p>
      <DoneNotice ns="admin.settings" />
      {updatedAt && updatedByName ? (
        <p className="muted">{t("admin.settings.lastChanged", { name: updatedByName, date: formatDateTime(updatedAt) })}</p>
      ) : null}
      <Form method="post" className="form-card" data-testid="settings-form">
        <AuthenticityTokenInput />
        {failed?.formError ? (
          <div className="form-error">
            <FieldErrors errors={[failed.formError]} />
          </div>
        ) : null}
        <Field
          id="noticeDays"
          label={t("admin.settings.noticeDays")}
          hint={t("admin.settings.noticeDaysHint")}
          errors={errors("noticeDays")}
        >
          <input
            id="noticeDays"
            name="noticeDays"
            type="number"
            inputMode="numeric"
            min={1}
            max={NOTICE_MAX_DAYS}
            required
            defaultValue={value("noticeDays", settings.noticeDays)}
            aria-describedby="noticeDays-hint noticeDays-error"
          />
        </Field>
        <Field
          id="publicAgreementNoticeDays"
          label={t("admin.settings.publicAgreementNoticeDays")}
          hint={t("admin.settings.publicAgreementNoticeDaysHint")}
          errors={errors("publicAgreementNoticeDays")}
        >
          <input
            id="publicAgreementNoticeDays"
            name="publicAgreementNoticeDays"
            type="number"
            inputMode="numeric"
            min={PUBLIC_AGREEMENT_NOTICE_MIN_DAYS}
            max={NOTICE_MAX_DAYS}
            required
            defaultValue={value("publicAgreementNoticeDays", settings.publicAgreementNoticeDays)}
            aria-describedby="publicAgreementNoticeDays-hint publicAgreementNoticeDays-error"
          />
        </Field>
        <Field
          id="noticeTextZh"
          label={t("admin.settings.noticeTextZh")}
          hint={t("admin.settings.noticeTextHint")}
          errors={errors("noticeTextZh")}
        >
          <textarea
            id="noticeTextZh"
            name="noticeTextZh"
            rows={4}
            maxLength={NOTICE_TEXT_MAX}
            required
            defaultValue={value("noticeTextZh", settings.noticeText.zh)}
            aria-describedby="noticeTextZh-hint noticeTextZh-error"
          />
        </Field>
        <Field id="noticeTextEn" label={t("admin.settings.noticeTextEn")} errors={errors("noticeTextEn")}>
          <textarea
            id="noticeTextEn"
            name="noticeTextEn"
            rows={4}
            maxLength={NOTICE_TEXT_MAX}
            defaultValue={value("noticeTextEn", settings.noticeText.en)}
            aria-describedby="noticeTextEn-error"
          />
        </Field>
        <div className="field">
          <label className="choices">
            <input
              type="checkbox"
              name="showDemoAccounts"
              defaultChecked={failed ? failed.values.showDemoAccounts === "on" : settings.showDemoAccounts}
              aria-describedby="showDemoAccounts-hint"
            />{" "}
            {t("admin.settings.showDemoAccounts")}
          </label>
          <p className="field-hint" id="showDemoAccounts-hint">
            {t("admin.settings.showDemoAccountsHint")}
          </p>
        </div>
        <fieldset className="fieldset" data-testid="settlement-settings">
          <legend>{t("settlementSettings.legend")}</legend>
          {(
            [
              ["signingDeadlineDays", settings.signingDeadlineDays, { min: 1, max: SIGNING_DEADLINE_MAX_DAYS, step: 1 }],
              ["commissionPercent", bpsToPercent(settings.commissionBps), { min: 0, max: 50, step: 0.01 }],
              ["platformFeePercent", bpsToPercent(settings.platformFeeBps), { min: 0, max: 50, step: 0.01 }],
              ["buyNowDepositPercent", settings.buyNowDepositPercent, { min: 1, max: 100, step: 1 }],
              ["buyNowConfirmHours", settings.buyNowConfirmHours, { min: 1, max: BUY_NOW_CONFIRM_MAX_HOURS, step: 1 }],
            ] as const
          ).map(([name, current, range]) => (
            <Field key={name} id={name} label={t(`settlementSettings.${name}`)} errors={errors(name)}>
              <input
                id={name}
                name={name}
                type="number"
                inputMode="decimal"
                {...range}
                required
                defaultValue={value(name, current)}
                aria-describedby={`${name}-error`}
              />
            </Field>
          ))}
          {(
            [
              ["bankName", settings.bankAccount.name],
              ["bankBank", settings.bankAccount.bank],
              ["bankNumber", settings.bankAccount.number],
            ] as const
          ).map(([name, current]) => (
            <Field key={name} id={name} label={t(`settlementSettings.${name}`)} errors={errors(name)}>
              <input
                id={name}
                name={name}
                maxLength={BANK_FIELD_MAX}
                required
                defaultValue={value(name, current)}
                aria-describedby={`${name}-error`}
              />
            </Field>
          ))}
        </fieldset>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t("auth.submitting") : t("admin.settings.save")}
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
