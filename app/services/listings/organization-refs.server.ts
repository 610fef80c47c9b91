import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { enqueueIndexing } from "~/models/search-outbox.server.ts";
import type { ObjectId } from "../kernel/ids.server.ts";
import type { ClientSession } from "../kernel/tx.server.ts";

/** An organisation as listings carry it (id and the denormalised name and type). */
export interface OrganizationRef {
  _id: ObjectId;
  name: string;
  type: string;
}

/**
 * Moves every listing of organisation `from` to `to` (a merge of duplicates; `from` equal to `to`
 * after a rename refreshes the names listings carry), with the search index following through the
 * outbox in the same transaction.
 */
export async function moveListingsToOrganization(session: ClientSession, from: ObjectId, to: OrganizationRef) {
  const achievements = await Achievement.find({ owner: from }).select("_id").session(session).lean();
  const demands = await Demand.find({ enterprise: from }).select("_id").session(session).lean();
  if (achievements.length) {
    await Achievement.updateMany(
      { owner: from },
      { $set: { owner: to._id, ownerName: to.name, ownerType: to.type } },
      { session, timestamps: false },
    );
    await enqueueIndexing(
      session,
      "achievement",
      achievements.map((a) => a._id),
    );
  }
  if (demands.length) {
    await Demand.updateMany(
      { enterprise: from },
      { $set: { enterprise: to._id, enterpriseName: to.name } },
      { session, timestamps: false },
    );
    await enqueueIndexing(
      session,
      "demand",
      demands.map((d) => d._id),
    );
  }
  return { achievements: achievements.length, demands: demands.length };
}
