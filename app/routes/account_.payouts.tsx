import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AuthenticityTokenInput } from "remix-utils/csrf/react";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { FieldErrors } from "~/components/ui/forms.tsx";
import { resultFor, type ActionResult } from "~/schemas/action-result.ts";
import { onboardingLink, payeeAccountsOf, refreshPayeeAccount } from "~/services/settlement/connect.server.ts";
import { publicUrl } from "~/utils/env.server.ts";
import { attempt, intentAction, loadOrThrow } from "~/web/actions.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { formValues, readVerifiedForm } from "~/web/forms.server.ts";

/**
 * /account/payouts: a payee's Stripe Connect payout account (issue 14, point 6). A seller
 * organisation's admin (for the organisation), a broker or a seller on their own (for themselves)
 * starts or continues onboarding — the button redirects to a fresh account link — and comes back
 * here (`?return=<kind>.<owner>`: the state is asked of the gateway at once, not waiting for the
 * webhook). An expired or used link sends them to `?expired=1`.
 */

export const meta: MetaFunction = () => [{ title: "收款账户 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const url = new URL(request.url);
  const back = url.searchParams.get("return");
  const m = back ? /^(organization|user)\.([0-9a-f]{24})$/.exec(back) : null;
  // Back from the gateway's page: its state now. A payee the person may not manage is simply not refreshed.
  if (m) await refreshPayeeAccount(user, { ownerKind: m[1]!, owner: m[2]! }).catch(() => {});
  return json({
    accounts: await loadOrThrow(payeeAccountsOf(user)),
    returned: !!m,
    expired: url.searchParams.get("expired") === "1",
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const values = formValues(await readVerifiedForm(request));
  const target = `${values.ownerKind ?? ""}.${values.owner ?? ""}`;
  const base = `${publicUrl()}/account/payouts`;
  return intentAction(values, {
    onboard: () =>
      attempt(
        { intent: "onboard", target, values },
        () =>
          onboardingLink(
            user,
            { ownerKind: values.ownerKind ?? "", owner: values.owner ?? "" },
            { returnUrl: `${base}?return=${encodeURIComponent(target)}`, refreshUrl: `${base}?expired=1` },
          ),
        (link) => redirect(link.url),
      ),
  });
}

export default function AccountPayouts() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const { t } = useTranslation();
  return (
    <div>
      <h1>{t("payouts.mine.title")}</h1>
      <p className="muted">{t("payouts.mine.intro")}</p>
      {data.returned ? (
        <p className="notice" role="status">
          {t("payouts.mine.returned")}
        </p>
      ) : null}
      {data.expired ? (
        <p className="notice" role="status">
          {t("payouts.mine.expired")}
        </p>
      ) : null}
      {data.accounts.length === 0 ? <p className="muted">{t("payouts.mine.nobody")}</p> : null}
      <ul className="admin-cards">
        {data.accounts.map((a) => {
          const failed = resultFor(result, "onboard", `${a.ownerKind}.${a.owner}`);
          return (
            <li key={`${a.ownerKind}.${a.owner}`} className="admin-card" data-testid={`payee-${a.ownerKind}`}>
              <h2 className="admin-card__title">
                {t(a.ownerKind === "organization" ? "payouts.mine.forOrg" : "payouts.mine.forUser", { name: a.name })}
              </h2>
              <p data-testid="account-state">
                <strong>{t(`payouts.account.${a.state}`)}</strong>
                {a.accountRef ? (
                  <span className="muted">
                    {" "}
                    · {t("payouts.mine.accountRef")} <code>{a.accountRef}</code>
                  </span>
                ) : null}
              </p>
              {a.state === "onboarding" && a.requirementsDue.length ? (
                <p className="muted">
                  {t("payouts.mine.requirements")} {a.requirementsDue.join(", ")}
                </p>
              ) : null}
              {a.state !== "enabled" ? (
                <Form method="post">
                  <AuthenticityTokenInput />
                  <input type="hidden" name="intent" value="onboard" />
                  <input type="hidden" name="ownerKind" value={a.ownerKind} />
                  <input type="hidden" name="owner" value={a.owner} />
                  <button type="submit" className="button">
                    {a.state === "none" ? t("payouts.mine.start") : t("payouts.mine.continue")}
                  </button>
                  {failed?.formError ? <FieldErrors errors={[failed.formError]} /> : null}
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
