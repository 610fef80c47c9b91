import type { Types } from "mongoose";
import type { AchievementDoc } from "~/models/achievement.server.ts";
import type { DemandDoc } from "~/models/demand.server.ts";
import { fenToYuanOrNull } from "~/utils/money.ts";
import type { MatchAchievement, MatchDemand } from "../../../search/matching/score.ts";

/**
 * Listings as matching reads them from MongoDB (the projections), and as the matcher sees them
 * (search/matching's MatchDemand and MatchAchievement: money in yuan, like the index).
 */

export type DemandRow = Pick<
  DemandDoc,
  | "title"
  | "description"
  | "keywords"
  | "field"
  | "transactionModes"
  | "minTrl"
  | "budget"
  | "status"
  | "externalId"
  | "enterprise"
  | "createdBy"
> & {
  _id: Types.ObjectId;
  updatedAt: Date;
};
export type AchievementRow = Pick<
  AchievementDoc,
  | "title"
  | "summary"
  | "description"
  | "keywords"
  | "field"
  | "trl"
  | "transactionModes"
  | "price"
  | "status"
  | "externalId"
  | "owner"
  | "createdBy"
> & { _id: Types.ObjectId; updatedAt: Date };

export const DEMAND_PROJECTION = {
  title: 1,
  description: 1,
  keywords: 1,
  field: 1,
  transactionModes: 1,
  minTrl: 1,
  budget: 1,
  status: 1,
  externalId: 1,
  enterprise: 1,
  createdBy: 1,
  updatedAt: 1,
};
export const ACHIEVEMENT_PROJECTION = {
  title: 1,
  summary: 1,
  description: 1,
  keywords: 1,
  field: 1,
  trl: 1,
  transactionModes: 1,
  price: 1,
  status: 1,
  externalId: 1,
  owner: 1,
  createdBy: 1,
  updatedAt: 1,
};

export function matchDemandOf(d: DemandRow): MatchDemand {
  return {
    id: String(d._id),
    externalId: d.externalId ?? null,
    title: d.title,
    description: d.description.slice(0, 3000),
    keywords: d.keywords ?? [],
    field: d.field,
    transactionModes: d.transactionModes ?? [],
    minTrl: d.minTrl ?? null,
    budgetMax: fenToYuanOrNull(d.budget?.max),
  };
}

export function matchAchievementOf(a: AchievementRow): MatchAchievement {
  return {
    id: String(a._id),
    externalId: a.externalId ?? null,
    title: a.title,
    summary: a.summary ?? "",
    description: a.description.slice(0, 3000),
    keywords: a.keywords ?? [],
    field: a.field,
    trl: a.trl,
    transactionModes: a.transactionModes ?? [],
    priceMode: a.price?.mode ?? "negotiable",
    price: fenToYuanOrNull(a.price?.amount),
    status: a.status,
  };
}
