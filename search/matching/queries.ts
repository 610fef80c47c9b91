import { SOLD_STATUSES, SOLVED_STATUSES, type MatchAchievement, type MatchDemand, type Specificity } from "./score.ts";
import type { Term } from "./terms.ts";

/**
 * Pure builders of matching's Meilisearch requests (retrieve.ts sends them): the hard constraints
 * as filters, the query texts of a listing, the fields to fetch, and a hit back as a listing.
 */

// ---------------------------------------------------------------------------------------------
// Hard constraints as filters

const quote = (s: string) => JSON.stringify(s);

/** The same constraints as a Meilisearch filter on the achievements index. */
export function achievementFilter(d: Pick<MatchDemand, "transactionModes" | "minTrl">): string[] {
  const f = [`transactionModes IN [${d.transactionModes.map(quote).join(", ")}]`, `status NOT IN [${SOLD_STATUSES.map(quote).join(", ")}]`];
  if (d.minTrl != null) f.push(`trl >= ${d.minTrl}`);
  return f;
}

/** …and on the demands index, seen from an achievement. */
export function demandFilter(a: Pick<MatchAchievement, "transactionModes" | "trl">): string[] {
  return [
    `transactionModes IN [${a.transactionModes.map(quote).join(", ")}]`,
    `(minTrl IS NULL OR minTrl NOT EXISTS OR minTrl <= ${a.trl})`,
    `status NOT IN [${SOLVED_STATUSES.map(quote).join(", ")}]`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Queries

/** What a retrieval fetches of each kind: what the score reads. */
export const ACHIEVEMENT_FIELDS = [
  "id",
  "externalId",
  "title",
  "summary",
  "description",
  "keywords",
  "field",
  "trl",
  "transactionModes",
  "priceMode",
  "price",
  "status",
];
export const DEMAND_FIELDS = ["id", "externalId", "title", "description", "keywords", "field", "transactionModes", "minTrl", "budgetMax"];

/** At most this many words per combined query (Meilisearch reads the first ten words of a query). */
const COMBINED_WORDS = 6;
const CONCEPT_QUERIES = 4;

/**
 * The queries for one listing, at most six. Meilisearch's "last" strategy drops words from the end
 * until something matches, so the combined query lists the most telling words first; words no
 * achievement uses are left out (they would only make the query fail). Each of the most specific
 * concepts also gets a query of its own: a document that matches only that one word would
 * otherwise never be a candidate.
 */
export function queryTexts(terms: Term[], spec: Specificity, raw: { keywords: string[] }): { q: string; limit: number }[] {
  const useful = terms.filter((t) => spec.count(t) !== 0);
  const ranked = [...new Set([...useful].sort((x, y) => y.base * spec.of(y) - x.base * spec.of(x)).map((t) => t.canonical))];
  const out: { q: string; limit: number }[] = [];
  const seen = new Set<string>();
  const push = (q: string, limit: number) => {
    const s = q.trim();
    if (s && !seen.has(s) && out.length < 6) {
      seen.add(s);
      out.push({ q: s, limit });
    }
  };
  // Everything at once; with "last" its first word is required, so it also stands for that concept.
  push(ranked.slice(0, COMBINED_WORDS).join(" "), 50);
  // The next concepts alone.
  for (const c of ranked.slice(1, 1 + CONCEPT_QUERIES)) push(c, 30);
  // The listing's own keywords as written (Meilisearch applies the synonyms to them too).
  push(raw.keywords.slice(0, COMBINED_WORDS).join(" "), 30);
  for (const c of ranked.slice(1 + CONCEPT_QUERIES)) push(c, 20);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hits back as listings

export type Hit = Record<string, unknown> & { id: string };

const str = (v: unknown) => (typeof v === "string" ? v : "");
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function achievementFromHit(h: Hit): MatchAchievement {
  return {
    id: h.id,
    externalId: (h.externalId as string | null) ?? null,
    title: str(h.title),
    summary: str(h.summary),
    description: str(h.description),
    keywords: strs(h.keywords),
    field: str(h.field),
    trl: num(h.trl) ?? 0,
    transactionModes: strs(h.transactionModes),
    priceMode: str(h.priceMode) || "negotiable",
    price: num(h.price),
    status: str(h.status) || undefined,
  };
}

export function demandFromHit(h: Hit): MatchDemand {
  return {
    id: h.id,
    externalId: (h.externalId as string | null) ?? null,
    title: str(h.title),
    description: str(h.description),
    keywords: strs(h.keywords),
    field: str(h.field),
    transactionModes: strs(h.transactionModes),
    minTrl: num(h.minTrl),
    budgetMax: num(h.budgetMax),
  };
}
