import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import type { ListParam, SearchKind, SearchParams } from "~/schemas/search.ts";
import { TRL_MAX, TRL_MIN } from "~/utils/taxonomy.ts";
import { facetLabel, stageBand, useSearchState, useSyncedControl } from "./state.ts";
import type { FacetValue, SearchResult } from "~/services/search/search.server.ts";

const NARROW = "(max-width: 760px)";
const TRLS = Array.from({ length: TRL_MAX - TRL_MIN + 1 }, (_, i) => TRL_MIN + i);

/**
 * The filter panel: one fieldset of checkboxes per facet, each value with its count for the
 * current words and the other filters. It belongs to the page's GET form, so without JavaScript
 * "应用筛选" submits it; with JavaScript a ticked box or a changed select submits at once
 * (see the route). On phones the panel starts folded unless something is chosen.
 */
export function FacetPanel({
  kind,
  facets,
  params,
  chosen,
}: {
  kind: SearchKind;
  facets: SearchResult["facets"];
  params: SearchParams;
  chosen: number;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const panel = ref.current;
    if (!panel || typeof window.matchMedia !== "function") return;
    const mq = window.matchMedia(NARROW);
    if (mq.matches && chosen === 0) panel.open = false;
    const onChange = (e: MediaQueryListEvent) => {
      if (!e.matches) panel.open = true; // wide screens have no toggle
    };
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
    // Only on arrival: later the reader decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const money = kind === "achievements" ? "price" : "budget";
  return (
    <details className="facet-panel" open ref={ref} data-testid="facets">
      <summary className="facet-panel__toggle">{chosen ? t("search.filtersActive", { count: chosen }) : t("search.filters")}</summary>
      <div className="facet-panel__body">
        <h2 className="sr-only">{t("search.filters")}</h2>
        <FacetGroup name="field" legend={t("search.facets.field")} kind={kind} values={facets.field} />
        <FacetGroup name="mode" legend={t("search.facets.mode")} kind={kind} values={facets.mode} />
        {kind === "achievements" ? (
          <FacetGroup name="ipType" legend={t("search.facets.ipType")} kind={kind} values={facets.ipType} />
        ) : null}
        <FacetGroup
          name="maturity"
          legend={t(kind === "achievements" ? "search.facets.maturity" : "search.facets.minTrlMaturity")}
          kind={kind}
          values={facets.maturity}
        >
          <TrlRange />
        </FacetGroup>
        <FacetGroup name={money} legend={t(`search.facets.${money}`)} kind={kind} values={facets[money]}>
          <AmountRange kind={kind} params={params} />
        </FacetGroup>
        <fieldset className="facet facet--region">
          <legend>{t("search.facets.region")}</legend>
          <FacetGroup name="prefecture" legend={t("search.facets.prefecture")} kind={kind} values={facets.prefecture} nested />
          <FacetGroup name="county" legend={t("search.facets.county")} kind={kind} values={facets.county} nested />
        </fieldset>
        <button type="submit" className="button button--ghost facet-panel__apply" data-testid="apply-filters">
          {t("search.applyFilters")}
        </button>
      </div>
    </details>
  );
}

function FacetGroup({
  name,
  legend,
  kind,
  values = [],
  nested = false,
  children,
}: {
  name: ListParam;
  legend: string;
  kind: SearchKind;
  values?: FacetValue[];
  nested?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const state = useSearchState();
  const chosen = state.getAll(name);
  return (
    <fieldset className={`facet${nested ? " facet--nested" : ""}`} data-testid={`facet-${name}`}>
      <legend>{legend}</legend>
      {values.length === 0 ? (
        <p className="facet__none muted">{t("search.noValues")}</p>
      ) : (
        <ul className="facet__values">
          {values.map((v) => {
            const id = `facet-${name}-${v.value}`;
            return (
              <li key={v.value}>
                <FacetCheckbox id={id} name={name} value={v.value} checked={chosen.includes(v.value)} />
                <label htmlFor={id}>
                  <span className="facet__label">
                    {facetLabel(t, kind, name, v.value, v.label)}
                    {name === "maturity" ? <small className="muted"> {stageBand(t, v.value)}</small> : null}
                  </span>
                  <span className="facet__count" aria-hidden="true">
                    {v.count}
                  </span>
                  <span className="sr-only">{t("search.facetCount", { count: v.count })}</span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {children}
    </fieldset>
  );
}

function TrlRange() {
  const { t } = useTranslation();
  const state = useSearchState();
  const select = (name: "trlMin" | "trlMax", label: string) => (
    <label className="facet__range-field">
      <span>{label}</span>
      <SyncedSelect name={name} value={state.get(name) ?? ""} testId={name}>
        <option value="">{t("search.trlAny")}</option>
        {TRLS.map((n) => (
          <option key={n} value={String(n)}>
            TRL {n}
          </option>
        ))}
      </SyncedSelect>
    </label>
  );
  return (
    <div className="facet__range" role="group" aria-label={t("search.trlRange")}>
      <span className="facet__range-title">{t("search.trlRange")}</span>
      {select("trlMin", t("search.trlMin"))}
      {select("trlMax", t("search.trlMax"))}
    </div>
  );
}

function AmountRange({ kind, params }: { kind: SearchKind; params: SearchParams }) {
  const { t } = useTranslation();
  const title = t(kind === "achievements" ? "search.priceRange" : "search.budgetRange");
  const input = (name: "priceMin" | "priceMax", label: string) => (
    <label className="facet__range-field">
      <span>{label}</span>
      <input
        // A new address resets what was typed.
        key={`${name}-${params[name] ?? ""}`}
        type="number"
        name={name}
        min={0}
        step="any"
        inputMode="decimal"
        defaultValue={params[name] ?? ""}
        data-testid={name}
      />
    </label>
  );
  return (
    <div className="facet__range" role="group" aria-label={title}>
      <span className="facet__range-title">{title}</span>
      {input("priceMin", t("search.priceMin"))}
      {input("priceMax", t("search.priceMax"))}
    </div>
  );
}

/** A facet value's box: the form submits the change (see the route); the address keeps it in step. */
function FacetCheckbox({ id, name, value, checked }: { id: string; name: string; value: string; checked: boolean }) {
  const control = useSyncedControl<HTMLInputElement>(checked);
  return <input type="checkbox" id={id} name={name} value={value} {...control} />;
}

export function SyncedSelect({
  name,
  value,
  testId,
  id,
  children,
}: {
  name: string;
  value: string;
  testId?: string;
  id?: string;
  children: ReactNode;
}) {
  const control = useSyncedControl<HTMLSelectElement>(value);
  return (
    <select id={id} name={name} data-testid={testId} {...control}>
      {children}
    </select>
  );
}
