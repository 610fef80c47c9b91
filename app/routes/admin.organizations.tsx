import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Pager } from "~/components/ui/pager.tsx";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { DoneNotice } from "~/components/ui/done-notice.tsx";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult, type FormFeedback } from "~/schemas/action-result.ts";
import { ORG_SEARCH_MAX, OrgIntentSchema, OrgListQuerySchema, type OrgListQuery } from "~/schemas/admin.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import {
  editOrganization,
  listOrganizations,
  mergeOrganizations,
  setOrganizationVerified,
} from "~/services/accounts/organizations.server.ts";
import { formatDate } from "~/utils/china-time.ts";
import { attempt, intentAction, loadOrThrow, redirectDone, refuse } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/** /admin/organizations: list, search, verify, edit, merge duplicates (issue 13, point 11). */

export const meta: MetaFunction = () => [{ title: "机构管理 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "organization:manage");
  const parsed = OrgListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    // A search that cannot be one is named on the page, not widened to every organisation.
    const none: Awaited<ReturnType<typeof listOrganizations>> = { total: 0, page: 1, pageCount: 1, organizations: [] };
    const query: OrgListQuery = { page: 1 };
    return json({ ...none, query, errors: flattenZodErrors(parsed.error) }, { status: 400 });
  }
  return json({ ...(await loadOrThrow(listOrganizations(admin, parsed.data))), query: parsed.data, errors: null });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "organization:manage");
  const values = formValues(await readVerifiedForm(request));
  const target = values.orgId ?? null;
  const back = new URL(request.url).searchParams;
  back.delete("done");
  const handle = async () => {
    const ctx = { intent: values.intent ?? "", target, values, notFound: "show" as const };
    const parsed = OrgIntentSchema.safeParse(values);
    if (!parsed.success) return refuse(400, { ...ctx, fieldErrors: flattenZodErrors(parsed.error) });
    const input = parsed.data;
    return attempt(
      ctx,
      async () => {
        if (input.intent === "verify") await setOrganizationVerified(admin, input.orgId, input.verified);
        else if (input.intent === "edit") await editOrganization(admin, input.orgId, { name: input.name, creditCode: input.creditCode });
        else await mergeOrganizations(admin, input.orgId, input.into);
      },
      () => redirectDone("/admin/organizations", input.intent, { keep: back }),
    );
  };
  return intentAction(values, { verify: handle, edit: handle, merge: handle });
}

function Errors({ feedback }: { feedback: FormFeedback | null }) {
  if (!feedback?.formError) return null;
  return <FieldErrors errors={[feedback.formError]} />;
}

export default function AdminOrganizations() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  return (
    <div>
      <h1>{t("admin.orgs.title")}</h1>
      <p className="muted">{t("admin.orgs.intro")}</p>
      <DoneNotice ns="admin.orgs" />
      <Form method="get" className="toolbar" role="search">
        <label className="sr-only" htmlFor="q">
          {t("admin.orgs.search")}
        </label>
        <input
          id="q"
          name="q"
          type="search"
          maxLength={ORG_SEARCH_MAX}
          defaultValue={data.query.q ?? ""}
          placeholder={t("admin.orgs.search")}
          aria-invalid={data.errors?.q ? true : undefined}
        />
        <select name="verified" defaultValue={data.query.verified ?? ""} aria-label={t("admin.orgs.verified")}>
          <option value="">{t("admin.orgs.all")}</option>
          <option value="yes">{t("admin.orgs.verifiedOnly")}</option>
          <option value="no">{t("admin.orgs.unverifiedOnly")}</option>
        </select>
        <button type="submit" className="button button--ghost">
          {t("admin.apply")}
        </button>
        <span className="muted">{t("admin.orgs.total", { count: data.total })}</span>
        {data.errors?.q ? <FieldErrors errors={data.errors.q} /> : null}
      </Form>
      <ul className="admin-cards">
        {data.organizations.map((o) => {
          const verifyFailed = resultFor(result, "verify", o.id);
          const editFailed = resultFor(result, "edit", o.id);
          const mergeFailed = resultFor(result, "merge", o.id);
          return (
            <li key={o.id} className="admin-card" data-testid={`org-${o.id}`}>
              <h2 className="admin-card__title">
                {o.name} {o.verifiedAt ? <span className="badge badge--verified">{t("admin.orgs.verified")}</span> : null}
              </h2>
              <p className="muted">
                {t(`orgTypes.${o.type}`)} · {o.creditCode ?? "—"} · {t("admin.orgs.members", { count: o.members })}
                {o.verifiedAt ? ` · ${t("admin.orgs.verified")} ${formatDate(o.verifiedAt)}` : null}
              </p>
              <p className="muted">
                {t("admin.orgs.id")} <code>{o.id}</code>
              </p>
              <Form method="post" preventScrollReset>
                <AuthenticityTokenInput />
                <input type="hidden" name="intent" value="verify" />
                <input type="hidden" name="orgId" value={o.id} />
                <input type="hidden" name="verified" value={o.verifiedAt ? "false" : "true"} />
                <button type="submit" className="button button--ghost">
                  {o.verifiedAt ? t("admin.orgs.unverify") : t("admin.orgs.verify")}
                </button>
                <Errors feedback={verifyFailed} />
              </Form>
              <details open={!!editFailed}>
                <summary>{t("admin.orgs.edit")}</summary>
                <Form method="post" className="form-card" preventScrollReset>
                  <AuthenticityTokenInput />
                  <input type="hidden" name="intent" value="edit" />
                  <input type="hidden" name="orgId" value={o.id} />
                  <Errors feedback={editFailed} />
                  <Field id={`name-${o.id}`} label={t("admin.orgs.name")} errors={editFailed?.fieldErrors.name}>
                    <input id={`name-${o.id}`} name="name" maxLength={120} required defaultValue={editFailed?.values.name ?? o.name} />
                  </Field>
                  <Field id={`code-${o.id}`} label={t("admin.orgs.creditCode")} errors={editFailed?.fieldErrors.creditCode}>
                    <input
                      id={`code-${o.id}`}
                      name="creditCode"
                      maxLength={18}
                      autoCapitalize="characters"
                      spellCheck={false}
                      defaultValue={editFailed?.values.creditCode ?? o.creditCode ?? ""}
                    />
                  </Field>
                  <button type="submit" className="button">
                    {t("admin.orgs.save")}
                  </button>
                </Form>
              </details>
              <details open={!!mergeFailed}>
                <summary>{t("admin.orgs.merge")}</summary>
                <Form method="post" className="form-card" preventScrollReset>
                  <AuthenticityTokenInput />
                  <input type="hidden" name="intent" value="merge" />
                  <input type="hidden" name="orgId" value={o.id} />
                  <p className="muted">{t("admin.orgs.mergeHint")}</p>
                  <Errors feedback={mergeFailed} />
                  <Field id={`into-${o.id}`} label={t("admin.orgs.mergeInto")} errors={mergeFailed?.fieldErrors.into}>
                    <input
                      id={`into-${o.id}`}
                      name="into"
                      maxLength={24}
                      required
                      spellCheck={false}
                      defaultValue={mergeFailed?.values.into ?? ""}
                    />
                  </Field>
                  <div className="field">
                    <label className="choices">
                      <input type="checkbox" name="confirm" value="yes" required /> {t("admin.orgs.mergeConfirmLabel")}
                    </label>
                    <FieldErrors errors={mergeFailed?.fieldErrors.confirm} />
                  </div>
                  <button type="submit" className="button button--danger">
                    {t("admin.orgs.mergeSubmit")}
                  </button>
                </Form>
              </details>
            </li>
          );
        })}
      </ul>
      <Pager page={data.page} pageCount={data.pageCount} />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
