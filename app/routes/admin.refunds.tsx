import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import contractStyles from "~/components/contract/contract.css";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { MAX_ATTACHMENT_BYTES } from "~/services/files/file-types.ts";
import { listRefunds, recordBankRefund } from "~/services/settlement/cancel.server.ts";
import listingStyles from "~/styles/listings.css";
import { ValidationError } from "~/utils/errors.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { formatYuan } from "~/utils/money.ts";
import { attempt, loadOrThrow, redirectDone, refusal, refuse, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { readUpload, uploadedFiles } from "~/web/forms.server.ts";
import { pageTitle, requestT } from "~/web/meta.server.ts";

/**
 * /admin/refunds (issue 14, point 8): the refunds of cancelled deals still due — online ones the
 * platform sends itself (a failure shows here and the deadline job retries), bank ones an admin
 * records once the bank sent them: the bank's reference, the date, the proof (a multipart form,
 * works without JavaScript). Admins only.
 */

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: contractStyles },
];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "退款处理 · 成果" }];

const UPLOAD_LIMITS = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: 6,
  field: "proof",
  tooLarge: "settlement.refunds.errors.proof",
  tooMany: "errors.invalidInput",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "refund:record");
  const refunds = await loadOrThrow(listRefunds(admin, { status: "due" }));
  const t = requestT(request);
  return json({ refunds, pageTitle: pageTitle(t, t("settlement.refunds.title")) });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "refund:record");
  let form: FormData;
  try {
    form = await readUpload(request, UPLOAD_LIMITS);
  } catch (e) {
    if (e instanceof ValidationError) return refusal(e, { intent: "record" });
    throw e;
  }
  const refundId = String(form.get("refund") ?? "");
  const values = { bankRef: String(form.get("bankRef") ?? ""), paidOn: String(form.get("paidOn") ?? "") };
  if (form.get("intent") !== "record") return refuse(400, { intent: String(form.get("intent") ?? ""), formError: "errors.invalidInput" });
  const [file] = uploadedFiles(form, "proof");
  return attempt(
    { intent: "record", target: refundId, values },
    async () =>
      recordBankRefund(admin, refundId, {
        bankRef: values.bankRef,
        paidOn: values.paidOn,
        proof: file ? { bytes: new Uint8Array(await file.arrayBuffer()), filename: file.name } : null,
      }),
    () => redirectDone("/admin/refunds", "recorded"),
  );
}

export default function AdminRefunds() {
  const { refunds } = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <div className="admin-page" data-testid="admin-refunds">
      <h1>{t("settlement.refunds.title")}</h1>
      <p className="muted">{t("settlement.refunds.intro")}</p>
      {params.get("done") === "recorded" ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t("settlement.refunds.done")}
        </p>
      ) : null}
      {failure && !failure.target ? <FormErrors errors={(failure.reply?.error ?? {})[""]} /> : null}
      {refunds.length === 0 ? <p data-testid="refunds-none">{t("settlement.refunds.none")}</p> : null}
      <ul className="admin-cards">
        {refunds.map((r) => {
          const mine = failure?.target === r.id;
          const errors = (mine ? (failure?.reply?.error ?? {}) : {}) as Record<string, string[] | null>;
          const typed = (mine ? (failure?.reply?.initialValue ?? {}) : {}) as Record<string, string>;
          return (
            <li key={r.id} className="admin-card" data-testid={`refund-${r.id}`}>
              <p>
                <Link to={r.kind === "excess" ? `/deals/${r.deal}` : `/deals/${r.deal}/cancel`}>{r.listingTitle}</Link> ·{" "}
                <span data-testid="refund-kind">{t(`settlement.refunds.kinds.${r.kind}`)}</span> · {t("settlement.refunds.stage")}{" "}
                {r.stageNumber} · {t(`settlement.cancel.vias.${r.via}`)} · <strong>{formatYuan(r.amount)}</strong> ·{" "}
                {formatDateTime(r.createdAt)}
              </p>
              {r.failureReason ? <p className="notice">{t("settlement.refunds.failure", { reason: r.failureReason })}</p> : null}
              {r.via === "bank" ? (
                <Form method="post" encType="multipart/form-data" className="contract-form">
                  <AuthenticityTokenInput />
                  <input type="hidden" name="intent" value="record" />
                  <input type="hidden" name="refund" value={r.id} />
                  <p>
                    <label htmlFor={`bankRef-${r.id}`}>{t("settlement.refunds.bankRef")}</label>
                    <br />
                    <input id={`bankRef-${r.id}`} name="bankRef" required maxLength={100} defaultValue={typed.bankRef ?? ""} />
                  </p>
                  <FieldErrors id={`bankRef-${r.id}-error`} errors={errors.bankRef} />
                  <p>
                    <label htmlFor={`paidOn-${r.id}`}>{t("settlement.refunds.paidOn")}</label>
                    <br />
                    <input id={`paidOn-${r.id}`} name="paidOn" type="date" required defaultValue={typed.paidOn ?? ""} />
                  </p>
                  <FieldErrors id={`paidOn-${r.id}-error`} errors={errors.paidOn} />
                  <p>
                    <label htmlFor={`proof-${r.id}`}>{t("settlement.refunds.proof")}</label>
                    <br />
                    <input id={`proof-${r.id}`} name="proof" type="file" accept="application/pdf,image/png,image/jpeg,image/webp" />
                  </p>
                  <FieldErrors id={`proof-${r.id}-error`} errors={errors.proof} />
                  <FormErrors errors={errors[""]} />
                  <button type="submit" className="button" data-testid={`record-${r.id}`}>
                    {t("settlement.refunds.record")}
                  </button>
                </Form>
              ) : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
