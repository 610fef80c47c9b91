import { Achievement } from "~/models/achievement.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { SYSTEM_ACTOR } from "../kernel/actor.ts";
import { transitionListing } from "./workflow.server.ts";

/**
 * When an achievement's 公示 ends with no open objection, the platform opens it for trading
 * (startTrading as the system actor: the same transition, audit entry and search outbox entry as
 * the owner's button). An open objection keeps it published until a reviewer decides (decision
 * 003); a dismissed objection lets the next run move it. Demands do not trade: they stay published.
 * The transition updates conditionally on the status it read, so two instances running this at
 * once move each listing once; the loser's ConflictError is skipped.
 */
export async function startTradingAfterNotice(now = new Date()): Promise<number> {
  const due = await Achievement.find({ status: "published", noticeEndsAt: { $lte: now }, openObjections: { $not: { $gt: 0 } } }, { _id: 1 })
    .sort({ noticeEndsAt: 1 })
    .limit(1000)
    .lean();
  let count = 0;
  for (const d of due) {
    try {
      await transitionListing(SYSTEM_ACTOR, "achievement", String(d._id), "startTrading", { now, via: "system" });
      count++;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e; // moved on meanwhile (another instance, an objection, the owner): fine
    }
  }
  return count;
}
