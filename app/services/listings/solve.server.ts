import { Achievement } from "~/models/achievement.server.ts";
import { Demand } from "~/models/demand.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { SolveDemandSchema, type SolveDemandInput } from "~/schemas/recommendations.ts";
import { ValidationError } from "~/utils/errors.ts";
import type { Actor, Via } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { canView } from "./access.ts";
import { transitionListingInSession } from "./workflow.server.ts";

/**
 * 已解决: the demand's owner marks it solved (the workflow's `solve`, with its audit entry and the
 * search outbox entry), optionally naming the achievement that solved it. A solved demand stays
 * public with its badge, leaves matching and takes no more recommendations.
 */
export async function solveDemand(
  actor: Actor,
  demandId: string,
  input: SolveDemandInput,
  opts: { via?: Via; now?: Date } = {},
): Promise<void> {
  const parsed = SolveDemandSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const now = opts.now ?? new Date();
  let solution: { achievement: unknown; achievementTitle: string } | null = null;
  if (parsed.data.achievementId) {
    const a = await Achievement.findById(parseId(parsed.data.achievementId), { title: 1, status: 1, owner: 1, createdBy: 1 }).lean();
    if (!a || !canView(actor, a)) throw new ValidationError({ achievementId: ["recommendations.errors.solutionUnknown"] });
    solution = { achievement: a._id, achievementTitle: a.title };
  }
  await withTransaction(async (session) => {
    await transitionListingInSession(session, actor, "demand", demandId, "solve", {
      via: opts.via ?? "ui",
      now,
      reason: solution?.achievementTitle ?? null,
    });
    await Demand.updateOne({ _id: parseId(demandId) }, { $set: { solution: { solvedAt: now, ...(solution ?? {}) } } }, { session });
  });
}
