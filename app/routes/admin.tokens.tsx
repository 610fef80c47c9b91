import { parseWithZod } from "@conform-to/zod";
import { json, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { TokenFormSchema } from "~/schemas/api.ts";
import type { SessionUser } from "~/services/accounts/accounts.server.ts";
import { createApiToken, listApiTokens, revokeApiToken, type TokenIssuer } from "~/services/accounts/api-tokens.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { ROLES } from "~/utils/permissions.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { readVerifiedForm } from "~/web/forms.server.ts";
import { errorResponse } from "~/web/actions.server.ts";
import { Field, FieldErrors } from "~/components/ui/forms.tsx";

export const meta: MetaFunction = () => [{ title: "API 令牌 · 成果" }];

const issuer = (u: SessionUser): TokenIssuer => ({ id: u.id, name: u.name, roles: u.roles });
// The page may carry a freshly created token: never let a cache keep it.
const NO_STORE = { "Cache-Control": "no-store" };

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requirePermission(request, "token:manage");
  return json({ tokens: await listApiTokens(issuer(admin)) }, { headers: NO_STORE });
}

type FormValues = { name?: string; roles?: string[]; userEmail?: string };
type ActionResult =
  | { intent: "create"; ok: true; created: { token: string; name: string; prefix: string } }
  | { intent: "create"; ok: false; errors: Record<string, string[] | null>; values: FormValues }
  | { intent: "revoke"; ok: true; name: string };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "token:manage");
  const formData = await readVerifiedForm(request);
  const submission = parseWithZod(formData, { schema: TokenFormSchema });
  const values: FormValues = {
    name: String(formData.get("name") ?? ""),
    roles: formData.getAll("roles").map(String),
    userEmail: String(formData.get("userEmail") ?? ""),
  };
  if (submission.status !== "success") {
    // The revoke buttons carry the token's id in a hidden field: the answer names it.
    if (formData.get("intent") === "revoke") throw new Response("tokenId: errors.invalidId", { status: 400 });
    return json<ActionResult>({ intent: "create", ok: false, errors: submission.error ?? {}, values }, { status: 400, headers: NO_STORE });
  }
  const input = submission.value;
  try {
    if (input.intent === "revoke") {
      const t = await revokeApiToken(issuer(admin), input.tokenId);
      return json<ActionResult>({ intent: "revoke", ok: true, name: t.name }, { headers: NO_STORE });
    }
    const { token, view } = await createApiToken(issuer(admin), { name: input.name, roles: input.roles, userEmail: input.userEmail });
    return json<ActionResult>(
      { intent: "create", ok: true, created: { token, name: view.name, prefix: view.prefix } },
      { headers: NO_STORE },
    );
  } catch (e) {
    if (e instanceof ValidationError && input.intent === "create") {
      return json<ActionResult>({ intent: "create", ok: false, errors: e.fieldErrors, values }, { status: 400, headers: NO_STORE });
    }
    throw errorResponse(e);
  }
}

function CopyButton({ text }: { text: string }) {
  const { t } = useTranslation();
  const [hydrated, setHydrated] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => setHydrated(true), []);
  if (!hydrated || typeof navigator === "undefined" || !navigator.clipboard) return null;
  return (
    <button
      type="button"
      className="button button--ghost"
      onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}
    >
      {copied ? t("tokens.copied") : t("tokens.copy")}
    </button>
  );
}

export default function AdminTokens() {
  const { tokens } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "create";
  const failed = result?.intent === "create" && !result.ok ? result : null;
  const errorsOf = (field: string) => failed?.errors[field]?.map((k) => t(k)) ?? undefined;
  const formErrors = failed
    ? Object.entries(failed.errors)
        .filter(([k]) => !["name", "roles", "userEmail"].includes(k))
        .flatMap(([, v]) => v ?? [])
    : [];
  // Beijing time, formatted the same on the server and in the browser (no hydration mismatch).
  const date = (iso: string | null) =>
    iso ? new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ") : null;

  return (
    <div>
      <h1>{t("tokens.title")}</h1>
      <p className="muted">{t("tokens.intro")}</p>

      {result?.intent === "create" && result.ok ? (
        <section className="notice" role="status" aria-labelledby="created-title" data-testid="created-token">
          <h2 id="created-title">{t("tokens.createdTitle", { name: result.created.name })}</h2>
          <p>{t("tokens.copyHint")}</p>
          <div className="toolbar">
            <label htmlFor="new-token" className="sr-only">
              {t("tokens.tokenLabel")}
            </label>
            <input
              id="new-token"
              readOnly
              value={result.created.token}
              size={50}
              spellCheck={false}
              autoFocus
              onFocus={(e) => e.currentTarget.select()}
              className="token-value"
            />
            <CopyButton text={result.created.token} />
          </div>
        </section>
      ) : null}
      {result?.intent === "revoke" ? (
        <p className="notice" role="status">
          {t("tokens.revokedNotice", { name: result.name })}
        </p>
      ) : null}

      <h2>{t("tokens.listTitle")}</h2>
      {tokens.length === 0 ? (
        <p className="muted">{t("tokens.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t("tokens.name")}</th>
                <th>{t("tokens.roles")}</th>
                <th>{t("tokens.prefix")}</th>
                <th>{t("tokens.created")}</th>
                <th>{t("tokens.lastUsed")}</th>
                <th>{t("tokens.state")}</th>
                <th>
                  <span className="sr-only">{t("tokens.revoke")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => (
                <tr key={tok.id} data-testid={`token-row-${tok.prefix}`}>
                  <td>
                    {tok.name}
                    {tok.user ? (
                      <>
                        <br />
                        <small className="muted">
                          {t("tokens.actsAs")}: {tok.user.email}
                        </small>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {tok.roles.map((r) => (
                      <span key={r} className="badge badge--role">
                        {t(`roles.${r}`)}
                      </span>
                    ))}
                  </td>
                  <td>
                    <code>{tok.prefix}…</code>
                  </td>
                  <td>
                    {date(tok.createdAt)}
                    <br />
                    <small className="muted">
                      {t("tokens.createdBy")}: {tok.createdByName}
                    </small>
                  </td>
                  <td>{date(tok.lastUsedAt) ?? <span className="muted">{t("tokens.never")}</span>}</td>
                  <td>
                    {tok.revokedAt ? (
                      <span className="badge">{t("tokens.revokedAt", { at: date(tok.revokedAt) })}</span>
                    ) : (
                      t("tokens.active")
                    )}
                  </td>
                  <td>
                    {tok.revokedAt ? null : (
                      <Form
                        method="post"
                        preventScrollReset
                        onSubmit={(e) => {
                          if (!window.confirm(t("tokens.revokeConfirm", { name: tok.name }))) e.preventDefault();
                        }}
                      >
                        <AuthenticityTokenInput />
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="tokenId" value={tok.id} />
                        <button type="submit" className="button button--ghost" aria-label={`${t("tokens.revoke")} ${tok.name}`}>
                          {t("tokens.revoke")}
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <section className="form section-spaced">
        <h2>{t("tokens.createTitle")}</h2>
        {/* A new key after each creation empties the form for the next token. */}
        <Form method="post" className="form-card" noValidate key={result?.intent === "create" && result.ok ? result.created.prefix : "new"}>
          <AuthenticityTokenInput />
          <input type="hidden" name="intent" value="create" />
          {formErrors.length ? (
            <div className="form-error">
              <FieldErrors errors={formErrors.map((k) => t(k))} />
            </div>
          ) : null}
          <Field id="token-name" label={t("tokens.name")} hint={t("tokens.nameHint")} errors={errorsOf("name")}>
            <input
              id="token-name"
              name="name"
              type="text"
              maxLength={80}
              required
              defaultValue={failed?.values.name ?? ""}
              aria-invalid={errorsOf("name") ? true : undefined}
              aria-describedby="token-name-hint token-name-error"
            />
          </Field>
          <fieldset className="fieldset" aria-describedby="token-roles-hint token-roles-error">
            <legend>{t("tokens.roles")}</legend>
            <div className="choices">
              {ROLES.map((r) => (
                <label key={r}>
                  <input type="checkbox" name="roles" value={r} defaultChecked={failed?.values.roles?.includes(r) ?? false} />
                  {t(`roles.${r}`)}
                </label>
              ))}
            </div>
            <p className="field-hint" id="token-roles-hint">
              {t("tokens.rolesHint")}
            </p>
            <FieldErrors id="token-roles-error" errors={errorsOf("roles")} />
          </fieldset>
          <Field id="token-user" label={t("tokens.userEmail")} hint={t("tokens.userEmailHint")} errors={errorsOf("userEmail")}>
            <input
              id="token-user"
              name="userEmail"
              type="email"
              autoComplete="off"
              defaultValue={failed?.values.userEmail ?? ""}
              aria-invalid={errorsOf("userEmail") ? true : undefined}
              aria-describedby="token-user-hint token-user-error"
            />
          </Field>
          <button type="submit" className="button" disabled={busy}>
            {busy ? t("auth.submitting") : t("tokens.create")}
          </button>
        </Form>
        <p className="muted">{t("tokens.docs")}</p>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
