import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import type { AchievementView, DemandView } from "~/services/listings/views.ts";
import { Maturity } from "./maturity.tsx";
import { ModesDisplay } from "./modes.tsx";
import { severalPrices } from "~/schemas/listing-prices.ts";
import { BudgetDisplay, PriceDisplay } from "./price.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { VerifiedMark } from "./admin-marks.tsx";
import { formatDate } from "~/utils/china-time.ts";

type AchievementCardItem = Pick<
  AchievementView,
  | "id"
  | "title"
  | "summary"
  | "owner"
  | "field"
  | "trl"
  | "transactionModes"
  | "licenseExclusivity"
  | "price"
  | "regionName"
  | "publishedAt"
  | "status"
  | "featured"
> & { prices?: AchievementView["prices"] };
type DemandCardItem = Pick<
  DemandView,
  "id" | "title" | "enterprise" | "field" | "minTrl" | "transactionModes" | "budget" | "regionName" | "publishedAt" | "deadline" | "status"
>;

/** A public achievement in a list: what a buyer scans before opening it. */
export function AchievementCard({
  item,
  headingLevel = 3,
  verified = false,
}: {
  item: AchievementCardItem;
  headingLevel?: 2 | 3;
  /** The owner is an organisation an admin verified (已认证). */
  verified?: boolean;
}) {
  const { t } = useTranslation();
  const H = `h${headingLevel}` as const;
  return (
    <article className="listing-card" data-testid="achievement-card">
      <div className="listing-card__top">
        <span className="field-tag">{t(`listing.fields.${item.field}`)}</span>
        {item.featured ? <span className="badge badge--featured">{t("listingUi.featured")}</span> : null}
        {item.status !== "published" ? <StatusBadge status={item.status} /> : null}
      </div>
      <H className="listing-card__title">
        <Link to={`/achievements/${item.id}`}>{item.title}</Link>
      </H>
      <p className="listing-card__by">
        {item.owner.name}
        {item.owner.type ? <span className="muted"> · {t(`orgTypes.${item.owner.type}`)}</span> : null} <VerifiedMark verified={verified} />
      </p>
      {item.summary ? <p className="listing-card__summary">{item.summary}</p> : null}
      <AchievementFacts trl={item.trl} modes={item.transactionModes} exclusivity={item.licenseExclusivity} regionName={item.regionName} />
      <div className="listing-card__bottom">
        <strong>
          <PriceDisplay price={item.price} from={severalPrices(item.prices)} />
        </strong>
        <PublishedDate at={item.publishedAt} />
      </div>
    </article>
  );
}

/** A public demand in a list. */
export function DemandCard({
  item,
  headingLevel = 3,
  verified = false,
}: {
  item: DemandCardItem;
  headingLevel?: 2 | 3;
  /** The enterprise is an organisation an admin verified (已认证). */
  verified?: boolean;
}) {
  const { t } = useTranslation();
  const H = `h${headingLevel}` as const;
  return (
    <article className="listing-card listing-card--demand" data-testid="demand-card">
      <div className="listing-card__top">
        <span className="field-tag">{t(`listing.fields.${item.field}`)}</span>
        {item.status !== "published" ? <StatusBadge status={item.status} /> : null}
      </div>
      <H className="listing-card__title">
        <Link to={`/demands/${item.id}`}>{item.title}</Link>
      </H>
      <p className="listing-card__by">
        {item.enterprise.name} <VerifiedMark verified={verified} />
      </p>
      <DemandFacts minTrl={item.minTrl} modes={item.transactionModes} regionName={item.regionName} deadline={item.deadline} />
      <div className="listing-card__bottom">
        <strong>
          <span className="muted">{t("listingUi.budget")} </span>
          <BudgetDisplay budget={item.budget} />
        </strong>
        <PublishedDate at={item.publishedAt} />
      </div>
    </article>
  );
}

/** The publication date at the foot of a card (shared with search results). */
export function PublishedDate({ at }: { at: string | null }) {
  const { t } = useTranslation();
  if (!at) return null;
  return (
    <span className="muted">
      <span className="sr-only">{t("listingUi.publishedAt")} </span>
      <time dateTime={at}>{formatDate(at)}</time>
    </span>
  );
}

/** Maturity, modes, optionally the IP type, and region of an achievement card. */
export function AchievementFacts(p: { trl: number; modes: string[]; exclusivity: string[]; regionName: string; ipType?: string }) {
  const { t } = useTranslation();
  return (
    <dl className="listing-card__facts">
      <div>
        <dt>{t("listingUi.maturity")}</dt>
        <dd>
          <Maturity trl={p.trl} />
        </dd>
      </div>
      <div>
        <dt>{t("listingUi.modes")}</dt>
        <dd>
          <ModesDisplay modes={p.modes} exclusivity={p.exclusivity} />
        </dd>
      </div>
      {p.ipType ? (
        <div>
          <dt>{t("listingUi.ipType")}</dt>
          <dd>{t(`listing.ipTypes.${p.ipType}`)}</dd>
        </div>
      ) : null}
      <div>
        <dt>{t("listingUi.region")}</dt>
        <dd>{p.regionName}</dd>
      </div>
    </dl>
  );
}

/** Minimum TRL, acceptable modes, region and deadline of a demand card. */
export function DemandFacts(p: {
  minTrl: number | null;
  modes: string[];
  regionName: string;
  deadline: string | null;
  modesLabel?: string;
}) {
  const { t } = useTranslation();
  return (
    <dl className="listing-card__facts">
      <div>
        <dt>{t("listingUi.minTrl")}</dt>
        <dd>{p.minTrl ? <Maturity trl={p.minTrl} /> : t("listingUi.anyTrl")}</dd>
      </div>
      <div>
        <dt>{t(p.modesLabel ?? "listingUi.modes")}</dt>
        <dd>
          <ModesDisplay modes={p.modes} />
        </dd>
      </div>
      <div>
        <dt>{t("listingUi.region")}</dt>
        <dd>{p.regionName}</dd>
      </div>
      {p.deadline ? (
        <div>
          <dt>{t("listingUi.deadline")}</dt>
          <dd>
            <time dateTime={p.deadline}>{formatDate(p.deadline)}</time>
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
