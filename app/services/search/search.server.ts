import { MeilisearchError, type MultiSearchResponse } from "meilisearch";
import { indexName, meili } from "../../../search/client.ts";
import { buildSearchPlan, FACET_ATTRIBUTES, MONEY_GROUP, stageCounts, type FacetGroup } from "../../../search/query.ts";
import { INDEXES } from "../../../search/settings.ts";
import { BUDGET_BUCKETS, MAX_QUERY_LENGTH, PRICE_BUCKETS, SEARCH_PAGE_SIZE, type SearchKind, type SearchParams } from "~/schemas/search.ts";
import { logger } from "~/utils/logger.server.ts";
import { FIELDS, IP_TYPES, MATURITY_STAGES, TRANSACTION_MODES } from "~/utils/taxonomy.ts";
import { achievementHit, demandHit, type SearchHit } from "./hits.ts";
import { countyLabel, prefectureLabel } from "./regions.server.ts";

export type { AchievementHit, DemandHit, SearchHit } from "./hits.ts";

/**
 * Search over the Meilisearch index (search/): the result page with facets (here), and as-you-type
 * suggestions (suggest.server.ts). Meilisearch is a derived index, so when it is down or answers
 * with an error the caller gets `{ ok: false, reason: "unavailable" }` — the page then says so
 * (503) and points to the browse lists, which read MongoDB — instead of an error page.
 */
export type SearchUnavailable = { ok: false; reason: "unavailable" };

export interface FacetValue {
  value: string;
  count: number;
  selected: boolean;
  /** Only for regions (names from GB/T 2260); taxonomy values are labelled by the UI's locale. */
  label?: string;
}

export interface SearchResult {
  ok: true;
  kind: SearchKind;
  hits: SearchHit[];
  total: number;
  page: number;
  pages: number;
  pageSize: number;
  processingTimeMs: number;
  facets: Partial<Record<FacetGroup, FacetValue[]>>;
  /** The words' matches in each tab, before filters. */
  kindTotals: Record<SearchKind, number>;
}

/** A hung Meilisearch must not hold a page: answer "unavailable" after this long. */
const SEARCH_TIMEOUT_MS = 3_000;

export const uids = (): Record<SearchKind, string> => ({
  achievements: indexName(INDEXES.achievement),
  demands: indexName(INDEXES.demand),
});

/** Meilisearch down, timed out, or refusing the request: the site goes on without search. */
export function unavailable(err: unknown, what: string): SearchUnavailable {
  if (!(err instanceof MeilisearchError)) throw err;
  logger.warn({ err: err.message, name: err.name }, `${what}: Meilisearch unavailable`);
  return { ok: false, reason: "unavailable" };
}

// ---------------------------------------------------------------------------------------------
// Result page

function facetValues(
  order: readonly string[] | null,
  distribution: Record<string, number> | undefined,
  selected: readonly string[],
  label?: (v: string) => string | undefined,
): FacetValue[] {
  const counts = distribution ?? {};
  const values = order ?? Object.keys(counts).sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a.localeCompare(b));
  const shown = values.filter((v) => (counts[v] ?? 0) > 0 || selected.includes(v));
  // A chosen value that matches nothing any more still shows, so it can be unticked.
  for (const v of selected) if (!shown.includes(v)) shown.push(v);
  return shown.map((value) => ({
    value,
    count: counts[value] ?? 0,
    selected: selected.includes(value),
    ...(label ? { label: label(value) ?? value } : {}),
  }));
}

type Results = MultiSearchResponse["results"];

function assemble(kind: SearchKind, p: SearchParams, plan: ReturnType<typeof buildSearchPlan>, results: Results): SearchResult {
  const main = results[plan.main]!;
  const distribution = (group: FacetGroup) => {
    const attribute = FACET_ATTRIBUTES[kind][group];
    if (!attribute) return undefined;
    const q = plan.facetQueries[group];
    return (q !== undefined ? results[q] : main)?.facetDistribution?.[attribute];
  };
  const facets: SearchResult["facets"] = {
    field: facetValues(FIELDS, distribution("field"), p.field),
    mode: facetValues(TRANSACTION_MODES, distribution("mode"), p.mode),
    maturity: facetValues(
      MATURITY_STAGES,
      kind === "achievements" ? distribution("maturity") : stageCounts(distribution("maturity")),
      p.maturity,
    ),
    prefecture: facetValues(null, distribution("prefecture"), p.prefecture, prefectureLabel),
    county: facetValues(null, distribution("county"), p.county, countyLabel),
  };
  if (kind === "achievements") facets.ipType = facetValues(IP_TYPES, distribution("ipType"), p.ipType);
  const money = MONEY_GROUP[kind];
  facets[money] = facetValues(
    (money === "price" ? PRICE_BUCKETS : BUDGET_BUCKETS).map((b) => b.id),
    distribution(money),
    p[money],
  );

  const total = main.totalHits ?? 0;
  return {
    ok: true,
    kind,
    hits: (main.hits as never[]).map((h) => (kind === "achievements" ? achievementHit(h) : demandHit(h))),
    total,
    page: main.page ?? p.page,
    pages: main.totalPages ?? Math.ceil(total / SEARCH_PAGE_SIZE),
    pageSize: SEARCH_PAGE_SIZE,
    processingTimeMs: main.processingTimeMs,
    facets,
    // This tab's link keeps every filter: its count is the main query's.
    kindTotals: {
      achievements: kind === "achievements" ? total : (results[plan.otherKindQuery]?.totalHits ?? 0),
      demands: kind === "demands" ? total : (results[plan.otherKindQuery]?.totalHits ?? 0),
    },
  };
}

/**
 * One page of public listings of a kind for validated parameters, with facet counts. A page past
 * the end shows the last page (like the browse lists).
 */
export async function searchListings(kind: SearchKind, params: SearchParams): Promise<SearchResult | SearchUnavailable> {
  // Defence in depth for callers that skip the schema: Meilisearch gets at most the allowed words.
  const p = { ...params, kind, q: params.q.slice(0, MAX_QUERY_LENGTH) };
  try {
    let plan = buildSearchPlan(kind, p, uids());
    let { results } = await meili().multiSearch({ queries: plan.queries }, { signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS) });
    const pages = results[plan.main]?.totalPages ?? 0;
    if (pages > 0 && p.page > pages) {
      plan = buildSearchPlan(kind, p, uids(), pages);
      ({ results } = await meili().multiSearch({ queries: plan.queries }, { signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS) }));
    }
    return assemble(kind, p, plan, results);
  } catch (err) {
    return unavailable(err, "search");
  }
}
