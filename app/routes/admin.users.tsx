import { parseWithZod } from "@conform-to/zod";
import { Pager } from "~/components/ui/pager.tsx";
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import listingStyles from "~/styles/listings.css";
import { SetDisabledSchema } from "~/schemas/admin.ts";
import { resultFor, successOf, type ActionResult } from "~/schemas/action-result.ts";
import { SetRolesSchema, USER_SEARCH_MAX, UserListQuerySchema, type UserListQuery } from "~/schemas/account.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { listUsers, setUserDisabled, setUserRoles } from "~/services/accounts/accounts.server.ts";
import { FieldErrors } from "~/components/ui/forms.tsx";
import { ROLES } from "~/utils/permissions.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";
import { attempt, intentAction, invalid, refuse, succeed } from "~/web/actions.server.ts";

// The table becomes cards on a phone (.my-table).
export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export const meta: MetaFunction = () => [{ title: "用户管理 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "user:manage");
  const parsed = UserListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    // A search that cannot be one (too long, control characters) is named on the page, not widened to everyone.
    const none: Awaited<ReturnType<typeof listUsers>> = { total: 0, page: 1, pageCount: 1, users: [] };
    const query: UserListQuery = { page: 1 };
    return json({ ...none, query, me: admin.id, errors: flattenZodErrors(parsed.error) }, { status: 400 });
  }
  const query = parsed.data;
  return json({ ...(await listUsers(admin, query)), query, me: admin.id, errors: null });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "user:manage");
  const formData = await readVerifiedForm(request);
  const values = formValues(formData);
  const target = values.userId ?? null;
  return intentAction(values, {
    "set-roles": async () => {
      const submission = parseWithZod(formData, { schema: SetRolesSchema });
      if (submission.status !== "success") return invalid(submission, { intent: "set-roles", target });
      const { userId, roles } = submission.value;
      // A user is never left with no role: the service refuses it as a field error on `roles`.
      return attempt(
        { intent: "set-roles", target, submission },
        () => setUserRoles(admin, userId, roles),
        () => succeed("set-roles", null, userId),
      );
    },
    "set-disabled": async () => {
      const parsed = SetDisabledSchema.safeParse(values);
      if (!parsed.success) return refuse(400, { intent: "set-disabled", target, fieldErrors: flattenZodErrors(parsed.error) });
      const { userId, disabled } = parsed.data;
      return attempt(
        { intent: "set-disabled", target },
        () => setUserDisabled(admin, userId, disabled),
        () => succeed("set-disabled", { disabled }, userId),
      );
    },
  });
}

export default function AdminUsers() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  const navigation = useNavigation();
  return (
    <div>
      <h1>{t("admin.usersTitle")}</h1>
      <Form method="get" className="toolbar" role="search">
        <label className="sr-only" htmlFor="q">
          {t("admin.search")}
        </label>
        <input
          id="q"
          name="q"
          type="search"
          maxLength={USER_SEARCH_MAX}
          defaultValue={data.query.q ?? ""}
          placeholder={t("admin.search")}
          aria-invalid={data.errors?.q ? true : undefined}
          aria-describedby={data.errors?.q ? "q-error" : undefined}
        />
        <label className="sr-only" htmlFor="role">
          {t("admin.filterRole")}
        </label>
        <select id="role" name="role" defaultValue={data.query.role ?? ""} aria-label={t("admin.filterRole")}>
          <option value="">{t("admin.allRoles")}</option>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
        <button type="submit" className="button button--ghost">
          {t("admin.apply")}
        </button>
        <span className="muted">{t("admin.total", { count: data.total })}</span>
        {data.errors?.q ? (
          <span id="q-error" className="field-errors" role="alert" data-testid="search-error">
            {data.errors.q.map((m) => t(m, { max: USER_SEARCH_MAX })).join(" ")}
          </span>
        ) : null}
      </Form>
      <div className="table-wrap">
        <table className="my-table">
          <thead>
            <tr>
              <th>{t("admin.name")}</th>
              <th>{t("admin.email")}</th>
              <th>{t("admin.organization")}</th>
              <th>{t("admin.roles")}</th>
              <th>{t("admin.account")}</th>
            </tr>
          </thead>
          <tbody>
            {data.users.map((u) => {
              const saving = navigation.formData?.get("userId") === u.id;
              const rolesFailed = resultFor(result, "set-roles", u.id);
              const rolesSaved = result?.ok && result.intent === "set-roles" && result.target === u.id;
              const disableFailed = resultFor(result, "set-disabled", u.id);
              const toggled = result?.target === u.id ? successOf(result as ActionResult<{ disabled: boolean }>, "set-disabled") : null;
              return (
                <tr key={u.id} data-testid={`user-row-${u.email}`}>
                  <td data-label={t("admin.name")}>
                    {u.name}
                    {u.disabled ? <span className="badge">{t("admin.disabled")}</span> : null}
                  </td>
                  <td data-label={t("admin.email")}>{u.email}</td>
                  <td data-label={t("admin.organization")}>
                    {u.organization ? (
                      <>
                        {u.organization.name}
                        <br />
                        <small className="muted">
                          {t(`orgTypes.${u.organization.type}`)} {u.organization.creditCode ?? ""}
                        </small>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td data-label={t("admin.roles")}>
                    <Form method="post" className="role-form" preventScrollReset>
                      <AuthenticityTokenInput />
                      <input type="hidden" name="intent" value="set-roles" />
                      <input type="hidden" name="userId" value={u.id} />
                      {ROLES.map((r) => (
                        <label key={r}>
                          <input type="checkbox" name="roles" value={r} defaultChecked={u.roles.includes(r)} />
                          {t(`roles.${r}`)}
                        </label>
                      ))}
                      <button type="submit" className="button button--ghost" disabled={saving}>
                        {saving ? t("auth.submitting") : t("admin.save")}
                      </button>
                      {rolesSaved ? (
                        <span className="notice" role="status">
                          {t("admin.saved", { name: u.name })}
                        </span>
                      ) : null}
                      {rolesFailed ? (
                        <FieldErrors
                          errors={[...(rolesFailed.fieldErrors.roles ?? []), ...(rolesFailed.formError ? [rolesFailed.formError] : [])]}
                        />
                      ) : null}
                    </Form>
                  </td>
                  <td data-label={t("admin.account")}>
                    {u.id === data.me ? null : (
                      <Form method="post" preventScrollReset>
                        <AuthenticityTokenInput />
                        <input type="hidden" name="intent" value="set-disabled" />
                        <input type="hidden" name="userId" value={u.id} />
                        <input type="hidden" name="disabled" value={u.disabled ? "false" : "true"} />
                        <button type="submit" className="button button--ghost" disabled={saving}>
                          {u.disabled ? t("admin.enable") : t("admin.disable")}
                        </button>
                      </Form>
                    )}
                    {toggled ? (
                      <span className="notice" role="status">
                        {t(toggled.disabled ? "admin.disabledDone" : "admin.enabledDone", { name: u.name })}
                      </span>
                    ) : null}
                    {disableFailed ? (
                      <FieldErrors
                        errors={disableFailed.formError ? [disableFailed.formError] : Object.values(disableFailed.fieldErrors).flat()}
                      />
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager page={data.page} pageCount={data.pageCount} />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
