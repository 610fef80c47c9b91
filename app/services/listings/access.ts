import type { Types } from "mongoose";
import { isPublic, type ListingStatus, type Relation } from "~/utils/listing-workflow.ts";
import { can, hasRole, type RoleHolder } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";

/**
 * Who may do what with a listing, without I/O: how an actor relates to an item (owner, reviewer,
 * bureau, system), and who may see it on a page or through the API. Every module that shows or
 * touches a listing asks these, so the visibility rule exists once.
 */

export interface OwnedItem {
  createdBy?: Types.ObjectId | null;
  owner?: Types.ObjectId | null;
  enterprise?: Types.ObjectId | null;
}

/** How the actor relates to the item (see Relation in listing-workflow). */
export function relationsOf(actor: Actor | null, item: OwnedItem): Set<Relation> {
  const r = new Set<Relation>();
  if (!actor) return r;
  if (actor.system) return r.add("system");
  const orgId = String(item.owner ?? item.enterprise ?? "");
  const isOwner = (!!actor.id && String(item.createdBy ?? "") === actor.id) || (!!actor.organization && actor.organization.id === orgId);
  if (isOwner) r.add("owner");
  // A reviewer never reviews their own item: a broker who is also the owner is only the owner.
  else if (can(actor, "listing:review")) r.add("reviewer");
  if (hasRole(actor, "bureau")) r.add("bureau");
  return r;
}

/**
 * Who may see an item on a page: a public item everyone; any other only someone related to it
 * (the owner, reviewers, the bureau, the system). Anyone else is told it does not exist.
 */
export function canView(actor: Actor | null, item: OwnedItem & { status: string }): boolean {
  return isPublic(item.status as ListingStatus) || relationsOf(actor, item).size > 0;
}

/** An API reader who sees every item, public or not (admins and brokers). */
export function seesAll(reader: RoleHolder): boolean {
  return hasRole(reader, "admin") || hasRole(reader, "broker");
}

/** Who may read an item through the API: a public item any token; any other admins and brokers, and its owner. */
export function canViewViaApi(reader: RoleHolder & { actor: Actor }, item: OwnedItem & { status: string }): boolean {
  return isPublic(item.status as ListingStatus) || seesAll(reader) || (!!reader.actor.id && relationsOf(reader.actor, item).has("owner"));
}
