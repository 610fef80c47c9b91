import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { DEFAULT_REGISTRATION_TARGET_FEN } from "~/schemas/settings.ts";
import { STATISTICS_FIRST_YEAR, STATISTICS_LAST_YEAR, TargetFormSchema } from "~/schemas/statistics.ts";
import { setRegistrationTarget } from "~/services/settings/registration-targets.server.ts";
import { platformSettings } from "~/services/settings/settings.server.ts";
import { currentChinaYear } from "~/services/statistics/period.ts";
import { formatYuan } from "~/utils/money.ts";
import { attempt, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/** /bureau/targets — the county's yearly 技术合同交易额 targets for the dashboard (issue 15, point 5; settings `registrationTargets`). */

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "年度目标 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "statistics:targets");
  const { registrationTargets } = await platformSettings();
  const t = requestT(request);
  return json({
    targets: registrationTargets,
    defaultFen: DEFAULT_REGISTRATION_TARGET_FEN,
    year: currentChinaYear(),
    pageTitle: pageTitle(t, t("statistics.targets.title")),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "statistics:targets");
  const values = formValues(await readVerifiedForm(request));
  const ctx = { intent: values.intent === "remove" ? "remove" : "set", values };
  const parsed = TargetFormSchema.safeParse(values);
  if (!parsed.success) return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error) });
  const input = parsed.data;
  return attempt(
    ctx,
    () => setRegistrationTarget(user, input.year, input.intent === "set" ? input.amount : null),
    () => redirectDone("/bureau/targets", input.intent === "set" ? "saved" : "removed"),
  );
}

export default function TargetsPage() {
  const { targets, defaultFen, year } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const failed = resultFor(useActionData<typeof action>() as ActionResult | undefined, "set");
  const busy = useNavigation().state === "submitting";
  return (
    <div className="form">
      <h1>{t("statistics.targets.title")}</h1>
      <p className="muted">{t("statistics.targets.intro", { amount: formatYuan(defaultFen) })}</p>
      <DoneNotice ns="statistics.targets" />
      <div className="table-wrap">
        <table data-testid="targets">
          <thead>
            <tr>
              <th scope="col">{t("statistics.year")}</th>
              <th scope="col">{t("statistics.targets.amount")}</th>
              <th scope="col">
                <span className="sr-only">{t("statistics.targets.remove")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {targets.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  {t("statistics.targets.none")}
                </td>
              </tr>
            ) : (
              targets.map((x) => (
                <tr key={x.year}>
                  <td>{x.year}</td>
                  <td>{formatYuan(x.amountFen)}</td>
                  <td>
                    <Form method="post">
                      <AuthenticityTokenInput />
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="year" value={x.year} />
                      <button type="submit" className="button button--ghost">
                        {t("statistics.targets.remove")}
                      </button>
                    </Form>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Form method="post" className="form-card" data-testid="target-form">
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="set" />
        {failed?.formError ? (
          <div className="form-error">
            <FieldErrors errors={[failed.formError]} />
          </div>
        ) : null}
        <Field id="year" label={t("statistics.year")} errors={failed?.fieldErrors.year}>
          <input
            id="year"
            name="year"
            type="number"
            inputMode="numeric"
            min={STATISTICS_FIRST_YEAR}
            max={STATISTICS_LAST_YEAR}
            required
            defaultValue={failed?.values.year ?? String(year)}
            aria-describedby="year-error"
          />
        </Field>
        <Field id="amount" label={t("statistics.targets.amountYuan")} errors={failed?.fieldErrors.amount}>
          <input
            id="amount"
            name="amount"
            inputMode="decimal"
            required
            defaultValue={failed?.values.amount ?? ""}
            placeholder="2000000"
            aria-describedby="amount-error"
          />
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {busy ? t("auth.submitting") : t("statistics.targets.save")}
        </button>
      </Form>
      <p>
        <Link to="/bureau/dashboard">{t("statistics.targets.back")}</Link>
      </p>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
