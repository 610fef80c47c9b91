import { Form, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { TRANSITIONS, type ListingAction } from "~/utils/listing-workflow.ts";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { FieldErrors, FormError } from "./messages.tsx";

const QUIET: readonly ListingAction[] = ["withdraw", "reject", "upholdObjection"];

function Hidden({ fields }: { fields?: Record<string, string> }) {
  return (
    <>
      {Object.entries(fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

/**
 * One POST form per workflow action the server offers (`intent=<action>`). Actions that need a
 * reason (reject…) get a labelled textarea; the server checks again and answers 400 with the
 * error under it, keeping what was typed.
 */
export function WorkflowActions({
  actions,
  result,
  target = null,
  hidden,
  idPrefix = "wf",
  compact = false,
}: {
  actions: readonly ListingAction[];
  result?: ActionResult | null;
  target?: string | null;
  hidden?: Record<string, string>;
  idPrefix?: string;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  if (actions.length === 0) return null;
  const simple = actions.filter((a) => !TRANSITIONS[a].needsReason);
  const withReason = actions.filter((a) => TRANSITIONS[a].needsReason);
  const busy = (a: string) =>
    navigation.state === "submitting" &&
    navigation.formData?.get("intent") === a &&
    (target === null || Object.entries(hidden ?? {}).every(([k, v]) => navigation.formData?.get(k) === v));
  const simpleFailure = resultFor(result, simple, target);
  return (
    <div className={`workflow-actions${compact ? " workflow-actions--compact" : ""}`}>
      {simple.length ? (
        <div className="workflow-actions__row">
          {simple.map((a) => (
            <Form method="post" key={a} preventScrollReset>
              <AuthenticityTokenInput />
              <Hidden fields={hidden} />
              <button
                type="submit"
                name="intent"
                value={a}
                className={`button${QUIET.includes(a) ? " button--ghost" : ""}`}
                disabled={busy(a)}
                data-testid={`action-${a}`}
              >
                {busy(a) ? t("listingUi.working") : t(`listing.actions.${a}`)}
              </button>
            </Form>
          ))}
        </div>
      ) : null}
      {simpleFailure ? <FormError message={simpleFailure.formError ?? Object.values(simpleFailure.fieldErrors).flat()[0]} /> : null}
      {withReason.map((a) => {
        const failure = resultFor(result, a, target);
        const id = `${idPrefix}-${a}-reason`;
        const errors = failure?.fieldErrors.reason;
        return (
          <Form method="post" key={a} className="reason-form" preventScrollReset>
            <AuthenticityTokenInput />
            <Hidden fields={hidden} />
            <input type="hidden" name="intent" value={a} />
            <FormError message={failure?.formError} />
            <div className={`field${errors?.length ? " field--invalid" : ""}`}>
              <label htmlFor={id}>{t("detail.reasonFor", { action: t(`listing.actions.${a}`) })}</label>
              <textarea
                id={id}
                name="reason"
                rows={compact ? 2 : 3}
                maxLength={2000}
                aria-required="true"
                aria-invalid={errors?.length ? true : undefined}
                aria-describedby={errors?.length ? `${id}-error` : `${id}-hint`}
                defaultValue={failure?.values.reason ?? ""}
              />
              {errors?.length ? null : (
                <p className="field-hint" id={`${id}-hint`}>
                  {t("detail.reasonHint")}
                </p>
              )}
              <FieldErrors id={`${id}-error`} errors={errors} />
            </div>
            <button type="submit" className="button button--ghost" disabled={busy(a)} data-testid={`action-${a}`}>
              {busy(a) ? t("listingUi.working") : t(`listing.actions.${a}`)}
            </button>
          </Form>
        );
      })}
    </div>
  );
}
