import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { MAX_ATTACHMENT_BYTES } from "~/services/files/file-types.ts";
import { payByTransfer, payoutsForAdmin, recordBankPayout, type PayoutView } from "~/services/settlement/payouts.server.ts";
import { chinaToday, formatDate, isCalendarDate, startOfChinaDay } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";
import { attempt, intentAction, loadOrThrow, redirectDone } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, isMultipart, readUpload, readVerifiedForm, uploadedFiles } from "~/web/forms.server.ts";

/**
 * /admin/payouts: what the platform owes sellers and brokers (owed, in progress, failed) with the
 * payee's payout-account state, and the two ways to pay: a Connect transfer (or its retry) and a
 * bank payout recorded with reference, date and slip (issue 14, point 6).
 */

export const meta: MetaFunction = () => [{ title: "付款管理 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "settlement:payout");
  return json({ ...(await loadOrThrow(payoutsForAdmin(admin))), today: chinaToday() });
}

const PROOF_LIMITS = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: 6,
  field: "proof",
  tooLarge: "payouts.errors.proofFile",
  tooMany: "errors.invalidInput",
};

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "settlement:payout");
  const form = isMultipart(request) ? await readUpload(request, PROOF_LIMITS) : await readVerifiedForm(request);
  const values = formValues(form);
  const target = values.payoutId ?? null;
  const ctx = { intent: values.intent ?? "", target, values, notFound: "show" as const };
  return intentAction(values, {
    transfer: () =>
      attempt(
        ctx,
        () => payByTransfer(admin, values.payoutId ?? ""),
        () => redirectDone("/admin/payouts", "transfer"),
      ),
    bank: () =>
      attempt(
        ctx,
        async () => {
          const file = uploadedFiles(form, "proof")[0];
          const day = values.paidAt ?? "";
          return recordBankPayout(admin, values.payoutId ?? "", {
            bankRef: values.bankRef ?? "",
            paidAt: isCalendarDate(day) ? startOfChinaDay(day) : undefined,
            proof: file ? { filename: file.name, bytes: new Uint8Array(await file.arrayBuffer()) } : undefined,
          });
        },
        () => redirectDone("/admin/payouts", "bank"),
      ),
  });
}

function PayoutCard({ p, today, result }: { p: PayoutView; today: string; result: ActionResult | undefined }) {
  const { t, i18n } = useTranslation();
  const transferFailed = resultFor(result, "transfer", p.id);
  const bankFailed = resultFor(result, "bank", p.id);
  const open = p.status === "owed" || p.status === "failed" || p.status === "pending";
  return (
    <li className="admin-card" data-testid={`payout-${p.id}`}>
      <h2 className="admin-card__title">
        {t(`payouts.to.${p.to}`)} · {p.partyName} · {formatYuan(p.amountFen, i18n.language)}
      </h2>
      <p className="muted">
        <Link to={`/deals/${p.deal}`}>{p.dealTitle ?? p.deal}</Link> · {p.stageTitle ?? ""} ·{" "}
        <span data-testid="payout-status">{t(`payouts.status.${p.status}`)}</span>
        {p.via ? ` · ${t(`payouts.via.${p.via}`)}` : null}
        {p.paidAt ? ` · ${formatDate(p.paidAt)}` : null}
      </p>
      <p className="muted" data-testid="payee-account">
        {t(`payouts.account.${p.account}`)}
        {p.attempts ? ` · ${t("payouts.admin.attempts", { count: p.attempts })}` : null}
      </p>
      {p.failureReason ? (
        <p className="error" role="alert">
          {t("payouts.admin.reason", { reason: p.failureReason })}
        </p>
      ) : null}
      {open && p.account === "enabled" ? (
        <Form method="post" preventScrollReset>
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="transfer" />
          <input type="hidden" name="payoutId" value={p.id} />
          <button type="submit" className="button">
            {p.status === "failed" || p.status === "pending" ? t("payouts.admin.retry") : t("payouts.admin.transfer")}
          </button>
          {transferFailed?.formError ? <FieldErrors errors={[transferFailed.formError]} /> : null}
        </Form>
      ) : null}
      {p.status === "owed" || p.status === "failed" ? (
        <details open={!!bankFailed}>
          <summary>{t("payouts.admin.bank")}</summary>
          <Form method="post" encType="multipart/form-data" className="form-card" preventScrollReset>
            <AuthenticityTokenInput />
            <input type="hidden" name="intent" value="bank" />
            <input type="hidden" name="payoutId" value={p.id} />
            {bankFailed?.formError ? <FieldErrors errors={[bankFailed.formError]} /> : null}
            <Field id={`ref-${p.id}`} label={t("payouts.admin.bankRef")} errors={bankFailed?.fieldErrors.bankRef}>
              <input id={`ref-${p.id}`} name="bankRef" maxLength={100} required defaultValue={bankFailed?.values.bankRef ?? ""} />
            </Field>
            <Field id={`date-${p.id}`} label={t("payouts.admin.paidAt")} errors={bankFailed?.fieldErrors.paidAt}>
              <input id={`date-${p.id}`} name="paidAt" type="date" max={today} required defaultValue={bankFailed?.values.paidAt ?? today} />
            </Field>
            <Field id={`proof-${p.id}`} label={t("payouts.admin.proof")} errors={bankFailed?.fieldErrors.proof}>
              <input id={`proof-${p.id}`} name="proof" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" required />
            </Field>
            <button type="submit" className="button">
              {t("payouts.admin.record")}
            </button>
          </Form>
        </details>
      ) : null}
    </li>
  );
}

export default function AdminPayouts() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  return (
    <div>
      <h1>{t("payouts.admin.title")}</h1>
      <p className="muted">{t("payouts.admin.intro")}</p>
      <DoneNotice ns="payouts" />
      <h2>{t("payouts.admin.open")}</h2>
      {data.open.length === 0 ? (
        <p className="muted">{t("payouts.admin.none")}</p>
      ) : (
        <ul className="admin-cards" data-testid="open-payouts">
          {data.open.map((p) => (
            <PayoutCard key={p.id} p={p} today={data.today} result={result} />
          ))}
        </ul>
      )}
      {data.paid.length ? (
        <>
          <h2>{t("payouts.admin.paid")}</h2>
          <ul className="admin-cards" data-testid="paid-payouts">
            {data.paid.map((p) => (
              <PayoutCard key={p.id} p={p} today={data.today} result={result} />
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
