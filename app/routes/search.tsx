import { json, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import type { FormEvent, ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { GeneralErrorBoundary } from "~/components/error-boundary.tsx";
import { Pagination } from "~/components/listing/pagination.tsx";
import { FacetPanel, SyncedSelect } from "~/components/search/facets.tsx";
import { ResultCard } from "~/components/search/result-card.tsx";
import { SearchBox } from "~/components/search/search-box.tsx";
import { activeFilters, kindHref, useSearchState, type ActiveFilter } from "~/components/search/state.ts";
import {
  parseSearchParams,
  SEARCH_KINDS,
  searchHref,
  SORTS_BY_KIND,
  type SearchKind,
  type SearchParams,
  type SearchSort,
} from "~/schemas/search.ts";
import listingStyles from "~/styles/listings.css";
import searchStyles from "~/styles/search.css";
import { pageTitle, requestT } from "~/web/meta.server.ts";
import { searchListings, type SearchResult } from "~/services/search/search.server.ts";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: listingStyles },
  { rel: "stylesheet", href: searchStyles },
];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "检索 · 成果" }];

export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const headers = new Headers();
  const retry = loaderHeaders.get("Retry-After");
  if (retry) headers.set("Retry-After", retry);
  return headers;
};

/**
 * /search?kind=achievements&q=根腐病&field=plateau-agriculture&price=upTo100k&sort=priceAsc&page=2
 * Every bit of state is in the address, so a result list can be shared and renders completely
 * on the server. 400 for parameters we cannot read (nothing is silently dropped), 503 when
 * Meilisearch is down (the browse lists, which read MongoDB, still work).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const t = requestT(request);
  const parsed = parseSearchParams(new URL(request.url).searchParams);
  if (!parsed.success) {
    return json(
      {
        state: "invalid" as const,
        kind: parsed.kind,
        q: parsed.q,
        errors: parsed.errors,
        pageTitle: pageTitle(t, t("search.invalid.title"), t("search.title")),
      },
      { status: 400 },
    );
  }
  const p = parsed.data;
  const title = pageTitle(t, p.q ? t("search.titleFor", { q: p.q }) : null, t(`search.kinds.${p.kind}`), t("search.title"));
  const result = await searchListings(p.kind, p);
  if (!result.ok) {
    return json({ state: "unavailable" as const, params: p, pageTitle: title }, { status: 503, headers: { "Retry-After": "30" } });
  }
  return json({ state: "ok" as const, params: p, result, pageTitle: title });
}

export default function SearchPage() {
  const data = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const kind: SearchKind = data.state === "invalid" ? data.kind : data.params.kind;
  const q = data.state === "invalid" ? data.q : data.params.q;
  return (
    <div className="search-page">
      <div className="search-page__head">
        <h1>{t("search.title")}</h1>
        <p className="muted">{t("search.intro")}</p>
      </div>
      <SearchForm kind={kind}>
        <div role="search" className="search-bar">
          <SearchBox kind={kind} defaultValue={q} />
          <button type="submit" className="button search-bar__submit" data-testid="search-submit">
            {t("search.submit")}
          </button>
        </div>
        <KindTabs
          current={kind}
          hrefs={
            data.state === "invalid"
              ? { achievements: searchHref({ kind: "achievements", q }), demands: searchHref({ kind: "demands", q }) }
              : {
                  achievements: kindHref(data.params as SearchParams, "achievements"),
                  demands: kindHref(data.params as SearchParams, "demands"),
                }
          }
          totals={data.state === "ok" ? data.result.kindTotals : null}
        />
        {data.state === "invalid" ? (
          <InvalidNotice kind={kind} q={q} errors={data.errors as Record<string, string[]>} />
        ) : data.state === "unavailable" ? (
          <UnavailableNotice params={data.params as SearchParams} />
        ) : (
          <Results params={data.params as SearchParams} result={data.result as SearchResult} />
        )}
      </SearchForm>
    </div>
  );
}

/**
 * The page's one GET form: words, tab, filters and sort. Without JavaScript it submits as is.
 * With it, the address is written without empty fields, and a ticked box or a changed select
 * searches at once (the controls follow the address being loaded, see useSearchState).
 */
function SearchForm({ kind, children }: { kind: SearchKind; children: ReactNode }) {
  const navigate = useNavigate();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const query = new URLSearchParams();
    for (const [name, value] of new FormData(e.currentTarget)) {
      if (typeof value !== "string" || value.trim() === "") continue;
      if (name === "sort" && value === "relevance") continue;
      query.append(name, name === "q" ? value.trim() : value);
    }
    navigate(`/search?${query}`, { preventScrollReset: true });
  };
  const onChange = (e: FormEvent<HTMLFormElement>) => {
    const el = e.target;
    const instant = (el instanceof HTMLInputElement && el.type === "checkbox") || el instanceof HTMLSelectElement;
    if (instant) e.currentTarget.requestSubmit();
  };
  return (
    <form method="get" action="/search" className="search-form" onSubmit={onSubmit} onChange={onChange} data-testid="search-form">
      <input type="hidden" name="kind" value={kind} />
      {children}
    </form>
  );
}

function KindTabs({
  current,
  hrefs,
  totals,
}: {
  current: SearchKind;
  hrefs: Record<SearchKind, string>;
  totals: Record<SearchKind, number> | null;
}) {
  const { t } = useTranslation();
  return (
    <nav className="search-tabs" aria-label={t("search.scope")}>
      <ul>
        {SEARCH_KINDS.map((k) => (
          <li key={k}>
            <Link
              to={hrefs[k]}
              aria-current={k === current ? "page" : undefined}
              className={k === current ? "is-current" : undefined}
              data-testid={`tab-${k}`}
              preventScrollReset
            >
              {t(`search.kinds.${k}`)}
              {totals ? (
                <span className="count">
                  <span className="sr-only">（</span>
                  {totals[k]}
                  <span className="sr-only">）</span>
                </span>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Results({ params, result }: { params: SearchParams; result: SearchResult }) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location?.pathname === "/search";
  const regionLabels: Record<string, string> = {};
  for (const v of [...(result.facets.prefecture ?? []), ...(result.facets.county ?? [])]) if (v.label) regionLabels[v.value] = v.label;
  const chips = activeFilters(t, params, regionLabels);
  const kindLabel = t(`search.kinds.${params.kind}`);
  return (
    <div className="search-layout">
      <aside className="search-aside">
        <FacetPanel kind={params.kind} facets={result.facets} params={params} chosen={chips.length} />
      </aside>
      <section className="search-main" aria-labelledby="results-title" aria-busy={loading || undefined}>
        <h2 id="results-title" className="sr-only">
          {t("search.results")}
        </h2>
        <div className="search-toolbar">
          <p className="search-count" role="status" data-testid="result-count">
            <strong>
              {params.q
                ? t("search.resultCountFor", { q: params.q, count: result.total, kind: kindLabel })
                : t("search.resultCount", { count: result.total, kind: kindLabel })}
            </strong>{" "}
            <span className="muted" data-testid="took">
              · {t("search.took", { ms: result.processingTimeMs })}
              {result.pages > 1 ? ` · ${t("search.pageOf", { page: result.page, pages: result.pages })}` : null}
            </span>
          </p>
          <SortSelect kind={params.kind} />
        </div>
        {chips.length ? <FilterChips chips={chips} clearHref={searchHref({ kind: params.kind, q: params.q, sort: params.sort })} /> : null}
        {result.hits.length ? (
          <ol className={`search-results${loading ? " is-loading" : ""}`} data-testid="results">
            {result.hits.map((hit) => (
              <li key={hit.id}>
                <ResultCard hit={hit} />
              </li>
            ))}
          </ol>
        ) : (
          <EmptyState params={params} result={result} chips={chips} />
        )}
        <Pagination page={result.page} pages={result.pages} />
      </section>
    </div>
  );
}

function SortSelect({ kind }: { kind: SearchKind }) {
  const { t } = useTranslation();
  const state = useSearchState();
  const label = (s: SearchSort) =>
    kind === "demands" && (s === "priceAsc" || s === "priceDesc")
      ? t(`search.sorts.${s === "priceAsc" ? "budgetAsc" : "budgetDesc"}`)
      : t(`search.sorts.${s}`);
  return (
    <div className="search-sort">
      <label htmlFor="search-sort">{t("search.sort")}</label>
      <SyncedSelect id="search-sort" name="sort" value={state.get("sort") ?? "relevance"} testId="sort">
        {SORTS_BY_KIND[kind].map((s) => (
          <option key={s} value={s}>
            {label(s)}
          </option>
        ))}
      </SyncedSelect>
      <noscript>
        <button type="submit" className="button button--ghost">
          {t("search.applySort")}
        </button>
      </noscript>
    </div>
  );
}

function FilterChips({ chips, clearHref }: { chips: ActiveFilter[]; clearHref: string }) {
  const { t } = useTranslation();
  return (
    <div className="filter-chips" data-testid="active-filters">
      <span className="filter-chips__title">{t("search.activeFilters")}</span>
      <ul>
        {chips.map((c) => (
          <li key={c.key}>
            <Link to={c.href} className="filter-chip" aria-label={t("search.removeFilter", { label: c.label })} preventScrollReset>
              {c.label} <span aria-hidden="true">×</span>
            </Link>
          </li>
        ))}
      </ul>
      <Link to={clearHref} className="filter-chips__clear" preventScrollReset>
        {t("search.clearFilters")}
      </Link>
    </div>
  );
}

function EmptyState({ params, result, chips }: { params: SearchParams; result: SearchResult; chips: ActiveFilter[] }) {
  const { t } = useTranslation();
  const kindLabel = t(`search.kinds.${params.kind}`);
  const other: SearchKind = params.kind === "achievements" ? "demands" : "achievements";
  const otherCount = result.kindTotals[other];
  return (
    <div className="empty-state search-empty" data-testid="empty-state">
      <p className="search-empty__title">
        {params.q ? t("search.empty.titleFor", { q: params.q, kind: kindLabel }) : t("search.empty.title", { kind: kindLabel })}
      </p>
      <ul className="search-empty__tips">
        {chips.length ? (
          <li>
            {t("search.empty.tryRemoving")}{" "}
            {chips.map((c) => (
              <Link key={c.key} to={c.href} className="filter-chip" aria-label={t("search.removeFilter", { label: c.label })}>
                {c.label} <span aria-hidden="true">×</span>
              </Link>
            ))}
          </li>
        ) : null}
        {params.q && otherCount > 0 ? (
          <li>
            <Link to={kindHref(params, other)} data-testid="other-kind">
              {t("search.empty.otherKind", { kind: t(`search.kinds.${other}`), count: otherCount, q: params.q })}
            </Link>
          </li>
        ) : null}
        {params.q ? <li>{t("search.empty.fewerWords")}</li> : null}
        <li>
          <Link to={browseHref(params.kind, params.field)}>{t("search.empty.browse", { kind: kindLabel })}</Link>
        </li>
      </ul>
    </div>
  );
}

/** The MongoDB browse list of a kind, keeping a single chosen field (the only filter it has). */
function browseHref(kind: SearchKind, fields: readonly string[] = []): string {
  const base = kind === "achievements" ? "/achievements" : "/demands";
  return fields.length === 1 ? `${base}?field=${encodeURIComponent(fields[0]!)}` : base;
}

function UnavailableNotice({ params }: { params: SearchParams }) {
  const { t } = useTranslation();
  return (
    <section
      className="search-notice callout callout--warn"
      role="alert"
      data-testid="search-unavailable"
      aria-labelledby="unavailable-title"
    >
      <h2 id="unavailable-title">{t("search.unavailable.title")}</h2>
      <p>{t("search.unavailable.text")}</p>
      <ul className="search-notice__links">
        {SEARCH_KINDS.map((k) => (
          <li key={k}>
            <Link to={browseHref(k, params.field)} className="button button--ghost" data-testid={`browse-${k}`}>
              {t(`search.kinds.${k}`)}
            </Link>
          </li>
        ))}
        <li>
          <Link to={searchHref(params)}>{t("search.unavailable.retry")}</Link>
        </li>
      </ul>
    </section>
  );
}

function InvalidNotice({ kind, q, errors }: { kind: SearchKind; q: string; errors: Record<string, string[]> }) {
  const { t } = useTranslation();
  return (
    <section className="search-notice callout callout--warn" role="alert" data-testid="search-invalid" aria-labelledby="invalid-title">
      <h2 id="invalid-title">{t("search.invalid.title")}</h2>
      <p>{t("search.invalid.text")}</p>
      <ul>
        {Object.entries(errors).map(([param, messages]) => (
          <li key={param}>
            {t("search.invalid.item", {
              param: t(`search.params.${param}`, { defaultValue: param }),
              messages: messages.map((m) => t(m)).join(t("listingUi.listSeparator")),
            })}
          </li>
        ))}
      </ul>
      <p>
        <Link to={searchHref({ kind, q: errors.q ? "" : q })}>{t("search.invalid.restart")}</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
