import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { RegistrationSettingsFormSchema, registrationFieldErrors } from "~/schemas/registration.ts";
import { LARGE_BASES } from "~/schemas/settings.ts";
import { registrationSettingsForEditor, updateRegistrationSettings } from "~/services/registration/settings.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDateTime } from "~/utils/china-time.ts";
import { fenToYuanText } from "~/utils/money.ts";
import { attempt, loadOrThrow, redirectDone, refuse, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /bureau/settings (issue 15, point 9): the registration settings — authority names, the
 * registration point, the number prefix, review limits, the large-contract threshold and its
 * basis, and the holidays and make-up working days of years the built-in schedule does not carry.
 * Bureau users and admins.
 */
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];
export const meta: MetaFunction = () => [{ title: "登记设置 · 成果" }];

const TEXT_FIELDS = [
  "provinceOffice",
  "nationalSystem",
  "pointName",
  "pointCode",
  "prefectureCode",
  "reviewDays",
  "largeReviewDays",
] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "registration:configure");
  return json(await loadOrThrow(registrationSettingsForEditor(user)));
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "registration:configure");
  const values = formValues(await readVerifiedForm(request));
  const parsed = RegistrationSettingsFormSchema.safeParse(values);
  if (!parsed.success) return refuse(400, { intent: "save", values, fieldErrors: registrationFieldErrors(parsed.error) });
  return attempt(
    { intent: "save", values },
    () => updateRegistrationSettings(user, parsed.data),
    () => redirectDone("/bureau/settings", "saved"),
  );
}

export default function BureauSettings() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? null) as Record<string, string> | null;
  const s = data.settings;
  const initial: Record<string, string> = typed ?? {
    provinceOffice: s.provinceOffice,
    nationalSystem: s.nationalSystem,
    pointName: s.pointName,
    pointCode: s.pointCode,
    prefectureCode: s.prefectureCode,
    reviewDays: String(s.reviewDays),
    largeReviewDays: String(s.largeReviewDays),
    largeThreshold: fenToYuanText(s.largeThreshold),
    largeBasis: s.largeBasis,
    holidays: data.holidaysText,
    workdays: data.workdaysText,
  };
  const field = (name: string, control: React.ReactNode) => (
    <div className={`field${errors[name]?.length ? " field--invalid" : ""}`} key={name}>
      <label htmlFor={`rs-${name}`}>{t(`registration.settingsForm.${name}`)}</label>
      {control}
      <FieldErrors errors={errors[name]} />
    </div>
  );
  return (
    <div data-testid="registration-settings-page">
      <p className="breadcrumb">
        <Link to="/bureau/registrations">{t("registration.queue")}</Link>
      </p>
      <h1>{t("registration.settings")}</h1>
      <DoneNotice ns="registration" />
      <p className="field-hint">{t("registration.settingsForm.intro")}</p>
      <p data-testid="calendar-coverage">
        {t("registration.settingsForm.coverage")}：
        {data.coverage.map((c) => `${c.year} ${t(`registration.settingsForm.sources.${c.source}`)}`).join("；")}
      </p>
      {data.updatedAt ? (
        <p className="muted">
          {formatDateTime(data.updatedAt)} · {data.updatedByName}
        </p>
      ) : null}
      <Form method="post" data-testid="registration-settings-form">
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="save" />
        <FormErrors errors={errors[""]} />
        {TEXT_FIELDS.map((name) => field(name, <input id={`rs-${name}`} name={name} defaultValue={initial[name] ?? ""} />))}
        {field(
          "largeThreshold",
          <input id="rs-largeThreshold" name="largeThreshold" inputMode="decimal" defaultValue={initial.largeThreshold} />,
        )}
        {field(
          "largeBasis",
          <select id="rs-largeBasis" name="largeBasis" defaultValue={initial.largeBasis}>
            {LARGE_BASES.map((b) => (
              <option key={b} value={b}>
                {t(`registration.largeBases.${b}`)}
              </option>
            ))}
          </select>,
        )}
        {field("holidays", <textarea id="rs-holidays" name="holidays" rows={4} defaultValue={initial.holidays} />)}
        {field("workdays", <textarea id="rs-workdays" name="workdays" rows={2} defaultValue={initial.workdays} />)}
        <button type="submit" className="button" data-testid="save-registration-settings">
          {t("registration.settingsForm.save")}
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
