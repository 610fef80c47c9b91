import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { requireUser } from "~/web/auth.server.ts";

export const meta: MetaFunction = () => [{ title: "我的账户 · 成果" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return json({ user: await requireUser(request) });
}

export default function AccountPage() {
  const { user } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <div>
      <h1>{t("account.title")}</h1>
      {params.get("welcome") ? <p className="notice">{t("home.welcome", { name: user.name })}</p> : null}
      <div className="card">
        <dl>
          <dt>{t("auth.name")}</dt>
          <dd data-testid="account-name">{user.name}</dd>
          <dt>{t("auth.email")}</dt>
          <dd>{user.email}</dd>
          <dt>{t("account.organization")}</dt>
          <dd>{user.organization ? `${user.organization.name}（${t(`orgTypes.${user.organization.type}`)}）` : t("account.none")}</dd>
          <dt>{t("account.roles")}</dt>
          <dd data-testid="account-roles">
            {user.roles.map((r) => (
              <span key={r} className="badge badge--role">
                {t(`roles.${r}`)}
              </span>
            ))}
          </dd>
        </dl>
        <p className="muted">{t("account.requestRole")}</p>
      </div>
    </div>
  );
}
