import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { PolicyList, type PolicyListItem } from "./policy-list.tsx";

/** The home page's block of the newest published policies and notices (issue 15, point 8). */
export function PolicySection({ items }: { items: PolicyListItem[] }) {
  const { t } = useTranslation();
  return (
    <section className="home-listings" aria-labelledby="home-policies" data-testid="home-policies">
      <div className="section-head">
        <h2 id="home-policies">{t("policies.home.title")}</h2>
        <Link to="/policies" className="more-link">
          {t("policies.home.more")}
        </Link>
      </div>
      {items.length === 0 ? <p className="empty-state">{t("policies.home.empty")}</p> : <PolicyList items={items} headingLevel={3} />}
    </section>
  );
}
