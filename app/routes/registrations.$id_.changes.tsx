import { parseWithZod } from "@conform-to/zod";
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import certificateStyles from "~/components/registration/certificate.css";
import contractStyles from "~/components/contract/contract.css";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import tradingStyles from "~/components/trading/trading.css";
import { RegistrationCancelSchema, RegistrationChangeSchema } from "~/schemas/registration-changes.ts";
import { cancelRegistration, changeRegistration, getRegistrationForChange } from "~/services/registration/changes.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatYuan } from "~/utils/money.ts";
import { groupedNumber } from "~/utils/registration.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { attempt, intentAction, invalid, loadOrThrow, redirectDone, type ActionFailure } from "~/web/actions.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * /registrations/:id/changes — change registration (变更) and cancellation (注销) of a registered
 * contract (issue 15, point 3), for the bureau ("contract:register") only. Both keep the number and
 * add to the registration's history; the certificate and the public verification page show them.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: tradingStyles },
  { rel: "stylesheet", href: contractStyles },
  { rel: "stylesheet", href: certificateStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "变更 / 注销登记 · 成果" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "contract:register");
  const r = await loadOrThrow(getRegistrationForChange(user, params.id ?? ""));
  const t = requestT(request);
  return json({ r, pageTitle: pageTitle(t, t("registrationChanges.title"), groupedNumber(r.number)) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "contract:register");
  const id = params.id ?? "";
  const formData = await readVerifiedForm(request);
  const values = formValues(formData);
  const back = `/registrations/${id}/certificate`;
  return intentAction(values, {
    change: async () => {
      const submission = parseWithZod(formData, { schema: RegistrationChangeSchema });
      if (submission.status !== "success") return invalid(submission, { intent: "change" });
      return attempt(
        { intent: "change", submission },
        () => changeRegistration(user, id, submission.value),
        () => redirectDone(back, "changed"),
      );
    },
    cancel: async () => {
      const submission = parseWithZod(formData, { schema: RegistrationCancelSchema });
      if (submission.status !== "success") return invalid(submission, { intent: "cancel" });
      return attempt(
        { intent: "cancel", submission },
        () => cancelRegistration(user, id, submission.value),
        () => redirectDone(back, "cancelled"),
      );
    },
  });
}

export default function RegistrationChangesPage() {
  const { r } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t, i18n } = useTranslation();
  const k = (key: string) => `registrationChanges.${key}`;
  const f = (key: string) => t(`registrationCertificate.fields.${key}`);
  const errorsOf = (intent: string) =>
    (failure?.intent === intent ? (failure.reply?.error ?? {}) : {}) as Record<string, string[] | null | undefined>;
  const typedOf = (intent: string) => (failure?.intent === intent ? (failure.reply?.initialValue ?? {}) : {}) as Record<string, string>;
  const ce = errorsOf("change");
  const ct = typedOf("change");
  const xe = errorsOf("cancel");
  const xt = typedOf("cancel");
  const input = (name: string, label: string, current: string, type = "text") => (
    <label>
      <span>
        {label} <span className="muted">（{current}）</span>
      </span>
      <input
        name={name}
        type={type}
        defaultValue={ct[name] ?? ""}
        inputMode={type === "text" && /Amount$/.test(name) ? "decimal" : undefined}
        aria-invalid={ce[name]?.length ? true : undefined}
        aria-describedby={`${name}-error`}
      />
      <FieldErrors id={`${name}-error`} errors={ce[name]} />
    </label>
  );
  return (
    <div className="trading-page" data-testid="registration-changes-page">
      <p className="breadcrumb">
        <Link to={`/registrations/${r.id}/certificate`}>{t(k("back"))}</Link>
      </p>
      <h1>
        {t(k("title"))} · <span className="certificate__number">{groupedNumber(r.number)}</span>
      </h1>
      <DoneNotice ns="registrationChanges" />
      {r.status !== "registered" ? (
        <p className="notice" data-testid="changes-closed">
          {t(k("errors.notRegistered"))}
        </p>
      ) : (
        <>
          <section className="contract-section">
            <h2>{t(k("change"))}</h2>
            <p className="muted">{t(k("changeIntro"))}</p>
            <Form method="post" className="registration-change-form" data-testid="change-form">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="change" />
              {input("projectName", f("projectName"), r.projectName)}
              {input("sellerName", f("sellerName"), r.sellerName)}
              {input("buyerName", f("buyerName"), r.buyerName)}
              {input("validFrom", f("validFrom"), r.validFrom, "date")}
              {input("validTo", f("validTo"), r.validTo, "date")}
              {input("contractAmount", `${f("contractAmount")}（元）`, formatYuan(r.contractAmount, i18n.language))}
              {input("technologyAmount", `${f("technologyAmount")}（元）`, formatYuan(r.technologyAmount, i18n.language))}
              <label>
                <span>{t(k("reason"))}</span>
                <textarea
                  name="reason"
                  rows={3}
                  maxLength={500}
                  required
                  defaultValue={ct.reason ?? ""}
                  aria-describedby="change-reason-error"
                />
                <FieldErrors id="change-reason-error" errors={ce.reason} />
              </label>
              <FormErrors errors={ce[""]} />
              <button type="submit" className="button" data-testid="change-submit">
                {t(k("submitChange"))}
              </button>
            </Form>
          </section>
          <section className="contract-section">
            <h2>{t(k("cancel"))}</h2>
            <p className="muted">{t(k("cancelIntro"))}</p>
            <Form method="post" className="registration-change-form" data-testid="cancel-form">
              <AuthenticityTokenInput />
              <input type="hidden" name="intent" value="cancel" />
              <label>
                <span>{t(k("reason"))}</span>
                <textarea
                  name="reason"
                  rows={3}
                  maxLength={500}
                  required
                  defaultValue={xt.reason ?? ""}
                  aria-describedby="cancel-reason-error"
                />
                <FieldErrors id="cancel-reason-error" errors={xe.reason} />
              </label>
              <label>
                <span>
                  <input type="checkbox" name="confirm" /> {t(k("confirmCancel"))}
                </span>
                <FieldErrors errors={xe.confirm} />
              </label>
              <FormErrors errors={xe[""]} />
              <button type="submit" className="button button--danger" data-testid="cancel-submit">
                {t(k("submitCancel"))}
              </button>
            </Form>
          </section>
        </>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
