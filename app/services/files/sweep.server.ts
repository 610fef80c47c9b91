import type { ObjectId } from "mongodb";
import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { bucket } from "./storage.server.ts";

/**
 * Deletes GridFS files that no listing refers to and that are older than `olderThanMs` (younger
 * ones may be an upload whose metadata is being written right now). For a periodic job.
 */
export async function sweepOrphanAttachments(olderThanMs = 3_600_000, now = new Date()): Promise<number> {
  const b = bucket();
  const cutoff = new Date(now.getTime() - olderThanMs);
  const orphans: ObjectId[] = [];
  for await (const f of b.find({ uploadDate: { $lt: cutoff } }, { projection: { _id: 1 } })) {
    const id = f._id as ObjectId;
    const [a, d] = await Promise.all([Achievement.exists({ "attachments.fileId": id }), Demand.exists({ "attachments.fileId": id })]);
    if (!a && !d) orphans.push(id);
  }
  for (const id of orphans) await b.delete(id).catch(() => {});
  return orphans.length;
}
