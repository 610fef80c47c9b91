import type { ClientSession, Types } from "mongoose";
import { Registration, type RegistrationDoc } from "~/models/registration.server.ts";
import { ForbiddenError, NotFoundError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";

/**
 * Who may see and act on a registration: the applicant (the person, and the members of the
 * organisation they applied for) sees and corrects their own; bureau users ("contract:register")
 * and admins see all; only bureau users review, and never a contract of their own organisation.
 * Anyone else learns nothing (404).
 */
export type RegistrationRow = RegistrationDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

export function isApplicant(actor: Actor, r: Pick<RegistrationDoc, "applicant">): boolean {
  if (!actor.id) return false;
  if (r.applicant?.user && String(r.applicant.user) === actor.id) return true;
  return !!actor.organization && !!r.applicant?.organization && String(r.applicant.organization) === actor.organization.id;
}

export function seesAll(actor: Actor): boolean {
  return can(actor, "contract:register") || hasRole(actor, "admin");
}

/** The organisations a registration concerns: the applicant's and both parties'. */
export function organizationsOf(r: Pick<RegistrationDoc, "applicant" | "seller" | "buyer">): string[] {
  return [r.applicant?.organization, r.seller?.organization, r.buyer?.organization].filter(Boolean).map(String);
}

/** A reviewer: a bureau user of none of the organisations concerned. */
export function assertMayReview(actor: Actor, r: Pick<RegistrationDoc, "applicant" | "seller" | "buyer">): void {
  if (!can(actor, "contract:register")) throw new ForbiddenError("registration.errors.notBureau");
  if (actor.organization && organizationsOf(r).includes(actor.organization.id))
    throw new ForbiddenError("registration.errors.ownOrganization");
}

export async function loadRegistrationFor(actor: Actor, id: string, session: ClientSession | null = null): Promise<RegistrationRow> {
  const r = (await Registration.findById(parseId(id)).session(session).lean()) as RegistrationRow | null;
  if (!r || !(seesAll(actor) || isApplicant(actor, r))) throw new NotFoundError();
  return r;
}
