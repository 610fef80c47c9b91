import { useLocation, useNavigation } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useEffect, useRef } from "react";
import { carriedTo, searchHref, type ListParam, type SearchKind, type SearchParams } from "~/schemas/search.ts";
import { STAGE_TRL, type MaturityStage } from "~/utils/taxonomy.ts";

/**
 * The search state the controls should show: the address being navigated to while a search is
 * loading (so a ticked box stays ticked at once), else the current address.
 */
export function useSearchState(): URLSearchParams {
  const location = useLocation();
  const navigation = useNavigation();
  const pending = navigation.location?.pathname === "/search" ? navigation.location.search : null;
  return new URLSearchParams(pending ?? location.search);
}

/** A facet value's label in the reader's language (regions carry their GB/T 2260 name). */
export function facetLabel(t: TFunction, kind: SearchKind, name: ListParam, value: string, regionLabel?: string): string {
  switch (name) {
    case "field":
      return t(`listing.fields.${value}`);
    case "mode":
      return t(`listing.modes.${value}`);
    case "ipType":
      return t(`listing.ipTypes.${value}`);
    case "maturity":
      return t(`listing.maturity.${value}`);
    case "price":
      return t(`search.priceBuckets.${value}`);
    case "budget":
      return t(`search.budgetBuckets.${value}`);
    default:
      return regionLabel ?? value;
  }
}

/** "TRL 6–7" next to a maturity stage. */
export function stageBand(t: TFunction, stage: string): string {
  const band = STAGE_TRL[stage as MaturityStage];
  if (!band) return "";
  return band[0] === band[1] ? t("search.trlSingle", { from: band[0] }) : t("search.trlBand", { from: band[0], to: band[1] });
}

export interface ActiveFilter {
  key: string;
  label: string;
  /** The same search without this one filter (first page). */
  href: string;
}

/** Every chosen filter as a removable chip, in the order of the panel. */
export function activeFilters(t: TFunction, p: SearchParams, regionLabels: Record<string, string>): ActiveFilter[] {
  const out: ActiveFilter[] = [];
  const without = (change: Partial<SearchParams>) => searchHref({ ...p, ...change, page: 1 });
  for (const name of ["field", "mode", "ipType", "maturity", "price", "budget", "prefecture", "county"] as const) {
    for (const value of p[name]) {
      out.push({
        key: `${name}=${value}`,
        label: facetLabel(t, p.kind, name, value, regionLabels[value]),
        href: without({ [name]: (p[name] as string[]).filter((v) => v !== value) } as Partial<SearchParams>),
      });
    }
  }
  if (p.trlMin !== undefined)
    out.push({ key: "trlMin", label: t("search.trlFrom", { trl: p.trlMin }), href: without({ trlMin: undefined }) });
  if (p.trlMax !== undefined)
    out.push({ key: "trlMax", label: t("search.trlTo", { trl: p.trlMax }), href: without({ trlMax: undefined }) });
  if (p.priceMin !== undefined)
    out.push({
      key: "priceMin",
      label: t("search.priceFrom", { amount: p.priceMin.toLocaleString("zh-CN") }),
      href: without({ priceMin: undefined }),
    });
  if (p.priceMax !== undefined)
    out.push({
      key: "priceMax",
      label: t("search.priceTo", { amount: p.priceMax.toLocaleString("zh-CN") }),
      href: without({ priceMax: undefined }),
    });
  return out;
}

/** The same words (and the filters both kinds share) in the other tab. */
export function kindHref(p: SearchParams, kind: SearchKind): string {
  return searchHref(carriedTo(p, kind));
}

/**
 * Props for a form control that the reader changes freely (uncontrolled, so a tick shows at once
 * and focus stays put) but that follows the address when it changes elsewhere: a removed filter
 * chip, the back button.
 */
export function useSyncedControl<T extends HTMLInputElement | HTMLSelectElement>(value: boolean | string) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (typeof value === "boolean") (el as HTMLInputElement).checked = value;
    else el.value = value;
  }, [value]);
  return typeof value === "boolean" ? { ref, defaultChecked: value } : { ref, defaultValue: value };
}
