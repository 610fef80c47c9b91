import { Form } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { FieldErrors, FormError } from "./messages.tsx";
import { formatDate, formatDateTime } from "~/utils/china-time.ts";

/**
 * A reviewer's decision on one objection: a required resolution, then 成立 (the item goes back to
 * its owner as rejected) or 不成立. Posts intent=resolveObjection.
 */
export function ResolveObjectionForm({
  objectionId,
  result,
  hidden,
}: {
  objectionId: string;
  result?: ActionResult | null;
  hidden?: Record<string, string>;
}) {
  const { t } = useTranslation();
  const failure = resultFor(result, "resolveObjection", objectionId);
  const id = `resolution-${objectionId}`;
  const errors = failure?.fieldErrors.resolution;
  return (
    <Form method="post" className="reason-form" preventScrollReset>
      <AuthenticityTokenInput />
      <input type="hidden" name="intent" value="resolveObjection" />
      <input type="hidden" name="objectionId" value={objectionId} />
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <FormError message={failure?.formError} />
      <div className={`field${errors?.length ? " field--invalid" : ""}`}>
        <label htmlFor={id}>{t("detail.resolution")}</label>
        <textarea
          id={id}
          name="resolution"
          rows={2}
          maxLength={2000}
          aria-required="true"
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={errors?.length ? `${id}-error` : undefined}
          defaultValue={failure?.values.resolution ?? ""}
        />
        <FieldErrors id={`${id}-error`} errors={errors} />
      </div>
      <div className="workflow-actions__row">
        <button type="submit" name="decision" value="uphold" className="button" data-testid="objection-uphold">
          {t("detail.uphold")}
        </button>
        <button type="submit" name="decision" value="dismiss" className="button button--ghost" data-testid="objection-dismiss">
          {t("detail.dismiss")}
        </button>
      </div>
    </Form>
  );
}

export interface ObjectionItem {
  id: string;
  byName: string;
  text: string;
  status: string;
  resolution?: string;
  createdAt: string;
}

/** Objections filed against an item, for its owner and the reviewers; reviewers resolve open ones here. */
export function ObjectionList({
  objections,
  canResolve,
  result,
}: {
  objections: readonly ObjectionItem[];
  canResolve: boolean;
  result?: ActionResult | null;
}) {
  const { t } = useTranslation();
  return (
    <section className="detail-section" aria-labelledby="objections-title">
      <h2 id="objections-title">
        {t("detail.objectionsTitle")} <small className="muted">{objections.length}</small>
      </h2>
      {objections.length === 0 ? (
        <p className="muted">{t("detail.noObjections")}</p>
      ) : (
        <ul className="objection-list" data-testid="objections">
          {objections.map((o) => (
            <li key={o.id} className={`objection objection--${o.status}`}>
              <p className="objection__meta">
                <span className={`status-badge status-badge--objection-${o.status}`}>{t(`listingUi.objectionStatus.${o.status}`)}</span>{" "}
                {t("detail.objectionBy", { name: o.byName })}{" "}
                <time dateTime={o.createdAt} className="muted">
                  {formatDateTime(o.createdAt)}
                </time>
              </p>
              <blockquote className="objection__text">{o.text}</blockquote>
              {o.resolution ? (
                <p>
                  <strong>{t("detail.resolutionPrefix")}</strong>
                  {o.resolution}
                </p>
              ) : null}
              {canResolve && o.status === "open" ? <ResolveObjectionForm objectionId={o.id} result={result} /> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** 提出异议: any logged-in non-owner during the notice period. */
export function FileObjectionForm({ noticeEndsAt, result }: { noticeEndsAt: string | null; result?: ActionResult | null }) {
  const { t } = useTranslation();
  const failure = resultFor(result, "object");
  const errors = failure?.fieldErrors.text;
  return (
    <section className="detail-section" aria-labelledby="file-objection-title">
      <h2 id="file-objection-title">{t("detail.fileObjectionTitle")}</h2>
      <p className="muted">{t("detail.fileObjectionHint", { date: formatDate(noticeEndsAt) })}</p>
      <Form method="post" className="reason-form" preventScrollReset>
        <AuthenticityTokenInput />
        <input type="hidden" name="intent" value="object" />
        <FormError message={failure?.formError} />
        <div className={`field${errors?.length ? " field--invalid" : ""}`}>
          <label htmlFor="objection-text">{t("detail.objectionText")}</label>
          <textarea
            id="objection-text"
            name="text"
            rows={4}
            maxLength={2000}
            aria-required="true"
            aria-invalid={errors?.length ? true : undefined}
            aria-describedby={errors?.length ? "objection-text-error" : undefined}
            defaultValue={failure?.values.text ?? ""}
          />
          <FieldErrors id="objection-text-error" errors={errors} />
        </div>
        <button type="submit" className="button button--ghost" data-testid="file-objection">
          {t("detail.fileObjection")}
        </button>
      </Form>
    </section>
  );
}
