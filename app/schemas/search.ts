import { z } from "zod";
import { fieldErrorList, fieldErrors, type FieldErrors } from "~/utils/errors.ts";
import { MAX_YUAN } from "~/utils/money.ts";
import { FIELDS, IP_TYPES, MATURITY_STAGES, TRANSACTION_MODES, TRL_MAX, TRL_MIN } from "~/utils/taxonomy.ts";

/**
 * The search page's state, all of it in the query string so every result list is a shareable
 * address: /search?kind=achievements&q=根腐病&field=plateau-agriculture&price=upTo100k&page=2.
 * Filter values are closed vocabularies (taxonomy codes, bucket ids) or digit-only region codes,
 * so nothing a visitor types ever reaches a Meilisearch filter as text; only `q` is free text.
 * Messages are i18n keys (app/locales/modules/search.ts).
 */
export const SEARCH_KINDS = ["achievements", "demands"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SEARCH_SORTS = ["relevance", "newest", "priceAsc", "priceDesc", "trlDesc"] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];
/** Demands have a budget (sorted as price) but only a minimum TRL, which is not sortable. */
export const SORTS_BY_KIND: Record<SearchKind, readonly SearchSort[]> = {
  achievements: SEARCH_SORTS,
  demands: ["relevance", "newest", "priceAsc", "priceDesc"],
};

export const MAX_QUERY_LENGTH = 100;
/** Pages beyond Meilisearch's maxTotalHits (10,000) hold nothing; 12 per page. */
export const SEARCH_PAGE_SIZE = 12;
export const MAX_PAGE = 1000;

/** Price bands of an achievement in yuan, (min, max]; 面议 is the price mode, not an amount. */
export const PRICE_BUCKETS = [
  { id: "upTo100k", min: null, max: 100_000 },
  { id: "100kTo500k", min: 100_000, max: 500_000 },
  { id: "500kTo1m", min: 500_000, max: 1_000_000 },
  { id: "over1m", min: 1_000_000, max: null },
  { id: "negotiable", min: null, max: null },
] as const;
export type PriceBucketId = (typeof PRICE_BUCKETS)[number]["id"];
export const PRICE_BUCKET_IDS = PRICE_BUCKETS.map((b) => b.id) as [PriceBucketId, ...PriceBucketId[]];

/** Budget bands of a demand in yuan, read on its ceiling (max, else min); 面议 = no budget given. */
export const BUDGET_BUCKETS = [
  { id: "upTo50k", min: null, max: 50_000 },
  { id: "50kTo200k", min: 50_000, max: 200_000 },
  { id: "200kTo500k", min: 200_000, max: 500_000 },
  { id: "over500k", min: 500_000, max: null },
  { id: "open", min: null, max: null },
] as const;
export type BudgetBucketId = (typeof BUDGET_BUCKETS)[number]["id"];
export const BUDGET_BUCKET_IDS = BUDGET_BUCKETS.map((b) => b.id) as [BudgetBucketId, ...BudgetBucketId[]];

/** Every multi-valued parameter: the facets. */
export const LIST_PARAMS = ["field", "mode", "ipType", "maturity", "price", "budget", "prefecture", "county"] as const;
export type ListParam = (typeof LIST_PARAMS)[number];
const SCALAR_PARAMS = ["kind", "q", "trlMin", "trlMax", "priceMin", "priceMax", "sort", "page"] as const;
export const SEARCH_PARAMS = [...SCALAR_PARAMS, ...LIST_PARAMS] as const;

/** Parameters that only make sense for one kind of listing. */
export const KIND_ONLY: Partial<Record<(typeof SEARCH_PARAMS)[number], SearchKind>> = {
  ipType: "achievements",
  price: "achievements",
  budget: "demands",
};

/** A repeated parameter: duplicates collapse before the length is checked. */
const list = <T extends string>(item: z.ZodType<T>) =>
  z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v]),
    z.array(item).max(20, "search.errors.tooManyValues"),
  );

const optionalNumber = (schema: z.ZodNumber) =>
  z.preprocess(
    (v) => (v === undefined || v === null || v === "" ? undefined : v),
    z.coerce.number({ invalid_type_error: "search.errors.number" }).pipe(schema).optional(),
  );

const trl = optionalNumber(z.number().int("search.errors.trl").min(TRL_MIN, "search.errors.trl").max(TRL_MAX, "search.errors.trl"));
const yuan = optionalNumber(z.number().min(0, "search.errors.amount").max(MAX_YUAN, "search.errors.amount"));

export const SearchParamsSchema = z
  .object({
    kind: z.enum(SEARCH_KINDS, { errorMap: () => ({ message: "search.errors.kind" }) }).default("achievements"),
    q: z.string().trim().max(MAX_QUERY_LENGTH, "search.errors.queryTooLong").default(""),
    field: list(z.enum(FIELDS, { errorMap: () => ({ message: "search.errors.value" }) })),
    mode: list(z.enum(TRANSACTION_MODES, { errorMap: () => ({ message: "search.errors.value" }) })),
    ipType: list(z.enum(IP_TYPES, { errorMap: () => ({ message: "search.errors.value" }) })),
    maturity: list(z.enum(MATURITY_STAGES, { errorMap: () => ({ message: "search.errors.value" }) })),
    trlMin: trl,
    trlMax: trl,
    price: list(z.enum(PRICE_BUCKET_IDS, { errorMap: () => ({ message: "search.errors.value" }) })),
    budget: list(z.enum(BUDGET_BUCKET_IDS, { errorMap: () => ({ message: "search.errors.value" }) })),
    priceMin: yuan,
    priceMax: yuan,
    // GB/T 2260: a prefecture is 4 digits + "00", a county 6 digits.
    prefecture: list(z.string().regex(/^\d{4}00$/, "search.errors.region")),
    county: list(z.string().regex(/^\d{6}$/, "search.errors.region")),
    sort: z.enum(SEARCH_SORTS, { errorMap: () => ({ message: "search.errors.sort" }) }).default("relevance"),
    page: z.preprocess(
      (v) => (v === undefined || v === "" ? undefined : v),
      z.coerce
        .number({ invalid_type_error: "search.errors.page" })
        .int("search.errors.page")
        .min(1, "search.errors.page")
        .max(MAX_PAGE, "search.errors.page")
        .default(1),
    ),
  })
  .superRefine((p, ctx) => {
    for (const [name, only] of Object.entries(KIND_ONLY)) {
      const v = p[name as keyof typeof p];
      if (only !== p.kind && Array.isArray(v) && v.length > 0) {
        ctx.addIssue({ code: "custom", path: [name], message: `search.errors.only.${only}` });
      }
    }
    if (!SORTS_BY_KIND[p.kind].includes(p.sort)) ctx.addIssue({ code: "custom", path: ["sort"], message: "search.errors.sort" });
    if (p.trlMin !== undefined && p.trlMax !== undefined && p.trlMin > p.trlMax) {
      ctx.addIssue({ code: "custom", path: ["trlMax"], message: "search.errors.trlOrder" });
    }
    if (p.priceMin !== undefined && p.priceMax !== undefined && p.priceMin > p.priceMax) {
      ctx.addIssue({ code: "custom", path: ["priceMax"], message: "search.errors.priceOrder" });
    }
  });

export type SearchParams = z.output<typeof SearchParamsSchema>;
export type SearchParamsInput = z.input<typeof SearchParamsSchema>;

/** The URL's parameters as the schema's input: lists from repeated keys, empty values left out. */
export function searchParamsObject(query: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of SCALAR_PARAMS) {
    const v = query.get(name);
    if (v !== null && v !== "") out[name] = v;
  }
  for (const name of LIST_PARAMS) {
    const values = query.getAll(name).filter((v) => v !== "");
    if (values.length) out[name] = values;
  }
  return out;
}

export type SearchParamErrors = Partial<Record<string, string[]>>;

export type ParsedSearch =
  { success: true; data: SearchParams } | { success: false; errors: SearchParamErrors; kind: SearchKind; q: string };

/**
 * Parses the page's query string. A bad value is reported (400 on the page), never dropped: a
 * dropped filter would silently widen what the reader asked for.
 */
export function parseSearchParams(query: URLSearchParams): ParsedSearch {
  const raw = searchParamsObject(query);
  const parsed = SearchParamsSchema.safeParse(raw);
  if (parsed.success) return { success: true, data: parsed.data };
  const errors: SearchParamErrors = fieldErrors();
  for (const issue of parsed.error.issues) {
    fieldErrorList(errors as FieldErrors, String(issue.path[0] ?? "")).push(issue.message);
  }
  const kind = (SEARCH_KINDS as readonly string[]).includes(String(raw.kind)) ? (raw.kind as SearchKind) : "achievements";
  const q = typeof raw.q === "string" ? raw.q.trim().slice(0, MAX_QUERY_LENGTH) : "";
  return { success: false, errors, kind, q };
}

/** The query string of a search state: defaults and empty values left out, a stable order. */
export function searchHref(p: Partial<SearchParams> & { kind: SearchKind }): string {
  const out = new URLSearchParams();
  out.set("kind", p.kind);
  if (p.q) out.set("q", p.q);
  for (const name of LIST_PARAMS) for (const v of p[name] ?? []) out.append(name, v);
  for (const name of ["trlMin", "trlMax", "priceMin", "priceMax"] as const) {
    const v = p[name];
    if (v !== undefined && v !== null) out.set(name, String(v));
  }
  if (p.sort && p.sort !== "relevance") out.set("sort", p.sort);
  if (p.page && p.page > 1) out.set("page", String(p.page));
  return `/search?${out}`;
}

/**
 * What a switch to the other tab keeps of the current search: the words and the filters both
 * kinds share (field, mode, maturity, region, TRL range); kind-only ones (ipType, price, budget,
 * the money range) and the page go. The tab links and the tab counts both use it, so a tab's
 * count is what the tab shows.
 */
export function carriedTo(p: SearchParams, kind: SearchKind): SearchParams {
  if (kind === p.kind) return { ...p, page: 1 };
  return {
    kind,
    q: p.q,
    field: p.field,
    mode: p.mode,
    maturity: p.maturity,
    prefecture: p.prefecture,
    county: p.county,
    trlMin: p.trlMin,
    trlMax: p.trlMax,
    ipType: [],
    price: [],
    budget: [],
    priceMin: undefined,
    priceMax: undefined,
    sort: p.sort === "trlDesc" ? "relevance" : p.sort,
    page: 1,
  };
}

/** Schema of /search/suggest: the box's text and the tab it belongs to. */
export const SuggestParamsSchema = z.object({
  kind: z.enum(SEARCH_KINDS, { errorMap: () => ({ message: "search.errors.kind" }) }).default("achievements"),
  q: z.string().trim().max(MAX_QUERY_LENGTH, "search.errors.queryTooLong").default(""),
});
export const SUGGEST_LIMIT = 8;
