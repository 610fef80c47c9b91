import type { Settings } from "meilisearch";
import { synonymMap } from "./synonyms.ts";

/**
 * Index settings, applied idempotently at start-up and by `npm run reindex`. Searchable attributes
 * in order of weight: what an item is called and tagged with beats what its long text mentions.
 * `localizedAttributes` pins Chinese (cmn) segmentation so short mixed strings such as "TRL 6 三七"
 * are not mistaken for another script.
 */
export const INDEXES = { achievement: "achievements", demand: "demands" } as const;
export type IndexKind = keyof typeof INDEXES;

/** `groups`: the vocabulary's synonym groups (search/live-vocabulary.ts gives the live ones). */
const common = (groups: string[][]): Settings => ({
  // "sort" right after "words": a sort the reader chose (price, newest) orders the results that
  // match the words, instead of only breaking ties after relevance. Without a sort nothing changes.
  rankingRules: ["words", "sort", "typo", "proximity", "attribute", "exactness"],
  synonyms: synonymMap(groups),
  localizedAttributes: [{ attributePatterns: ["*"], locales: ["cmn"] }],
  typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
  pagination: { maxTotalHits: 10_000 },
  faceting: { maxValuesPerFacet: 200 },
});

export function achievementSettings(groups: string[][]): Settings {
  return {
    ...common(groups),
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
      "priceBuckets",
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

export function demandSettings(groups: string[][]): Settings {
  return {
    ...common(groups),
    searchableAttributes: ["title", "keywords", "fieldLabel", "description", "enterpriseName", "regionName"],
    filterableAttributes: [
      "field",
      "transactionModes",
      "minTrl",
      "budgetMax",
      "budgetMin",
      "budgetBuckets",
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

export const settingsFor = (kind: IndexKind, groups: string[][]) =>
  kind === "achievement" ? achievementSettings(groups) : demandSettings(groups);

/**
 * The embedder of the optional semantic layer (search/embeddings.ts): vectors the app computes and
 * sends in each document's `_vectors.listing`. Only in the settings when EMBEDDINGS_URL is set.
 */
export function embedderSettings(name: string, dimensions: number): Settings {
  return { embedders: { [name]: { source: "userProvided", dimensions } } };
}
