import { Commissioner } from "~/models/commissioner.server.ts";
import { CommissionerAssignment } from "~/models/commissioner-assignment.server.ts";
import { Organization } from "~/models/organization.server.ts";
import { AssignmentFormSchema, assignmentPlaceErrors } from "~/schemas/commissioners.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { regionName } from "~/utils/regions.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { maybeId, oid, type ObjectId } from "../kernel/ids.server.ts";
import { withTransaction } from "../kernel/tx.server.ts";

/**
 * A commissioner's yearly assignments (派驻): to an organisation on the platform (its town from its
 * region when that is a 9-digit code), or to a named place in a known town. Bureau and admins only.
 */
export async function addAssignment(actor: Actor, commissionerId: string, input: unknown): Promise<string> {
  assertCan(actor, "commissioner:manage");
  const cid = maybeId(commissionerId);
  if (!cid) throw new NotFoundError();
  const parsed = AssignmentFormSchema.safeParse(input);
  if (!parsed.success) {
    const errors = flattenZodErrors(parsed.error);
    for (const [k, m] of Object.entries(assignmentPlaceErrors(input))) if (!Object.hasOwn(errors, k)) errors[k] = [m];
    throw new ValidationError(errors);
  }
  const v = parsed.data;
  if (v.town && !regionName(v.town)) throw new ValidationError({ town: ["commissioners.errors.town"] });
  return withTransaction(async (session) => {
    const commissioner = await Commissioner.findById(cid).select("name").session(session).lean();
    if (!commissioner) throw new NotFoundError();
    let target: { organization?: ObjectId; targetName: string; town?: string };
    if (v.organizationId) {
      const org = await Organization.findById(oid(v.organizationId)).select("name region").session(session).lean();
      if (!org) throw new ValidationError({ organizationId: ["commissioners.errors.organizationId"] });
      const orgTown = org.region && org.region.length === 9 ? org.region : undefined;
      target = { organization: org._id, targetName: org.name, town: v.town ?? orgTown };
    } else {
      target = { targetName: v.placeName!, town: v.town };
    }
    const [doc] = await CommissionerAssignment.create(
      [
        {
          commissioner: cid,
          year: v.year,
          targetType: v.targetType,
          ...target,
          note: v.note,
          ...(actor.id ? { createdBy: actor.id } : {}),
        },
      ],
      { session },
    );
    await recordAudit(session, {
      subjectType: "commissioner",
      subject: cid,
      action: "assign",
      actor,
      via: "ui",
      reason: `${v.year} · ${v.targetType} · ${target.targetName}${target.town ? ` (${target.town})` : ""}`,
    });
    return String(doc!._id);
  });
}

export async function removeAssignment(actor: Actor, commissionerId: string, assignmentId: string): Promise<void> {
  assertCan(actor, "commissioner:manage");
  const cid = maybeId(commissionerId);
  const aid = maybeId(assignmentId);
  if (!cid || !aid) throw new NotFoundError();
  await withTransaction(async (session) => {
    const doc = await CommissionerAssignment.findOneAndDelete({ _id: aid, commissioner: cid }, { session }).lean();
    if (!doc) throw new NotFoundError();
    await recordAudit(session, {
      subjectType: "commissioner",
      subject: cid,
      action: "unassign",
      actor,
      via: "ui",
      reason: `${doc.year} · ${doc.targetType} · ${doc.targetName}`,
    });
  });
}
