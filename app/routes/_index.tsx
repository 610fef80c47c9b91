import { json, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { platformOverview } from "~/services/directory.server.ts";
import { ROLES } from "~/utils/permissions.ts";
import { useOptionalUser } from "~/root.tsx";

export const meta: MetaFunction = () => [
  { title: "成果 · 西畴县科技成果转移转化交易平台" },
  { name: "description", content: "西畴县科技成果转移转化交易平台：发布成果与需求，撮合供需，挂牌、竞价与洽谈，技术合同认定登记。" },
];

export async function loader() {
  return json(await platformOverview());
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const user = useOptionalUser();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const flow = t("home.flow", { returnObjects: true }) as unknown as string[];
  return (
    <div>
      {params.get("loggedOut") ? <p className="notice" role="status">{t("auth.loggedOut")}</p> : null}
      <section className="hero">
        <h1>{user ? t("home.welcome", { name: user.name }) : t("home.heroTitle")}</h1>
        <p>{t("home.heroText")}</p>
        {user ? (
          <p>
            {t("home.yourRoles")}：
            {user.roles.map((r) => (
              <span key={r} className="badge badge--role">{t(`roles.${r}`)}</span>
            ))}
          </p>
        ) : (
          <div className="actions">
            <Link to="/register" className="button">{t("home.start")}</Link>
            <Link to="/login" className="button button--ghost">{t("home.login")}</Link>
          </div>
        )}
      </section>

      <h2>{t("home.flowTitle")}</h2>
      <ol className="flow">
        {flow.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>

      <h2>{t("home.rolesTitle")}</h2>
      <div className="grid">
        {ROLES.map((r) => (
          <div key={r} className="card">
            <strong>{t(`roles.${r}`)}</strong>
            <p className="muted">{t(`roleHelp.${r}`)}</p>
          </div>
        ))}
      </div>

      <h2>
        {t("home.orgsTitle")} <small className="muted">{t("home.orgCount", { count: data.organizationCount })}</small>
      </h2>
      <p>
        {data.organizationsByType.map((b) => (
          <span key={b.type} className="badge">
            {t(`orgTypes.${b.type}`)} · {b.count}
          </span>
        ))}
      </p>
      <div className="grid">
        {data.recentOrganizations.map((o) => (
          <div key={o.id} className="card" data-testid="org-card">
            <strong>{o.name}</strong>
            <p className="muted">
              {t(`orgTypes.${o.type}`)}
              {o.region ? ` · ${o.region}` : ""}
            </p>
          </div>
        ))}
      </div>

      <h2>
        {t("home.townsTitle")} <small className="muted">{data.county.code}</small>
      </h2>
      <p>
        {data.county.towns.map((town) => (
          <span key={town.code} className="badge" title={town.code}>{town.name}</span>
        ))}
      </p>
    </div>
  );
}
