import type { Settings } from "meilisearch";
import { loadSynonymGroups, synonymMap } from "./synonyms.ts";

/**
 * Index settings, applied idempotently at start-up and by `npm run reindex`. Searchable attributes
 * in order of weight: what an item is called and tagged with beats what its long text mentions.
 * `localizedAttributes` pins Chinese (cmn) segmentation so short mixed strings such as "TRL 6 三七"
 * are not mistaken for another script.
 */
export const INDEXES = { achievement: "achievements", demand: "demands" } as const;
export type IndexKind = keyof typeof INDEXES;

const common = (): Settings => ({
  // "sort" right after "words": a sort the reader chose (price, newest) orders the results that
  // match the words, instead of only breaking ties after relevance. Without a sort nothing changes.
  rankingRules: ["words", "sort", "typo", "proximity", "attribute", "exactness"],
  synonyms: synonymMap(loadSynonymGroups()),
  localizedAttributes: [{ attributePatterns: ["*"], locales: ["cmn"] }],
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
  pagination: { maxTotalHits: 10_000 },
  faceting: { maxValuesPerFacet: 200 },
});

export function achievementSettings(): Settings {
  return {
    ...common(),
    searchableAttributes: ["title", "keywords", "summary", "fieldLabel", "description", "ownerName", "regionName", "patentNumbers"],
    filterableAttributes: [
      "field",
      "transactionModes",
      "licenseExclusivity",
      "ipType",
      "trl",
      "maturity",
      "priceMode",
      "price",
      "county",
      "prefecture",
      "status",
      "featured",
      "ownerType",
      "fiscalFunded",
      "source",
    ],
    sortableAttributes: ["publishedAt", "price", "trl", "updatedAt"],
    displayedAttributes: ["*"],
  };
}

export function demandSettings(): Settings {
  return {
    ...common(),
    searchableAttributes: ["title", "keywords", "fieldLabel", "description", "enterpriseName", "regionName"],
    filterableAttributes: [
      "field",
      "transactionModes",
      "minTrl",
      "budgetMax",
      "budgetMin",
      "county",
      "prefecture",
      "status",
      "featured",
      "source",
    ],
    sortableAttributes: ["publishedAt", "budgetMax", "deadline", "updatedAt"],
    displayedAttributes: ["*"],
  };
}

export const settingsFor = (kind: IndexKind) => (kind === "achievement" ? achievementSettings() : demandSettings());
