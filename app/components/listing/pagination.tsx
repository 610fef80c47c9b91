import { Link, useSearchParams } from "@remix-run/react";
import { useTranslation } from "react-i18next";

/** Page numbers to show: the first, the last, and two either side of the current one; null is a gap. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  const out: (number | null)[] = [];
  for (let p = 1; p <= pages; p++) {
    if (p === 1 || p === pages || Math.abs(p - page) <= 2) out.push(p);
    else if (out[out.length - 1] !== null) out.push(null);
  }
  return out;
}

/** Plain links (shareable, no JavaScript needed) that keep the other query parameters, e.g. ?field=. */
export function Pagination({ page, pages }: { page: number; pages: number }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  if (pages <= 1) return null;
  const href = (p: number) => {
    const next = new URLSearchParams(params);
    if (p === 1) next.delete("page");
    else next.set("page", String(p));
    const s = next.toString();
    return s ? `?${s}` : "?";
  };
  return (
    <nav className="pagination" aria-label={t("listingUi.pager.label")}>
      {page > 1 ? (
        <Link to={href(page - 1)} rel="prev" className="pagination__step">
          {t("listingUi.pager.prev")}
        </Link>
      ) : (
        <span className="pagination__step is-disabled" aria-hidden="true">
          {t("listingUi.pager.prev")}
        </span>
      )}
      <ol className="pagination__pages">
        {pageWindow(page, pages).map((p, i) =>
          p === null ? (
            <li key={`gap-${i}`} aria-hidden="true" className="pagination__gap">
              …
            </li>
          ) : (
            <li key={p}>
              {p === page ? (
                <span aria-current="page" className="pagination__page is-current">
                  <span className="sr-only">{t("listingUi.pager.page", { page: p })}</span>
                  <span aria-hidden="true">{p}</span>
                </span>
              ) : (
                <Link to={href(p)} className="pagination__page" aria-label={t("listingUi.pager.page", { page: p })}>
                  {p}
                </Link>
              )}
            </li>
          ),
        )}
      </ol>
      {page < pages ? (
        <Link to={href(page + 1)} rel="next" className="pagination__step">
          {t("listingUi.pager.next")}
        </Link>
      ) : (
        <span className="pagination__step is-disabled" aria-hidden="true">
          {t("listingUi.pager.next")}
        </span>
      )}
    </nav>
  );
}
