import { Commissioner } from "~/models/commissioner.server.ts";
import { CommissionerActivity } from "~/models/commissioner-activity.server.ts";
import { ActivityFormSchema } from "~/schemas/commissioners.ts";
import { chinaToday } from "~/utils/china-time.ts";
import { ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { regionName } from "~/utils/regions.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";
import { accessTo, parseInput } from "./rules.ts";

/**
 * One entry of a commissioner's activity log (training, trial and demonstration, advice), entered
 * by the bureau or by the commissioner themself (an entry linked to their account). A day in the
 * future is refused: the log records work done.
 */
export async function logActivity(actor: Actor, commissionerId: string, input: unknown, now = new Date()): Promise<string> {
  const cid = maybeId(commissionerId);
  if (!cid) throw new NotFoundError();
  const commissioner = await Commissioner.findById(cid).select("user name").lean();
  if (!commissioner) throw new NotFoundError();
  const access = accessTo(actor, commissioner);
  if (!access) throw new ForbiddenError();
  const v = parseInput(ActivityFormSchema, input);
  const townName = regionName(v.town);
  const errors: Record<string, string[]> = {};
  if (!townName) errors.town = ["commissioners.errors.town"];
  if (v.date > chinaToday(now)) errors.date = ["commissioners.errors.dateFuture"];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return withTransaction(async (session) => {
    const [doc] = await CommissionerActivity.create(
      [
        {
          commissioner: cid,
          kind: v.kind,
          date: v.date,
          year: Number(v.date.slice(0, 4)),
          town: v.town,
          townName,
          peopleReached: v.peopleReached,
          note: v.note,
          enteredBy: { ...(actor.id ? { user: actor.id } : {}), name: actor.name, self: access === "self" },
        },
      ],
      { session },
    );
    await recordAudit(session, {
      subjectType: "commissioner",
      subject: cid,
      action: "activity",
      actor,
      via: "ui",
      reason: `${v.date} · ${v.kind} · ${townName} · ${v.peopleReached}人`,
    });
    return String(doc!._id);
  });
}

/** The bureau takes back an entry made in error (audited with what it said). */
export async function removeActivity(actor: Actor, commissionerId: string, activityId: string): Promise<void> {
  assertCan(actor, "commissioner:manage");
  const cid = maybeId(commissionerId);
  const aid = maybeId(activityId);
  if (!cid || !aid) throw new NotFoundError();
  await withTransaction(async (session) => {
    const doc = await CommissionerActivity.findOneAndDelete({ _id: aid, commissioner: cid }, { session }).lean();
    if (!doc) throw new NotFoundError();
    await recordAudit(session, {
      subjectType: "commissioner",
      subject: cid,
      action: "activityRemoved",
      actor,
      via: "ui",
      reason: `${doc.date} · ${doc.kind} · ${doc.townName ?? doc.town} · ${doc.peopleReached}人`,
    });
  });
}
