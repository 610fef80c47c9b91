import { Link, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/**
 * Previous / "page N of M" / next, as links that keep the page's other search parameters (its
 * filters) and drop `done` (a notice belongs to the answer it came with).
 */
export function Pager({ page, pageCount }: { page: number; pageCount: number }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const pageLink = (n: number) => {
    const p = new URLSearchParams(params);
    p.set("page", String(n));
    p.delete("done");
    return `?${p}`;
  };
  return (
    <nav className="pager" aria-label="pagination">
      {page > 1 ? <Link to={pageLink(page - 1)}>{t("admin.prev")}</Link> : null}
      <span>{t("admin.page", { page, pageCount })}</span>
      {page < pageCount ? <Link to={pageLink(page + 1)}>{t("admin.next")}</Link> : null}
    </nav>
  );
}
