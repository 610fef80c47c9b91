import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { PolicyForm } from "~/components/policies/policy-form.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { FieldErrors, FormErrors } from "~/components/ui/forms.tsx";
import { resultFor } from "~/schemas/action-result.ts";
import { POLICY_FORM_FIELDS } from "~/schemas/policies.ts";
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_ITEM } from "~/services/files/file-types.ts";
import { publishPolicy, updatePolicy, withdrawPolicy } from "~/services/policies/commands.server.ts";
import { addPolicyAttachments, removePolicyAttachment } from "~/services/policies/files.server.ts";
import { policyForEdit } from "~/services/policies/queries.server.ts";
import formStyles from "~/components/listing-form/listing-form.css";
import policyStyles from "~/components/policies/policies.css";
import listingStyles from "~/styles/listings.css";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";
import { ValidationError } from "~/utils/errors.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refusal, refuse, type ActionFailure } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, isMultipart, readUpload, readVerifiedForm, uploadedFiles } from "~/web/forms.server.ts";

/**
 * /bureau/policies/:id/edit — the bureau's page of one document (issue 15, point 8): the form
 * (draft or published), attachments (upload, remove), publish (a draft), withdraw with a reason
 * (a published one), and the document's history from the audit log.
 */
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.policy.title ?? "文件"} · 政策发布 · 成果` }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: formStyles },
  { rel: "stylesheet", href: policyStyles },
];

const UPLOAD_LIMITS = {
  maxPartBytes: MAX_ATTACHMENT_BYTES,
  maxParts: MAX_ATTACHMENTS_PER_ITEM + 4,
  field: "attachments",
  tooLarge: "listingForm.attachments.invalid",
  tooMany: "errors.invalidInput",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "policy:publish");
  return json({ policy: await loadOrThrow(policyForEdit(user, params.id ?? "")) });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "policy:publish");
  const id = params.id ?? "";
  const here = `/bureau/policies/${id}/edit`;
  if (isMultipart(request)) {
    let form: FormData;
    try {
      form = await readUpload(request, UPLOAD_LIMITS);
    } catch (e) {
      if (e instanceof ValidationError) return refusal(e, { intent: "upload" });
      throw e;
    }
    const files = uploadedFiles(form, "file");
    if (!files.length) return refuse(400, { intent: "upload", fieldErrors: { attachments: ["listingForm.attachments.noFile"] } });
    return attempt(
      { intent: "upload" },
      async () =>
        addPolicyAttachments(
          user,
          id,
          await Promise.all(files.map(async (f) => ({ filename: f.name, bytes: new Uint8Array(await f.arrayBuffer()) }))),
        ),
      () => redirectDone(here, "uploaded"),
    );
  }
  const form = await readVerifiedForm(request);
  const values = formValues(form);
  return intentAction(values, {
    save: () =>
      attempt(
        { intent: "save", values: formValues(form, POLICY_FORM_FIELDS) },
        () => updatePolicy(user, id, values),
        () => redirectDone(here, "saved"),
      ),
    publish: () =>
      attempt(
        { intent: "publish" },
        () => publishPolicy(user, id),
        () => redirectDone(here, "published"),
      ),
    withdraw: () =>
      attempt(
        { intent: "withdraw", values: { reason: values.reason ?? "" } },
        () => withdrawPolicy(user, id, { reason: values.reason }),
        () => redirectDone(here, "withdrawn"),
      ),
    remove: () =>
      attempt(
        { intent: "remove", target: values.fileId ?? null },
        () => removePolicyAttachment(user, id, values.fileId ?? ""),
        () => redirectDone(here, "removed"),
      ),
  });
}

export default function EditPolicy() {
  const { policy } = useLoaderData<typeof loader>();
  const result = useActionData<ActionFailure>();
  const { t } = useTranslation();
  const save = resultFor(result, "save");
  const upload = resultFor(result, "upload");
  const publish = resultFor(result, "publish");
  const withdraw = resultFor(result, "withdraw");
  const editable = policy.status !== "withdrawn";
  const values = save?.values ?? {
    kind: policy.kind,
    title: policy.title,
    docNumber: policy.docNumber ?? "",
    issuer: policy.issuer,
    issuedOn: policy.issuedOn ?? "",
    effectiveOn: policy.effectiveOn ?? "",
    summary: policy.summaryTyped,
    body: policy.body,
  };
  return (
    <div className="policy-desk" data-testid="edit-policy-page">
      <p>
        <Link to="/bureau/policies">← {t("policies.bureau.title")}</Link>
      </p>
      <h1>
        {policy.title}{" "}
        <span className={`status-badge status-badge--${policy.status}`} data-testid="policy-status">
          {t(`policies.status.${policy.status}`)}
        </span>
      </h1>
      <p className="muted">
        {t(`policies.kinds.${policy.kind}`)}
        {policy.author ? ` · ${t("policies.bureau.author")} ${policy.author}` : ""}
        {policy.publishedAt ? ` · ${t("policies.publishedAt")} ${formatDate(policy.publishedAt)}` : ""}
        {" · "}
        <Link to={`/policies/${policy.id}`} data-testid="policy-view-link">
          {t("policies.bureau.view")}
        </Link>
      </p>
      <DoneNotice ns="policies" />

      {policy.status === "draft" ? (
        <Form method="post" className="inline-form" data-testid="publish-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="publish" />
          <button type="submit" className="button" data-testid="policy-publish">
            {t("policies.bureau.publish")}
          </button>{" "}
          <span className="muted">{t("policies.bureau.publishHint")}</span>
          <FormErrors errors={publish?.formError ? [publish.formError] : null} />
        </Form>
      ) : null}

      {policy.status === "published" ? (
        <Form method="post" className="listing-form" data-testid="withdraw-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="withdraw" />
          <label htmlFor="reason">{t("policies.bureau.reason")}</label>
          <textarea
            id="reason"
            name="reason"
            rows={2}
            maxLength={500}
            required
            defaultValue={withdraw?.values.reason ?? ""}
            aria-describedby="reason-error"
          />
          <FieldErrors id="reason-error" errors={withdraw?.fieldErrors.reason} />
          <FormErrors errors={withdraw?.formError ? [withdraw.formError] : null} />
          <p className="muted">{t("policies.bureau.withdrawHint")}</p>
          <button type="submit" className="button button--ghost" data-testid="policy-withdraw">
            {t("policies.bureau.withdraw")}
          </button>
        </Form>
      ) : null}

      {policy.status === "withdrawn" ? (
        <p className="notice" data-testid="withdrawn-notice">
          {t("policies.withdrawnNotice", { date: formatDate(policy.withdrawnAt) })}{" "}
          {policy.withdrawReason ? t("policies.withdrawnReason", { reason: policy.withdrawReason }) : ""}
          <br />
          {t("policies.bureau.notEditable")}
        </p>
      ) : null}

      <h2>{t("policies.attachments")}</h2>
      {policy.attachments.length ? (
        <ul data-testid="policy-attachments">
          {policy.attachments.map((a) => (
            <li key={a.id}>
              <a href={`/policies/${policy.id}/files/${a.id}`}>{a.filename}</a>{" "}
              <small className="muted">{Math.ceil(a.size / 1024)} KB</small>
              {editable ? (
                <Form method="post" className="inline-form">
                  <AuthenticityTokenInput />
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="fileId" value={a.id} />
                  <button type="submit" className="button button--ghost button--small">
                    {t("policies.bureau.remove")}
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {editable ? (
        <Form method="post" encType="multipart/form-data" className="listing-form" data-testid="upload-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="upload" />
          <label htmlFor="file">{t("policies.bureau.upload")}</label>
          <input
            id="file"
            type="file"
            name="file"
            multiple
            accept="application/pdf,image/png,image/jpeg,image/webp"
            aria-describedby="attachments-hint attachments-error"
          />
          <p className="field-hint" id="attachments-hint">
            {t("policies.bureau.uploadHint")}
          </p>
          <FieldErrors id="attachments-error" errors={upload?.fieldErrors.attachments} />
          <FormErrors errors={upload?.formError ? [upload.formError] : null} />
          <button type="submit" className="button button--ghost" data-testid="policy-upload">
            {t("policies.bureau.upload")}
          </button>
        </Form>
      ) : null}

      {editable ? (
        <>
          <h2>{t("policies.bureau.edit")}</h2>
          <PolicyForm
            intent="save"
            values={values}
            errors={(save?.reply.error ?? {}) as Record<string, string[] | null>}
            submitLabel={t("policies.bureau.save")}
          />
        </>
      ) : null}

      <h2>{t("policies.bureau.history")}</h2>
      <ol data-testid="policy-history">
        {policy.history.map((h, i) => (
          <li key={i}>
            {formatDateTime(h.at)} · {h.actorName} · {t(`policies.bureau.actions.${h.action}`, { defaultValue: h.action })}
            {h.reason ? ` · ${h.reason}` : ""}
          </li>
        ))}
      </ol>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
