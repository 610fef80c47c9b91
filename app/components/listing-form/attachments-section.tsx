import { Form, useActionData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { ATTACHMENT_KINDS } from "~/utils/taxonomy.ts";
import { FieldErrors } from "~/components/ui/forms.tsx";

export interface AttachmentItem {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  kind: string;
}

/** Accepted in the file picker; the server checks the real type by the file's first bytes. */
const ACCEPT = "application/pdf,image/png,image/jpeg,image/webp,.pdf,.png,.jpg,.jpeg,.webp";

export function formatBytes(size: number, locale: string): string {
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  if (size >= 1024 * 1024) return `${n.format(size / 1024 / 1024)} MB`;
  if (size >= 1024) return `${n.format(size / 1024)} KB`;
  return `${size} B`;
}

/**
 * Evidence files of an editable item: the list (each opens at /attachments/:id, each with a
 * delete button) and a multipart upload form. Both post to the edit page's action.
 */
export function AttachmentsSection({
  attachments,
  max,
  errors,
  notice,
}: {
  attachments: AttachmentItem[];
  max: number;
  errors?: Record<string, string[]> | null;
  /** `attachmentAdded` / `attachmentRemoved` after the redirect of an upload or a delete. */
  notice?: string | null;
}) {
  const { t, i18n } = useTranslation();
  const navigation = useNavigation();
  const uploading = navigation.state === "submitting" && navigation.formData?.get("intent") === "upload";
  const full = attachments.length >= max;
  // The address keeps `?notice=` from an earlier upload while later forms post to it: once the
  // page answers a post of its own (a refused upload), only that last result shows.
  const answered = useActionData() !== undefined;
  const shownNotice = answered ? null : notice;
  return (
    <section className="card listing-attachments" id="attachments" aria-labelledby="attachments-title">
      <h2 id="attachments-title">{t("listingForm.attachments.title")}</h2>
      <p className="muted">{t("listingForm.attachments.intro")}</p>
      {shownNotice === "attachmentAdded" || shownNotice === "attachmentRemoved" ? (
        <p className="notice" role="status" data-testid="attachments-notice">
          {t(`listingForm.attachments.${shownNotice}`)}
        </p>
      ) : null}
      {attachments.length === 0 ? (
        <p>{t("listingForm.attachments.none")}</p>
      ) : (
        <ul className="attachment-list">
          {attachments.map((a) => (
            <li key={a.id}>
              <span className="badge">{t(`listing.attachmentKinds.${a.kind}`)}</span>{" "}
              <a href={`/attachments/${a.id}`} target="_blank" rel="noreferrer">
                {a.filename}
              </a>{" "}
              <span className="muted">({formatBytes(a.size, i18n.language)})</span>{" "}
              <Form
                method="post"
                className="inline-form"
                onSubmit={(e) => {
                  if (!window.confirm(t("listingForm.attachments.confirmDelete", { filename: a.filename }))) e.preventDefault();
                }}
              >
                <AuthenticityTokenInput />
                <input type="hidden" name="attachmentId" value={a.id} />
                <button
                  type="submit"
                  name="intent"
                  value="deleteAttachment"
                  className="button button--ghost button--small"
                  aria-label={t("listingForm.attachments.deleteLabel", { filename: a.filename })}
                >
                  {t("listingForm.attachments.delete")}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">{t("listingForm.attachments.count", { count: attachments.length, max })}</p>
      <FieldErrors id="attachments-form-error" errors={errors?.[""]} />
      {full ? (
        <p className="notice">{t("listingForm.attachments.full", { max })}</p>
      ) : (
        <Form method="post" encType="multipart/form-data" className="upload-form">
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="upload" />
          <div className={`field${errors?.kind?.length ? " field--invalid" : ""}`}>
            <label htmlFor="attachment-kind">{t("listingForm.attachments.kind")}</label>
            <select
              id="attachment-kind"
              name="kind"
              defaultValue="test-report"
              aria-describedby={errors?.kind ? "attachment-kind-error" : undefined}
            >
              {ATTACHMENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`listing.attachmentKinds.${k}`)}
                </option>
              ))}
            </select>
            <FieldErrors id="attachment-kind-error" errors={errors?.kind} />
          </div>
          <div className={`field${errors?.attachments?.length ? " field--invalid" : ""}`}>
            <label htmlFor="attachment-file">{t("listingForm.attachments.file")}</label>
            <input
              id="attachment-file"
              type="file"
              name="file"
              accept={ACCEPT}
              multiple
              required
              aria-invalid={errors?.attachments?.length ? true : undefined}
              aria-describedby={`attachment-file-hint${errors?.attachments?.length ? " attachment-file-error" : ""}`}
            />
            <p className="field-hint" id="attachment-file-hint">
              {t("listingForm.attachments.hint", { max })}
            </p>
            <FieldErrors id="attachment-file-error" errors={errors?.attachments} />
          </div>
          <button type="submit" className="button" disabled={uploading}>
            {uploading ? t("listingForm.attachments.uploading") : t("listingForm.attachments.upload")}
          </button>
        </Form>
      )}
    </section>
  );
}
