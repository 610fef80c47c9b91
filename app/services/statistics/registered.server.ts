import type { PipelineStage } from "mongoose";
import { Registration } from "~/models/registration.server.ts";
import { figuresOf, type Figures } from "./figures.ts";
import { chinaYearRange, COUNTED_STATUSES } from "./period.ts";

/**
 * The registered contracts of one year (by registration date, China time) in one MongoDB
 * aggregation: totals, and the same figures by month, town, technical field, category,
 * legal-entity type and side. Sums are of integer fen, so they are exact (docs/decisions/027).
 *
 * The county's party: the seller when the seller's region is the county, else the buyer when the
 * buyer's is, else none (a contract between two parties outside the county). Town and entity type
 * are that party's, so every contract falls in exactly one town row and one entity-type row
 * (contracts without a county party: town "outside", the seller's entity type).
 * Sides: output (输出) when the seller is in the county, intake (吸纳) when the buyer is; a contract
 * between two county parties is in both, and once in the totals.
 */
export interface Breakdown extends Figures {
  key: string;
}

export interface RegisteredFigures {
  total: Figures;
  months: Breakdown[];
  towns: Breakdown[];
  fields: Breakdown[];
  categories: Breakdown[];
  entityTypes: Breakdown[];
  sides: { output: Figures; intake: Figures; within: Figures };
}

/** Town key of a contract whose county party has no 9-digit town on record. */
export const NO_TOWN = "none";
/** Town key of a contract with no party in the county. */
export const OUTSIDE = "outside";

const sums = {
  count: { $sum: 1 },
  contractFen: { $sum: "$contractAmount" },
  technologyFen: { $sum: "$technologyAmount" },
} as const;

const by = (key: string): PipelineStage.FacetPipelineStage[] => [{ $group: { _id: key, ...sums } }, { $sort: { _id: 1 } }];
const only = (cond: Record<string, unknown>): PipelineStage.FacetPipelineStage[] => [{ $match: cond }, { $group: { _id: null, ...sums } }];

export function registeredPipeline(year: number, countyCode: string): PipelineStage[] {
  const { from, to } = chinaYearRange(year);
  return [
    { $match: { status: { $in: [...COUNTED_STATUSES] }, registeredAt: { $gte: from, $lt: to } } },
    {
      $addFields: {
        _sellerIn: { $eq: ["$seller.region", countyCode] },
        _buyerIn: { $eq: ["$buyer.region", countyCode] },
        _month: { $toInt: { $dateToString: { date: "$registeredAt", format: "%m", timezone: "+08:00" } } },
      },
    },
    {
      $addFields: {
        _local: { $cond: ["$_sellerIn", "$seller", { $cond: ["$_buyerIn", "$buyer", null] }] },
      },
    },
    {
      $addFields: {
        _town: { $cond: [{ $eq: ["$_local", null] }, OUTSIDE, { $ifNull: ["$_local.town", NO_TOWN] }] },
        _entityType: { $ifNull: ["$_local.entityType", "$seller.entityType"] },
      },
    },
    {
      $facet: {
        total: [{ $group: { _id: null, ...sums } }],
        months: by("$_month"),
        towns: by("$_town"),
        fields: by("$technicalField"),
        categories: by("$category"),
        entityTypes: by("$_entityType"),
        output: only({ _sellerIn: true }),
        intake: only({ _buyerIn: true }),
        within: only({ _sellerIn: true, _buyerIn: true }),
      },
    },
  ];
}

type Row = { _id: unknown; count: number; contractFen: number; technologyFen: number };
type FacetResult = Record<"total" | "months" | "towns" | "fields" | "categories" | "entityTypes" | "output" | "intake" | "within", Row[]>;

const rows = (list: Row[]): Breakdown[] => list.map((r) => ({ key: String(r._id ?? ""), ...figuresOf(r) }));

export async function registeredFigures(year: number, countyCode: string): Promise<RegisteredFigures> {
  const [facets] = await Registration.aggregate<FacetResult>(registeredPipeline(year, countyCode));
  const f = facets!;
  return {
    total: figuresOf(f.total[0]),
    months: rows(f.months),
    towns: rows(f.towns),
    fields: rows(f.fields),
    categories: rows(f.categories),
    entityTypes: rows(f.entityTypes),
    sides: { output: figuresOf(f.output[0]), intake: figuresOf(f.intake[0]), within: figuresOf(f.within[0]) },
  };
}

/** The years that have registered contracts (China time), newest first: the year selector's choices. */
export async function registeredYears(): Promise<number[]> {
  const list = await Registration.aggregate<{ _id: number }>([
    { $match: { status: { $in: [...COUNTED_STATUSES] }, registeredAt: { $type: "date" } } },
    { $group: { _id: { $toInt: { $dateToString: { date: "$registeredAt", format: "%Y", timezone: "+08:00" } } } } },
    { $sort: { _id: -1 } },
  ]);
  return list.map((r) => r._id);
}

/**
 * Where the registrations stand, in two reads that cost the same whatever their number: the
 * latest `updatedAt` (every write through the model sets it; index { updatedAt: -1 }) and the
 * collection's count (a removal). Read before the figures, so figures kept under it are never older.
 */
async function registrationsVersion(): Promise<string> {
  const [last, count] = await Promise.all([
    Registration.findOne({}, { updatedAt: 1, _id: 0 }).sort({ updatedAt: -1 }).lean<{ updatedAt?: Date }>(),
    Registration.estimatedDocumentCount(),
  ]);
  return `${last?.updatedAt ? new Date(last.updatedAt).getTime() : 0}:${count}`;
}

type OfYear = { figures: RegisteredFigures; years: number[] };
const kept = new Map<string, { version: string; at: number; value: Promise<OfYear> }>();
/**
 * Also an age limit, for writes that bypass the model (a restore) or an instance whose clock is
 * behind another's (its `updatedAt` would not move the latest).
 */
const MAX_AGE_MS = 5 * 60_000;
const KEPT_MAX = 32;

/**
 * The year's figures and the years with contracts, as registeredFigures and registeredYears give
 * them, kept per year and county until a registration is written: the aggregation reads every
 * contract of the year (about 0.1 s for 10,000 on two cores), the dashboard is read far more often
 * than contracts are registered (docs/benchmarks.md, dashboard). Concurrent misses share one
 * aggregation.
 */
export async function registeredOfYear(year: number, countyCode: string): Promise<OfYear> {
  const version = await registrationsVersion();
  const key = `${year}:${countyCode}`;
  const hit = kept.get(key);
  if (hit && hit.version === version && Date.now() - hit.at < MAX_AGE_MS) return hit.value;
  const entry = {
    version,
    at: Date.now(),
    value: Promise.all([registeredFigures(year, countyCode), registeredYears()]).then(([figures, years]) => ({ figures, years })),
  };
  kept.delete(key);
  kept.set(key, entry);
  if (kept.size > KEPT_MAX) kept.delete(kept.keys().next().value!);
  entry.value.catch(() => {
    if (kept.get(key) === entry) kept.delete(key);
  });
  return entry.value;
}
