import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { FIELDS } from "~/utils/taxonomy.ts";

/** The field filter as plain links (?field=…), so a filtered list is a shareable address; resets the page. */
export function FieldFilter({ basePath, current }: { basePath: string; current: string | null }) {
  const { t } = useTranslation();
  return (
    <nav className="field-filter" aria-label={t("browse.filterByField")}>
      <ul>
        <li>
          <Link to={basePath} aria-current={current ? undefined : "page"} className={current ? undefined : "is-current"}>
            {t("browse.allFields")}
          </Link>
        </li>
        {FIELDS.map((f) => (
          <li key={f}>
            <Link
              to={`${basePath}?field=${f}`}
              aria-current={current === f ? "page" : undefined}
              className={current === f ? "is-current" : undefined}
            >
              {t(`listing.fields.${f}`)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
