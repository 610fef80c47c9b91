import type mongoose from "mongoose";
import type { AchievementDoc } from "~/models/achievement.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { SYSTEM_ACTOR } from "../kernel/actor.ts";
import { modelOf } from "./collections.server.ts";
import { transitionListing } from "./workflow.server.ts";

/** Expires published items past their validity (achievements) or deadline (demands). */
export async function expireOverdue(now = new Date()): Promise<number> {
  let count = 0;
  for (const [kind, field] of [
    ["achievement", "expiresAt"],
    ["demand", "deadline"],
  ] as const) {
    const Model = modelOf(kind) as mongoose.Model<AchievementDoc>;
    const due = await Model.find({ status: "published", [field]: { $lte: now } }, { _id: 1 })
      .limit(1000)
      .lean();
    for (const d of due) {
      try {
        await transitionListing(SYSTEM_ACTOR, kind, String(d._id), "expire", { now, via: "system" });
        count++;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e; // moved on meanwhile: fine
      }
    }
  }
  return count;
}
