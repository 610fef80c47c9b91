import type { AchievementDoc } from "~/models/achievement.server.ts";
import type { DemandDoc } from "~/models/demand.server.ts";
import { isPublic, type ListingStatus } from "~/utils/listing-workflow.ts";
import { FIELD_NAMES_ZH, maturityStage } from "~/utils/taxonomy.ts";
import { fenToYuanOrNull } from "~/utils/money.ts";
import { BUDGET_BUCKETS, PRICE_BUCKETS } from "~/schemas/search.ts";

/**
 * What Meilisearch holds for a listing: pure transforms from the MongoDB documents. Only public
 * items are indexed; money is in yuan (facets and sorting read better), dates are Unix seconds.
 */
type WithId<T> = T & { _id: { toString(): string } };

const FIELD_LABELS: Readonly<Record<string, string>> = FIELD_NAMES_ZH;
const seconds = (d: Date | null | undefined) => (d ? Math.floor(new Date(d).getTime() / 1000) : null);

/** The county (6 digits) and prefecture (4 digits + 00) of a 6- or 9-digit region code. */
export function regionFacets(code: string) {
  return { county: code.slice(0, 6), prefecture: `${code.slice(0, 4)}00` };
}

export interface AchievementSearchDoc {
  id: string;
  title: string;
  summary: string;
  description: string;
  keywords: string[];
  field: string;
  fieldLabel: string;
  ipType: string;
  patentNumbers: string[];
  trl: number;
  maturity: string;
  transactionModes: string[];
  licenseExclusivity: string[];
  priceMode: string;
  /** yuan; null for negotiable without a reference price */
  price: number | null;
  /** The price bands of the search page (priceBucketsOf): one facet counts them all. */
  priceBuckets: string[];
  ownerName: string;
  ownerType: string;
  county: string;
  prefecture: string;
  regionName: string;
  status: ListingStatus;
  featured: boolean;
  fiscalFunded: boolean;
  source: string;
  externalId: string | null;
  publishedAt: number | null;
  updatedAt: number | null;
}

export interface DemandSearchDoc {
  id: string;
  title: string;
  description: string;
  keywords: string[];
  field: string;
  fieldLabel: string;
  transactionModes: string[];
  minTrl: number | null;
  budgetMin: number | null;
  budgetMax: number | null;
  /** The budget band of the search page (budgetBucketsOf): one facet counts them all. */
  budgetBuckets: string[];
  enterpriseName: string;
  county: string;
  prefecture: string;
  regionName: string;
  status: ListingStatus;
  featured: boolean;
  source: string;
  externalId: string | null;
  publishedAt: number | null;
  deadline: number | null;
  updatedAt: number | null;
}

type Band = { min: number | null; max: number | null };
/** (min, max], as search/query.ts's filter clauses read a band. */
const inBand = (v: number, b: Band) => (b.min === null || v > b.min) && (b.max === null || v <= b.max);

/**
 * The price bands (app/schemas/search.ts PRICE_BUCKETS) an achievement falls in, exactly as the
 * filter clauses of search/query.ts `priceBucketClause` select them: 面议 by the price mode, the
 * others by the amount in yuan — so a negotiable listing with a reference price is in two.
 */
export function priceBucketsOf(priceMode: string, price: number | null): string[] {
  return PRICE_BUCKETS.filter((b) => (b.id === "negotiable" ? priceMode === "negotiable" : price !== null && inBand(price, b))).map(
    (b) => b.id,
  );
}

/** A demand's budget band (BUDGET_BUCKETS), read on its ceiling like `budgetBucketClause`: max, else min; none given: open. */
export function budgetBucketsOf(min: number | null, max: number | null): string[] {
  const ceiling = max ?? min;
  return BUDGET_BUCKETS.filter((b) => (b.id === "open" ? ceiling === null : ceiling !== null && inBand(ceiling, b))).map((b) => b.id);
}

/** Long descriptions are cut: the start carries the meaning, and the index stays small. */
const MAX_DESCRIPTION = 3000;

export function achievementDocument(a: WithId<AchievementDoc>): AchievementSearchDoc | null {
  if (!isPublic(a.status as ListingStatus)) return null;
  return {
    id: a._id.toString(),
    title: a.title,
    summary: a.summary,
    description: a.description.slice(0, MAX_DESCRIPTION),
    keywords: a.keywords ?? [],
    field: a.field,
    fieldLabel: FIELD_LABELS[a.field] ?? a.field,
    ipType: a.ipType,
    patentNumbers: a.patentNumbers ?? [],
    trl: a.trl,
    maturity: maturityStage(a.trl),
    transactionModes: a.transactionModes ?? [],
    licenseExclusivity: a.licenseExclusivity ?? [],
    priceMode: a.price?.mode ?? "negotiable",
    price: fenToYuanOrNull(a.price?.amount),
    priceBuckets: priceBucketsOf(a.price?.mode ?? "negotiable", fenToYuanOrNull(a.price?.amount)),
    ownerName: a.ownerName,
    ownerType: a.ownerType,
    ...regionFacets(a.region),
    regionName: a.regionName ?? a.region,
    status: a.status as ListingStatus,
    featured: !!a.featured,
    fiscalFunded: !!a.fiscalFunding?.funded,
    source: a.source,
    externalId: a.externalId ?? null,
    publishedAt: seconds(a.publishedAt),
    updatedAt: seconds(a.updatedAt),
  };
}

export function demandDocument(d: WithId<DemandDoc>): DemandSearchDoc | null {
  if (!isPublic(d.status as ListingStatus)) return null;
  return {
    id: d._id.toString(),
    title: d.title,
    description: d.description.slice(0, MAX_DESCRIPTION),
    keywords: d.keywords ?? [],
    field: d.field,
    fieldLabel: FIELD_LABELS[d.field] ?? d.field,
    transactionModes: d.transactionModes ?? [],
    minTrl: d.minTrl ?? null,
    budgetMin: fenToYuanOrNull(d.budget?.min),
    budgetMax: fenToYuanOrNull(d.budget?.max),
    budgetBuckets: budgetBucketsOf(fenToYuanOrNull(d.budget?.min), fenToYuanOrNull(d.budget?.max)),
    enterpriseName: d.enterpriseName,
    ...regionFacets(d.region),
    regionName: d.regionName ?? d.region,
    status: d.status as ListingStatus,
    featured: !!d.featured,
    source: d.source,
    externalId: d.externalId ?? null,
    publishedAt: seconds(d.publishedAt),
    deadline: seconds(d.deadline),
    updatedAt: seconds(d.updatedAt),
  };
}
