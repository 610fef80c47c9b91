import type { MultiSearchQuery } from "meilisearch";
import {
  BUDGET_BUCKETS,
  carriedTo,
  PRICE_BUCKETS,
  SEARCH_PAGE_SIZE,
  SUGGEST_LIMIT,
  type SearchKind,
  type SearchParams,
  type SearchSort,
} from "~/schemas/search.ts";
import { HIGHLIGHT_POST, HIGHLIGHT_PRE } from "~/utils/highlight.ts";
import { MATURITY_STAGES, STAGE_TRL, type MaturityStage } from "~/utils/taxonomy.ts";

/**
 * Pure builders for Meilisearch requests: filters, sorts, facets and highlighting for the search
 * page and the suggestions. Filter values arrive validated (app/schemas/search.ts) and are still
 * quoted and escaped here, so a value can never close its string and add an `OR` of its own.
 * Free text (`q`) goes only into Meilisearch's `q`, never into a filter. Highlights use the
 * private tags of app/utils/highlight.ts, which also splits the answers.
 */

export const CROP_MARKER = "…";
/** Snippet length in words (a Chinese word is one to a few characters after segmentation). */
export const CROP_WORDS = 36;
/** Pin Chinese segmentation for the query too: a short query such as "根腐病" could pass for Japanese. */
export const QUERY_LOCALES = ["cmn"];

/** A Meilisearch filter string literal: double-quoted, with `\` and `"` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A number for a filter: finite, plain decimal notation (never `1e21`, `NaN` or text). */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  const s = String(n);
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new RangeError(`number out of plain range: ${n}`);
  return s;
}

const inList = (attribute: string, values: readonly string[]) => `${attribute} IN [${values.map(quote).join(", ")}]`;
const anyOf = (clauses: string[]) => (clauses.length === 1 ? clauses[0]! : clauses.map((c) => `(${c})`).join(" OR "));

/** The facets of the page, each a filter group: values OR'ed inside a group, groups AND'ed. */
export const FACET_GROUPS = ["field", "mode", "ipType", "maturity", "price", "budget", "prefecture", "county"] as const;
export type FacetGroup = (typeof FACET_GROUPS)[number];
type FilterGroup = FacetGroup | "trlRange" | "priceRange";

/**
 * The facets each kind shows, and the index attribute whose distribution counts them. The money
 * bands are counted on the bands each document is in (search/documents.ts `priceBucketsOf`,
 * `budgetBucketsOf`); they are still filtered with the range clauses below.
 */
export const FACET_ATTRIBUTES: Record<SearchKind, Partial<Record<FacetGroup, string>>> = {
  achievements: {
    field: "field",
    mode: "transactionModes",
    ipType: "ipType",
    maturity: "maturity",
    price: "priceBuckets",
    prefecture: "prefecture",
    county: "county",
  },
  // A demand's maturity is the minimum TRL it accepts; its counts are summed into stages.
  demands: {
    field: "field",
    mode: "transactionModes",
    maturity: "minTrl",
    budget: "budgetBuckets",
    prefecture: "prefecture",
    county: "county",
  },
};
/** The bucketed money facet of each kind. */
export const MONEY_GROUP: Record<SearchKind, "price" | "budget"> = { achievements: "price", demands: "budget" };

type Range = { min: number | null; max: number | null };

/** (min, max] on a plain numeric attribute. */
function rangeClause(attribute: string, r: Range, inclusiveMin = false): string {
  const parts: string[] = [];
  if (r.min !== null) parts.push(`${attribute} ${inclusiveMin ? ">=" : ">"} ${numberLiteral(r.min)}`);
  if (r.max !== null) parts.push(`${attribute} <= ${numberLiteral(r.max)}`);
  return parts.join(" AND ");
}

/** A demand's budget read on its ceiling: budgetMax, or budgetMin when only a floor was given. */
function budgetCeilingClause(r: Range, inclusiveMin = false): string {
  const onMax = rangeClause("budgetMax", r, inclusiveMin) || "budgetMax EXISTS";
  const onMin = rangeClause("budgetMin", r, inclusiveMin) || "budgetMin EXISTS";
  return `(budgetMax IS NOT NULL AND ${onMax}) OR (budgetMax IS NULL AND budgetMin IS NOT NULL AND ${onMin})`;
}

export function priceBucketClause(id: string): string {
  const b = PRICE_BUCKETS.find((x) => x.id === id);
  if (!b) throw new RangeError(`unknown price bucket ${id}`);
  if (b.id === "negotiable") return `priceMode = ${quote("negotiable")}`;
  return rangeClause("price", b);
}

export function budgetBucketClause(id: string): string {
  const b = BUDGET_BUCKETS.find((x) => x.id === id);
  if (!b) throw new RangeError(`unknown budget bucket ${id}`);
  if (b.id === "open") return "budgetMax IS NULL AND budgetMin IS NULL";
  return budgetCeilingClause(b);
}

/** One clause per active filter group (absent when the group has no selection). */
export function filterGroups(kind: SearchKind, p: SearchParams): Partial<Record<FilterGroup, string>> {
  const g: Partial<Record<FilterGroup, string>> = {};
  if (p.field.length) g.field = inList("field", p.field);
  if (p.mode.length) g.mode = inList("transactionModes", p.mode);
  if (kind === "achievements") {
    if (p.ipType.length) g.ipType = inList("ipType", p.ipType);
    if (p.maturity.length) g.maturity = inList("maturity", p.maturity);
    if (p.trlMin !== undefined || p.trlMax !== undefined) {
      g.trlRange = rangeClause("trl", { min: p.trlMin ?? null, max: p.trlMax ?? null }, true);
    }
    if (p.price.length) g.price = anyOf(p.price.map(priceBucketClause));
    if (p.priceMin !== undefined || p.priceMax !== undefined) {
      g.priceRange = rangeClause("price", { min: p.priceMin ?? null, max: p.priceMax ?? null }, true);
    }
  } else {
    if (p.maturity.length) {
      g.maturity = anyOf(p.maturity.map((s) => `minTrl ${numberLiteral(STAGE_TRL[s][0])} TO ${numberLiteral(STAGE_TRL[s][1])}`));
    }
    if (p.trlMin !== undefined || p.trlMax !== undefined) {
      g.trlRange = rangeClause("minTrl", { min: p.trlMin ?? null, max: p.trlMax ?? null }, true);
    }
    if (p.budget.length) g.budget = anyOf(p.budget.map(budgetBucketClause));
    if (p.priceMin !== undefined || p.priceMax !== undefined) {
      g.priceRange = budgetCeilingClause({ min: p.priceMin ?? null, max: p.priceMax ?? null }, true);
    }
  }
  if (p.prefecture.length) g.prefecture = inList("prefecture", p.prefecture);
  if (p.county.length) g.county = inList("county", p.county);
  return g;
}

/**
 * The groups as Meilisearch's array filter (elements are AND'ed), leaving out `except` — the
 * "disjunctive facet": a facet's own counts are computed as if none of its values were chosen.
 */
export function combineFilter(groups: Partial<Record<FilterGroup, string>>, except?: FilterGroup): string[] {
  return Object.entries(groups)
    .filter(([k, clause]) => k !== except && clause)
    .map(([, clause]) => `(${clause})`);
}

/** The whole filter as one string (for logs and tests). */
export function filterString(kind: SearchKind, p: SearchParams): string {
  return combineFilter(filterGroups(kind, p)).join(" AND ");
}

export function sortFor(kind: SearchKind, sort: SearchSort, q: string): string[] | undefined {
  const price = kind === "achievements" ? "price" : "budgetMax";
  switch (sort) {
    case "newest":
      return ["publishedAt:desc"];
    case "priceAsc":
      return [`${price}:asc`];
    case "priceDesc":
      return [`${price}:desc`];
    case "trlDesc":
      return kind === "achievements" ? ["trl:desc"] : undefined;
    default:
      // Without words there is no relevance to rank by: newest first, like the browse lists.
      return q ? undefined : ["publishedAt:desc"];
  }
}

/**
 * What a result card reads of a hit (app/services/search/hits.ts): the rest of the document stays
 * in the index. An achievement's description is read only as its cropped passage, which
 * `_formatted` carries whether or not the attribute is retrieved.
 */
export const RETRIEVED: Record<SearchKind, string[]> = {
  achievements: [
    "id",
    "title",
    "summary",
    "field",
    "ipType",
    "trl",
    "transactionModes",
    "licenseExclusivity",
    "priceMode",
    "price",
    "ownerName",
    "ownerType",
    "featured",
    "regionName",
    "status",
    "publishedAt",
  ],
  demands: [
    "id",
    "title",
    "description",
    "field",
    "transactionModes",
    "minTrl",
    "budgetMin",
    "budgetMax",
    "enterpriseName",
    "regionName",
    "status",
    "publishedAt",
    "deadline",
  ],
};

const highlight = {
  highlightPreTag: HIGHLIGHT_PRE,
  highlightPostTag: HIGHLIGHT_POST,
  cropMarker: CROP_MARKER,
  cropLength: CROP_WORDS,
};

/** Which query of the multi-search answers what. */
export interface SearchPlan {
  queries: MultiSearchQuery[];
  /** Hits, pagination, the facets of groups without a selection, and this tab's count. */
  main: number;
  /** A facet group with a selection → the query that counts it without its own filter. */
  facetQueries: Partial<Record<FacetGroup, number>>;
  /** The other tab's count: in its index, the words with the filters a switch keeps (carriedTo). */
  otherKindQuery: number;
}

/**
 * Everything the search page needs in one multi-search: the page of hits with highlights and
 * the facet distribution (money bands included), one count-only query per facet group that has a
 * selection (so its other values keep their counts), and the other tab's total under the filters
 * it keeps. This tab's total is the main query's: its link keeps every filter (carriedTo).
 */
export function buildSearchPlan(kind: SearchKind, p: SearchParams, indexUids: Record<SearchKind, string>, page = p.page): SearchPlan {
  const groups = filterGroups(kind, p);
  const attributes = FACET_ATTRIBUTES[kind];
  const base = { indexUid: indexUids[kind], q: p.q, locales: QUERY_LOCALES };
  const countOnly = { page: 1, hitsPerPage: 0 };
  const queries: MultiSearchQuery[] = [];
  const add = (q: MultiSearchQuery) => queries.push(q) - 1;

  const main = add({
    ...base,
    filter: combineFilter(groups),
    facets: Object.values(attributes),
    page,
    hitsPerPage: SEARCH_PAGE_SIZE,
    sort: sortFor(kind, p.sort, p.q),
    attributesToRetrieve: RETRIEVED[kind],
    attributesToHighlight: kind === "achievements" ? ["title", "summary", "description"] : ["title", "description"],
    attributesToCrop: kind === "achievements" ? ["summary", "description"] : ["description"],
    ...highlight,
  });

  const facetQueries: SearchPlan["facetQueries"] = {};
  for (const [group, attribute] of Object.entries(attributes) as [FacetGroup, string][]) {
    if (!groups[group]) continue;
    facetQueries[group] = add({ ...base, ...countOnly, filter: combineFilter(groups, group), facets: [attribute] });
  }

  const other: SearchKind = kind === "achievements" ? "demands" : "achievements";
  const otherKindQuery = add({
    indexUid: indexUids[other],
    q: p.q,
    locales: QUERY_LOCALES,
    ...countOnly,
    filter: combineFilter(filterGroups(other, carriedTo(p, other))),
  });
  return { queries, main, facetQueries, otherKindQuery };
}

/** As-you-type suggestions: titles and keywords only, the title highlighted. */
export function buildSuggestQuery(q: string, limit = SUGGEST_LIMIT) {
  return {
    q,
    limit,
    attributesToSearchOn: ["title", "keywords"],
    attributesToRetrieve: ["id", "title"],
    attributesToHighlight: ["title"],
    highlightPreTag: HIGHLIGHT_PRE,
    highlightPostTag: HIGHLIGHT_POST,
    locales: QUERY_LOCALES,
  };
}

/** A demand's minTrl distribution summed into the maturity stages. */
export function stageCounts(distribution: Record<string, number> | undefined): Record<MaturityStage, number> {
  const out = Object.fromEntries(MATURITY_STAGES.map((s) => [s, 0])) as Record<MaturityStage, number>;
  for (const [value, count] of Object.entries(distribution ?? {})) {
    const trl = Number(value);
    if (!Number.isInteger(trl)) continue;
    const stage = (Object.entries(STAGE_TRL) as [MaturityStage, [number, number]][]).find(([, [lo, hi]]) => trl >= lo && trl <= hi);
    if (stage) out[stage[0]] += count;
  }
  return out;
}
