import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { AchievementFacts, DemandFacts, PublishedDate } from "~/components/listing/listing-card.tsx";
import { BudgetDisplay, PriceDisplay } from "~/components/listing/price.tsx";
import { StatusBadge } from "~/components/listing/status-badge.tsx";
import { Highlighted } from "./highlight.tsx";
import type { AchievementHit, DemandHit, SearchHit } from "~/services/search/hits.ts";

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
      <AchievementFacts
        trl={hit.trl}
        modes={hit.transactionModes}
        exclusivity={hit.licenseExclusivity}
        ipType={hit.ipType}
        regionName={hit.regionName}
      />
      <div className="listing-card__bottom">
        <strong>
          <PriceDisplay price={hit.price} />
        </strong>
        <PublishedDate at={hit.publishedAt} />
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
      <DemandFacts
        minTrl={hit.minTrl}
        modes={hit.transactionModes}
        regionName={hit.regionName}
        deadline={hit.deadline}
        modesLabel="listingUi.acceptableModes"
      />
      <div className="listing-card__bottom">
        <strong>
          <span className="muted">{t("listingUi.budget")} </span>
          <BudgetDisplay budget={hit.budget} />
        </strong>
        <PublishedDate at={hit.publishedAt} />
      </div>
    </article>
  );
}
