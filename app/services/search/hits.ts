import type { AchievementSearchDoc, DemandSearchDoc } from "../../../search/documents.ts";
import { hasHighlight, highlightParts, type HighlightPart } from "~/utils/highlight.ts";
import type { ListingStatus } from "~/utils/listing-workflow.ts";
import { yuanToFen } from "~/utils/money.ts";

/** A search hit as the result page shows it (pure): the index document, its highlights split, money back in fen. */

interface HitBase {
  id: string;
  href: string;
  title: string;
  titleParts: HighlightPart[];
  snippet: HighlightPart[];
  field: string;
  transactionModes: string[];
  regionName: string;
  status: ListingStatus;
  publishedAt: string | null;
}
export interface AchievementHit extends HitBase {
  kind: "achievement";
  ipType: string;
  trl: number;
  licenseExclusivity: string[];
  /** Money in fen, like the rest of the app's views (the index holds yuan). */
  price: { mode: string; amount: number | null };
  ownerName: string;
  ownerType: string;
  featured: boolean;
}
export interface DemandHit extends HitBase {
  kind: "demand";
  minTrl: number | null;
  budget: { min: number | null; max: number | null };
  enterpriseName: string;
  deadline: string | null;
}
export type SearchHit = AchievementHit | DemandHit;

const fen = (yuan: number | null | undefined) => (typeof yuan === "number" ? yuanToFen(yuan) : null);
const iso = (seconds: number | null | undefined) => (typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : null);

export function achievementHit(
  h: AchievementSearchDoc & { _formatted?: Partial<Record<keyof AchievementSearchDoc, unknown>> },
): AchievementHit {
  const f = h._formatted ?? {};
  const summary = typeof f.summary === "string" ? f.summary : h.summary;
  const description = typeof f.description === "string" ? f.description : "";
  // The summary says it best; the description's passage only when the words are found there alone.
  const snippet = !hasHighlight(summary) && hasHighlight(description) ? description : summary || description;
  return {
    kind: "achievement",
    id: h.id,
    href: `/achievements/${h.id}`,
    title: h.title,
    titleParts: highlightParts(typeof f.title === "string" ? f.title : h.title),
    snippet: highlightParts(snippet),
    field: h.field,
    ipType: h.ipType,
    trl: h.trl,
    transactionModes: h.transactionModes,
    licenseExclusivity: h.licenseExclusivity,
    price: { mode: h.priceMode, amount: fen(h.price) },
    ownerName: h.ownerName,
    ownerType: h.ownerType,
    featured: h.featured,
    regionName: h.regionName,
    status: h.status,
    publishedAt: iso(h.publishedAt),
  };
}

export function demandHit(h: DemandSearchDoc & { _formatted?: Partial<Record<keyof DemandSearchDoc, unknown>> }): DemandHit {
  const f = h._formatted ?? {};
  return {
    kind: "demand",
    id: h.id,
    href: `/demands/${h.id}`,
    title: h.title,
    titleParts: highlightParts(typeof f.title === "string" ? f.title : h.title),
    snippet: highlightParts(typeof f.description === "string" ? f.description : h.description),
    field: h.field,
    transactionModes: h.transactionModes,
    minTrl: h.minTrl,
    budget: { min: fen(h.budgetMin), max: fen(h.budgetMax) },
    enterpriseName: h.enterpriseName,
    regionName: h.regionName,
    status: h.status,
    publishedAt: iso(h.publishedAt),
    deadline: iso(h.deadline),
  };
}
