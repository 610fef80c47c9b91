import { json, type LinksFunction, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useSearchParams } from "@remix-run/react";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { AchievementCard, DemandCard } from "~/components/listing/listing-card.tsx";
import { VerifiedMark } from "~/components/listing/admin-marks.tsx";
import { PolicySection } from "~/components/policies/policy-section.tsx";
import { platformOverview } from "~/services/accounts/directory.server.ts";
import { homeListings } from "~/services/listings/queries.server.ts";
import { latestPolicies } from "~/services/policies/queries.server.ts";
import listingStyles from "~/styles/listings.css";
import { ROLES } from "~/utils/permissions.ts";
import { useOptionalUser } from "~/root.tsx";

export const meta: MetaFunction = () => [
  { title: "成果 · 西畴县科技成果转移转化交易平台" },
  { name: "description", content: "西畴县科技成果转移转化交易平台：发布成果与需求，撮合供需，挂牌、竞价与洽谈，技术合同认定登记。" },
];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: listingStyles }];

export async function loader() {
  const [overview, listings, policies] = await Promise.all([platformOverview(), homeListings(6), latestPolicies(5)]);
  return json({ ...overview, listings, policies });
}

/** A home-page block of listings with its heading, a link to the full list, and an empty state. */
function ListingSection({
  id,
  title,
  more,
  moreTo,
  empty,
  count,
  children,
}: {
  id: string;
  title: string;
  more: string;
  moreTo: string;
  empty: string;
  count: number;
  children: ReactNode;
}) {
  return (
    <section className="home-listings" aria-labelledby={id} data-testid={id}>
      <div className="section-head">
        <h2 id={id}>{title}</h2>
        <Link to={moreTo} className="more-link">
          {more}
        </Link>
      </div>
      {count === 0 ? <p className="empty-state">{empty}</p> : <div className="listing-grid">{children}</div>}
    </section>
  );
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const user = useOptionalUser();
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const flow = t("home.flow", { returnObjects: true }) as unknown as string[];
  return (
    <div>
      {params.get("loggedOut") ? (
        <p className="notice" role="status">
          {t("auth.loggedOut")}
        </p>
      ) : null}
      <section className="hero">
        <h1>{user ? t("home.welcome", { name: user.name }) : t("home.heroTitle")}</h1>
        <p>{t("home.heroText")}</p>
        {user ? (
          <p>
            {t("home.yourRoles")}：
            {user.roles.map((r) => (
              <span key={r} className="badge badge--role">
                {t(`roles.${r}`)}
              </span>
            ))}
          </p>
        ) : (
          <div className="actions">
            <Link to="/register" className="button">
              {t("home.start")}
            </Link>
            <Link to="/login" className="button button--ghost">
              {t("home.login")}
            </Link>
          </div>
        )}
      </section>

      {data.listings.featured.length ? (
        <ListingSection
          id="home-featured"
          title={t("homeListings.featuredTitle")}
          more={t("homeListings.moreAchievements")}
          moreTo="/achievements"
          empty=""
          count={data.listings.featured.length}
        >
          {data.listings.featured.map((a) => (
            <AchievementCard key={a.id} item={a} />
          ))}
        </ListingSection>
      ) : null}

      <ListingSection
        id="home-latest-achievements"
        title={t("homeListings.latestAchievementsTitle")}
        more={t("homeListings.moreAchievements")}
        moreTo="/achievements"
        empty={t("homeListings.emptyAchievements")}
        count={data.listings.latestAchievements.length}
      >
        {data.listings.latestAchievements.map((a) => (
          <AchievementCard key={a.id} item={a} />
        ))}
      </ListingSection>

      <ListingSection
        id="home-latest-demands"
        title={t("homeListings.latestDemandsTitle")}
        more={t("homeListings.moreDemands")}
        moreTo="/demands"
        empty={t("homeListings.emptyDemands")}
        count={data.listings.latestDemands.length}
      >
        {data.listings.latestDemands.map((d) => (
          <DemandCard key={d.id} item={d} />
        ))}
      </ListingSection>

      <PolicySection items={data.policies} />

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
            <strong>{o.name}</strong> <VerifiedMark verified={o.verified} />
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
          <span key={town.code} className="badge" title={town.code}>
            {town.name}
          </span>
        ))}
      </p>
    </div>
  );
}
