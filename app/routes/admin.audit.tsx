import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Pager } from "~/components/ui/pager.tsx";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { FieldErrors } from "~/components/ui/forms.tsx";
import { AuditQuerySchema, type AuditQueryInput } from "~/schemas/admin.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { auditActions, searchAudit } from "~/services/kernel/audit.server.ts";
import { AUDIT_SUBJECT_TYPES } from "~/utils/audit-subjects.ts";
import { formatDateTime } from "~/utils/china-time.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/** /admin/audit: the whole audit log, searchable, newest first, server-rendered (issue 13, point 11). */

export const meta: MetaFunction = () => [{ title: "审计日志 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "audit:view");
  const actions = await loadOrThrow(auditActions(admin));
  const parsed = AuditQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    // A filter that cannot be read is named on the page, not dropped (which would widen the search).
    const none: Awaited<ReturnType<typeof searchAudit>> = { total: 0, page: 1, pageCount: 1, entries: [] };
    const query: AuditQueryInput = { page: 1 };
    return json({ ...none, actions, query, errors: flattenZodErrors(parsed.error) }, { status: 400 });
  }
  return json({ ...(await loadOrThrow(searchAudit(admin, parsed.data))), actions, query: parsed.data, errors: null });
}

const LINKS: Record<string, (id: string) => string> = {
  achievement: (id) => `/achievements/${id}`,
  demand: (id) => `/demands/${id}`,
  auction: (id) => `/auctions/${id}`,
  offer: (id) => `/offers/${id}`,
  deal: (id) => `/deals/${id}`,
  room: (id) => `/rooms/${id}`,
  commissioner: (id) => `/bureau/commissioners/${id}`,
};

export default function AdminAudit() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  // An action's name: the admin's own, a listing workflow's, else its code.
  const actionName = (a: string) => t(`admin.audit.actions.${a}`, { defaultValue: t(`listing.actions.${a}`, { defaultValue: a }) });
  const q = data.query;
  const errs = (name: string) => data.errors?.[name];
  return (
    <div>
      <h1>{t("admin.audit.title")}</h1>
      <p className="muted">{t("admin.audit.intro")}</p>
      <Form method="get" className="filter-grid" role="search" data-testid="audit-search">
        <label>
          {t("admin.audit.actor")}
          <input name="actor" maxLength={100} defaultValue={q.actor ?? ""} />
          <FieldErrors errors={errs("actor")} />
        </label>
        <label>
          {t("admin.audit.action")}
          <select name="action" defaultValue={q.action ?? ""}>
            <option value="">{t("admin.audit.anyAction")}</option>
            {data.actions.map((a) => (
              <option key={a} value={a}>
                {actionName(a)}
                {actionName(a) !== a ? ` (${a})` : ""}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.audit.subjectType")}
          <select name="subjectType" defaultValue={q.subjectType ?? ""}>
            <option value="">{t("admin.audit.anyType")}</option>
            {AUDIT_SUBJECT_TYPES.map((s) => (
              <option key={s} value={s}>
                {t(`admin.audit.subjectTypes.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("admin.audit.subject")}
          <input name="subject" maxLength={24} spellCheck={false} defaultValue={q.subject ?? ""} />
          <FieldErrors errors={errs("subject")} />
        </label>
        <label>
          {t("admin.audit.fromDate")}
          <input name="fromDate" type="date" defaultValue={q.fromDate ?? ""} />
          <FieldErrors errors={errs("fromDate")} />
        </label>
        <label>
          {t("admin.audit.toDate")}
          <input name="toDate" type="date" defaultValue={q.toDate ?? ""} />
          <FieldErrors errors={errs("toDate")} />
        </label>
        <label>
          {t("admin.audit.q")}
          <input name="q" type="search" maxLength={100} defaultValue={q.q ?? ""} />
          <FieldErrors errors={errs("q")} />
        </label>
        <button type="submit" className="button">
          {t("admin.audit.search")}
        </button>
      </Form>
      <p className="muted" data-testid="audit-total">
        {t("admin.audit.total", { count: data.total })}
      </p>
      {data.entries.length === 0 ? <p className="empty">{t("admin.audit.none")}</p> : null}
      <ol className="admin-cards" data-testid="audit-entries">
        {data.entries.map((e) => {
          const link = LINKS[e.subjectType]?.(e.subject);
          return (
            <li key={e.id} className="admin-card" data-testid="audit-entry">
              <p>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time> · <strong>{e.actorName}</strong> · {actionName(e.action)}
              </p>
              <p className="muted">
                {t(`admin.audit.subjectTypes.${e.subjectType}`)}{" "}
                {link ? (
                  <Link to={link}>
                    <code>{e.subject}</code>
                  </Link>
                ) : (
                  <code>{e.subject}</code>
                )}
                {e.from || e.to ? ` · ${e.from ?? "—"} → ${e.to ?? "—"}` : null}
              </p>
              {e.reason ? <p className="audit-reason">{e.reason}</p> : null}
            </li>
          );
        })}
      </ol>
      <Pager page={data.page} pageCount={data.pageCount} />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
