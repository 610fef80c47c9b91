import { getSelectProps, type FieldMetadata } from "@conform-to/react";
import { useFetcher, useLocation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useHydrated } from "remix-utils/use-hydrated";
import { FormField } from "~/components/ui/forms.tsx";

export interface RegionOption {
  code: string;
  name: string;
}
export interface RegionGroupOption extends RegionOption {
  counties: RegionOption[];
}
export interface CountyTowns {
  county: string;
  towns: RegionOption[];
}

/**
 * Where the item is: a county (6-digit GB/T 2260 code) from Yunnan's prefectures, grouped by
 * prefecture, and optionally a town (乡镇, 9 digits) of that county.
 *
 * Without JavaScript the town list is the one the server rendered for the county shown; after
 * choosing another county, the "update towns" button (a submit with intent=refreshTowns) asks
 * the server to render the form again, with everything typed kept. With JavaScript the towns of
 * the chosen county are fetched from the page's own loader (`?county=…`, whose data has `towns`)
 * and the button is not shown. The server checks the codes again either way.
 */
export function RegionSelect({
  regions,
  towns,
  county,
  town,
  required = true,
}: {
  regions: RegionGroupOption[];
  /** Towns of one county, as the server rendered them (usually the selected one). */
  towns: CountyTowns;
  county: FieldMetadata<string | undefined>;
  town: FieldMetadata<string | undefined>;
  required?: boolean;
}) {
  const { t } = useTranslation();
  const hydrated = useHydrated();
  const location = useLocation();
  const fetcher = useFetcher<Partial<{ towns: CountyTowns }>>();
  const initialCounty = county.initialValue ?? "";
  const [selected, setSelected] = useState(initialCounty);
  useEffect(() => setSelected(initialCounty), [initialCounty]);

  const fetched = fetcher.data?.towns;
  const options = towns.county === selected ? towns.towns : fetched?.county === selected ? fetched.towns : null;
  const requested = useRef<string | null>(null);
  useEffect(() => {
    // With JavaScript, load the towns of a county the server did not render them for.
    if (!hydrated || options !== null || !/^\d{6}$/.test(selected) || requested.current === selected) return;
    requested.current = selected;
    fetcher.load(`${location.pathname}?county=${encodeURIComponent(selected)}`);
  }, [hydrated, options, selected, location.pathname, fetcher]);
  const loading = hydrated && options === null && fetcher.state !== "idle";

  const { key: countyKey, ...countyProps } = getSelectProps(county, { ariaDescribedBy: county.descriptionId });
  const { key: _townKey, ...townProps } = getSelectProps(town, { ariaDescribedBy: town.descriptionId });
  return (
    <div className="region-select">
      <FormField field={county} label={t("listingForm.labels.region")} hint={t("listingForm.hints.region")} required={required}>
        <select key={countyKey} {...countyProps} required={required} onChange={(e) => setSelected(e.currentTarget.value)}>
          {regions.map((g) => (
            <optgroup key={g.code} label={g.name}>
              {g.counties.map((c) => (
                <option key={c.code} value={c.code}>
                  {c.name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </FormField>
      <FormField field={town} label={t("listingForm.labels.town")} hint={t("listingForm.hints.town")}>
        <select
          // A different county starts without a town.
          key={`town-${selected}`}
          {...townProps}
          defaultValue={selected === initialCounty ? (town.initialValue ?? "") : ""}
          disabled={loading}
          aria-busy={loading ? true : undefined}
        >
          <option value="">{loading ? t("listingForm.placeholders.loadingTowns") : t("listingForm.placeholders.townNone")}</option>
          {(options ?? []).map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </select>
      </FormField>
      {hydrated ? null : (
        <p className="region-refresh">
          <button type="submit" name="intent" value="refreshTowns" formNoValidate className="button button--ghost">
            {t("listingForm.buttons.refreshTowns")}
          </button>{" "}
          <span className="muted">{t("listingForm.hints.refreshTowns")}</span>
        </p>
      )}
    </div>
  );
}
