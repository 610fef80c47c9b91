import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDate } from "~/utils/china-time.ts";
import type { PolicyKind } from "~/utils/policies.ts";

/** What a list shows of one published policy or notice. */
export interface PolicyListItem {
  id: string;
  kind: PolicyKind;
  title: string;
  docNumber: string | null;
  issuer: string;
  summary: string;
  publishedAt: string | null;
}

/** A list of published documents (the /policies page and the home page's section). */
export function PolicyList({ items, headingLevel = 2 }: { items: PolicyListItem[]; headingLevel?: 2 | 3 }) {
  const { t } = useTranslation();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <ul className="admin-cards" data-testid="policy-list">
      {items.map((p) => (
        <li key={p.id} className="admin-card" data-testid="policy-item">
          <Heading className="admin-card__title">
            <span className="badge">{t(`policies.kinds.${p.kind}`)}</span> <Link to={`/policies/${p.id}`}>{p.title}</Link>
          </Heading>
          <p className="muted">
            {[p.docNumber, p.issuer, p.publishedAt ? `${t("policies.publishedAt")} ${formatDate(p.publishedAt)}` : null]
              .filter(Boolean)
              .join(" · ")}
          </p>
          {p.summary ? <p>{p.summary}</p> : null}
        </li>
      ))}
    </ul>
  );
}
