import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { formatDate } from "~/components/listing/format.ts";
import { Maturity } from "~/components/listing/maturity.tsx";
import { ModesDisplay } from "~/components/listing/modes.tsx";
import { BudgetDisplay, PriceDisplay } from "~/components/listing/price.tsx";
import { StatusBadge } from "~/components/listing/status-badge.tsx";
import type { AchievementHit, DemandHit, SearchHit } from "~/services/search.server.ts";
import { Highlighted } from "./highlight.tsx";

/**
 * One search result: the listing card's layout (app/styles/listings.css) with the matched words
 * marked in the title and a cropped passage of the summary or description around them.
 */
export function ResultCard({ hit }: { hit: SearchHit }) {
  return hit.kind === "achievement" ? <AchievementResult hit={hit} /> : <DemandResult hit={hit} />;
}

function Top({ hit, featured }: { hit: SearchHit; featured?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="listing-card__top">
      <span className="field-tag" data-testid="result-field">
        {t(`listing.fields.${hit.field}`)}
      </span>
      {featured ? <span className="badge badge--featured">{t("listingUi.featured")}</span> : null}
      {hit.status !== "published" ? <StatusBadge status={hit.status} /> : null}
    </div>
  );
}

function Title({ hit }: { hit: SearchHit }) {
  return (
    <h3 className="listing-card__title">
      <Link to={hit.href} data-testid="result-link">
        <Highlighted parts={hit.titleParts} />
      </Link>
    </h3>
  );
}

function Snippet({ hit }: { hit: SearchHit }) {
  if (hit.snippet.length === 0) return null;
  return (
    <p className="search-result__snippet" data-testid="result-snippet">
      <Highlighted parts={hit.snippet} />
    </p>
  );
}

function Published({ at }: { at: string | null }) {
  const { t } = useTranslation();
  if (!at) return null;
  return (
    <span className="muted">
      <span className="sr-only">{t("listingUi.publishedAt")} </span>
      <time dateTime={at}>{formatDate(at)}</time>
    </span>
  );
}

function AchievementResult({ hit }: { hit: AchievementHit }) {
  const { t } = useTranslation();
  return (
    <article className="listing-card search-result" data-testid="search-result" data-kind="achievement">
      <Top hit={hit} featured={hit.featured} />
      <Title hit={hit} />
      <p className="listing-card__by">
        {hit.ownerName}
        {hit.ownerType ? <span className="muted"> · {t(`orgTypes.${hit.ownerType}`)}</span> : null}
      </p>
      <Snippet hit={hit} />
      <dl className="listing-card__facts">
        <div>
          <dt>{t("listingUi.maturity")}</dt>
          <dd>
            <Maturity trl={hit.trl} />
          </dd>
        </div>
        <div>
          <dt>{t("listingUi.modes")}</dt>
          <dd>
            <ModesDisplay modes={hit.transactionModes} exclusivity={hit.licenseExclusivity} />
          </dd>
        </div>
        <div>
          <dt>{t("listingUi.ipType")}</dt>
          <dd>{t(`listing.ipTypes.${hit.ipType}`)}</dd>
        </div>
        <div>
          <dt>{t("listingUi.region")}</dt>
          <dd>{hit.regionName}</dd>
        </div>
      </dl>
      <div className="listing-card__bottom">
        <strong>
          <PriceDisplay price={hit.price} />
        </strong>
        <Published at={hit.publishedAt} />
      </div>
    </article>
  );
}

function DemandResult({ hit }: { hit: DemandHit }) {
  const { t } = useTranslation();
  return (
    <article className="listing-card listing-card--demand search-result" data-testid="search-result" data-kind="demand">
      <Top hit={hit} />
      <Title hit={hit} />
      <p className="listing-card__by">{hit.enterpriseName}</p>
      <Snippet hit={hit} />
      <dl className="listing-card__facts">
        <div>
          <dt>{t("listingUi.minTrl")}</dt>
          <dd>{hit.minTrl ? <Maturity trl={hit.minTrl} /> : t("listingUi.anyTrl")}</dd>
        </div>
        <div>
          <dt>{t("listingUi.acceptableModes")}</dt>
          <dd>
            <ModesDisplay modes={hit.transactionModes} />
          </dd>
        </div>
        <div>
          <dt>{t("listingUi.region")}</dt>
          <dd>{hit.regionName}</dd>
        </div>
        {hit.deadline ? (
          <div>
            <dt>{t("listingUi.deadline")}</dt>
            <dd>
              <time dateTime={hit.deadline}>{formatDate(hit.deadline)}</time>
            </dd>
          </div>
        ) : null}
      </dl>
      <div className="listing-card__bottom">
        <strong>
          <span className="muted">{t("listingUi.budget")} </span>
          <BudgetDisplay budget={hit.budget} />
        </strong>
        <Published at={hit.publishedAt} />
      </div>
    </article>
  );
}
