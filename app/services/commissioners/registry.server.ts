import { Commissioner } from "~/models/commissioner.server.ts";
import { CommissionerActivity } from "~/models/commissioner-activity.server.ts";
import { CommissionerAssignment } from "~/models/commissioner-assignment.server.ts";
import { User } from "~/models/user.server.ts";
import { CommissionerFormSchema, type CommissionerInput } from "~/schemas/commissioners.ts";
import { ConflictError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId, type ObjectId } from "../kernel/ids.server.ts";
import { isDuplicateKey } from "../kernel/mongo-errors.ts";
import { withTransaction, type ClientSession } from "../kernel/tx.server.ts";
import { parseInput } from "./rules.ts";

/** The registry of 科技特派员 (issue 15, point 7): adding, editing and removing an entry. Bureau and admins only. */

async function linkedUser(email: string | undefined, session: ClientSession) {
  if (!email) return null;
  const user = await User.findOne({ email }).select("_id name email").session(session).lean();
  if (!user) throw new ValidationError({ userEmail: ["commissioners.errors.userUnknown"] });
  return { user: user._id as ObjectId, userName: user.name, userEmail: user.email };
}

function describe(v: CommissionerInput): string {
  return [v.name, v.unit, v.field, v.userEmail ? `账户 ${v.userEmail}` : null].filter(Boolean).join(" · ");
}

async function duplicateAccount<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isDuplicateKey(e)) throw new ValidationError({ userEmail: ["commissioners.errors.userTaken"] });
    throw e;
  }
}

export async function createCommissioner(actor: Actor, input: unknown): Promise<string> {
  assertCan(actor, "commissioner:manage");
  const v = parseInput(CommissionerFormSchema, input);
  return duplicateAccount(() =>
    withTransaction(async (session) => {
      const user = await linkedUser(v.userEmail, session);
      const [doc] = await Commissioner.create(
        [
          {
            name: v.name,
            unit: v.unit,
            field: v.field,
            phone: v.phone,
            ...(user ?? {}),
            ...(actor.id ? { createdBy: actor.id } : {}),
          },
        ],
        { session },
      );
      await recordAudit(session, {
        subjectType: "commissioner",
        subject: doc!._id,
        action: "create",
        actor,
        via: "ui",
        reason: describe(v),
      });
      return String(doc!._id);
    }),
  );
}

export async function updateCommissioner(actor: Actor, id: string, input: unknown): Promise<void> {
  assertCan(actor, "commissioner:manage");
  const _id = maybeId(id);
  if (!_id) throw new NotFoundError();
  const v = parseInput(CommissionerFormSchema, input);
  await duplicateAccount(() =>
    withTransaction(async (session) => {
      const user = await linkedUser(v.userEmail, session);
      const set: Record<string, unknown> = { name: v.name, unit: v.unit, field: v.field };
      const unset: Record<string, 1> = {};
      if (v.phone) set.phone = v.phone;
      else unset.phone = 1;
      if (user) Object.assign(set, user);
      else Object.assign(unset, { user: 1, userName: 1, userEmail: 1 });
      const res = await Commissioner.updateOne({ _id }, { $set: set, $unset: unset }, { session });
      if (!res.matchedCount) throw new NotFoundError();
      await recordAudit(session, { subjectType: "commissioner", subject: _id, action: "edit", actor, via: "ui", reason: describe(v) });
    }),
  );
}

/** Removes an entry (with its assignments) that has no activity logged: a record of work done is never thrown away. */
export async function removeCommissioner(actor: Actor, id: string): Promise<void> {
  assertCan(actor, "commissioner:manage");
  const _id = maybeId(id);
  if (!_id) throw new NotFoundError();
  await withTransaction(async (session) => {
    const doc = await Commissioner.findById(_id).session(session).lean();
    if (!doc) throw new NotFoundError();
    if (await CommissionerActivity.exists({ commissioner: _id }).session(session))
      throw new ConflictError("commissioners.errors.hasActivity");
    await CommissionerAssignment.deleteMany({ commissioner: _id }, { session });
    await Commissioner.deleteOne({ _id }, { session });
    await recordAudit(session, {
      subjectType: "commissioner",
      subject: _id,
      action: "delete",
      actor,
      via: "ui",
      reason: `${doc.name} · ${doc.unit}`,
    });
  });
}
