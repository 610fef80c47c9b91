import type mongoose from "mongoose";
import { Achievement, type AchievementDoc } from "~/models/achievement.server.ts";
import { Demand, type DemandDoc } from "~/models/demand.server.ts";
import type { ListingKind } from "~/schemas/listing.ts";

/** The listings module's collections: one per kind, and the field that names the owning organisation. */

type Model = mongoose.Model<AchievementDoc> | mongoose.Model<DemandDoc>;
export const modelOf = (kind: ListingKind): Model => (kind === "achievement" ? Achievement : Demand);
export const ownerFieldOf = (kind: ListingKind) => (kind === "achievement" ? "owner" : "enterprise");
