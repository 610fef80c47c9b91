import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { StageFacts } from "~/components/settlement/stage-parts.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { MAX_ATTACHMENT_BYTES } from "~/services/files/file-types.ts";
import { receiptsOverview } from "~/services/settlement/queries.server.ts";
import { recordBankReceipt } from "~/services/settlement/receipts.server.ts";
import listingStyles from "~/styles/listings.css";
import { formatDate } from "~/utils/china-time.ts";
import { ValidationError } from "~/utils/errors.ts";
import { formatYuan } from "~/utils/money.ts";
import { attempt, loadOrThrow, redirectDone, refusal, refuse, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { readUpload, uploadedFiles } from "~/web/forms.server.ts";

/**
 * /admin/receipts: an administrator records a bank transfer (对公转账) that arrived — finds the
 * stage by the reference in the remittance note (?reference=), records amount, value date, the
 * bank's reference and the slip (a multipart form), and sees the latest receipts (issue 14, point 5).
 */
export const meta: MetaFunction = () => [{ title: "到账登记 · 成果" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

const UPLOAD_LIMITS = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: 8,
  field: "proof",
  tooLarge: "listingForm.attachments.invalid",
  tooMany: "errors.invalidInput",
};
const FIELDS = ["reference", "amount", "receivedOn", "bankRef"] as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "settlement:record");
  const reference = new URL(request.url).searchParams.get("reference");
  return json(await loadOrThrow(receiptsOverview(admin, { reference })));
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "settlement:record");
  let form: FormData;
  try {
    form = await readUpload(request, UPLOAD_LIMITS);
  } catch (e) {
    if (e instanceof ValidationError) return refusal(e, { intent: "record" });
    throw e;
  }
  const values = Object.fromEntries(FIELDS.map((f) => [f, String(form.get(f) ?? "")])) as Record<(typeof FIELDS)[number], string>;
  const [file] = uploadedFiles(form, "file");
  if (!file) return refuse(400, { intent: "record", values, fieldErrors: { proof: ["settlement.errors.proofRequired"] } });
  return attempt(
    { intent: "record", values },
    async () => recordBankReceipt(admin, values, { filename: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }),
    () => redirectDone(`/admin/receipts?reference=${encodeURIComponent(values.reference)}`, "recorded"),
  );
}

export default function AdminReceipts() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<ActionFailure>();
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const money = (fen: number) => formatYuan(fen, i18n.language);
  const errors = (failure?.reply?.error ?? {}) as Record<string, string[] | null>;
  const typed = (failure?.reply?.initialValue ?? {}) as Record<string, string>;
  const reference = typed.reference ?? data.found?.reference ?? data.searched ?? "";
  return (
    <div data-testid="receipts-page">
      <h1>{t("settlement.admin.title")}</h1>
      <p className="muted">{t("settlement.admin.intro")}</p>
      {params.get("done") === "recorded" ? (
        <p className="notice" role="status" data-testid="done-notice">
          {t("settlement.done.recorded")}
        </p>
      ) : null}
      <Form method="get" className="search-form">
        <label>
          {t("settlement.reference")}
          <input name="reference" defaultValue={data.searched ?? ""} required />
        </label>
        <button type="submit" className="button button--ghost">
          {t("settlement.admin.find")}
        </button>
      </Form>
      {data.searched && !data.found ? (
        <p data-testid="reference-unknown">{t("settlement.admin.notFound", { reference: data.searched })}</p>
      ) : null}
      {data.found ? (
        <section className="admin-card" data-testid="found-stage">
          <h2 className="admin-card__title">
            <Link to={`/deals/${data.found.dealId}/stages/${data.found.number}`}>
              {t("settlement.stageTitle", { number: data.found.number, title: data.found.title })}
            </Link>
          </h2>
          <StageFacts stage={data.found} />
        </section>
      ) : null}

      <h2>{t("settlement.admin.record")}</h2>
      <Form method="post" encType="multipart/form-data" className="listing-form" data-testid="receipt-form">
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="record" />
        <label>
          {t("settlement.reference")}
          <input name="reference" required defaultValue={reference} aria-describedby="reference-error" />
        </label>
        <FieldErrors id="reference-error" errors={errors.reference} />
        <label>
          {t("settlement.admin.amount")}
          <input name="amount" inputMode="decimal" required defaultValue={typed.amount ?? ""} aria-describedby="amount-error" />
        </label>
        <FieldErrors id="amount-error" errors={errors.amount} />
        <label>
          {t("settlement.admin.receivedOn")}
          <input type="date" name="receivedOn" required defaultValue={typed.receivedOn ?? ""} aria-describedby="receivedOn-error" />
        </label>
        <FieldErrors id="receivedOn-error" errors={errors.receivedOn} />
        <label>
          {t("settlement.bankRef")}
          <input name="bankRef" required defaultValue={typed.bankRef ?? ""} aria-describedby="bankRef-error" />
        </label>
        <FieldErrors id="bankRef-error" errors={errors.bankRef} />
        <label>
          {t("settlement.admin.proof")}
          <input type="file" name="file" accept="application/pdf,image/png,image/jpeg,image/webp" required aria-describedby="proof-error" />
        </label>
        <FieldErrors id="proof-error" errors={errors.proof} />
        <FormErrors errors={errors[""]} />
        <button type="submit" className="button" data-testid="record-button">
          {t("settlement.admin.record")}
        </button>
      </Form>

      <h2>{t("settlement.admin.recent")}</h2>
      {data.recent.length === 0 ? (
        <p className="muted">{t("settlement.noReceipts")}</p>
      ) : (
        <ol className="admin-cards" data-testid="recent-receipts">
          {data.recent.map((r) => (
            <li key={r.id} className="admin-card">
              <Link to={`/deals/${r.dealId}/stages/${r.stageNumber}`}>
                <code>{r.reference}</code> · {t("settlement.stageTitle", { number: r.stageNumber, title: r.stageTitle })}
              </Link>
              <br />
              {t("settlement.receiptLine", {
                at: formatDate(r.receivedAt),
                via: t(`settlement.vias.${r.via}`),
                amount: money(r.amountFen),
              })}
              {r.bankRef ? ` · ${t("settlement.bankRef")} ${r.bankRef}` : ""}
              {r.recordedBy ? ` · ${r.recordedBy}` : ""}
              {r.proofFile ? (
                <>
                  {" · "}
                  <a href={`/admin/receipts/proof/${r.proofFile}`} data-testid="receipt-proof">
                    {t("settlement.proof")}
                  </a>
                </>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
