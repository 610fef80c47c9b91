import type { ClientSession, Types } from "mongoose";
import { Deal, type DealDoc } from "~/models/deal.server.ts";
import type { ContractSide } from "~/schemas/contract.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { parseId } from "../kernel/ids.server.ts";
import { dealBrokerIds } from "../rooms/deal-brokers.server.ts";

/**
 * Who may do what with a deal's contract: the two parties draft, edit and sign (each signs for
 * their own side), the deal's brokers draft and edit, admins draft and edit, the bureau reads.
 * Anyone else learns nothing (404).
 */
export type ContractAccess = "seller" | "buyer" | "broker" | "admin" | "bureau";

export type DealRow = DealDoc & { _id: Types.ObjectId; createdAt: Date };

export function partySideOf(actor: Actor, deal: Pick<DealDoc, "seller" | "buyer">): ContractSide | null {
  if (!actor.id) return null;
  const sellerSide =
    (!!actor.organization && String(deal.seller.organization) === actor.organization.id) ||
    (!!deal.seller.user && String(deal.seller.user) === actor.id);
  if (sellerSide && can(actor, "trading:sell")) return "seller";
  if (deal.buyer.user && String(deal.buyer.user) === actor.id) return "buyer";
  if (actor.organization && deal.buyer.organization && String(deal.buyer.organization) === actor.organization.id) return "buyer";
  return null;
}

export async function accessOf(actor: Actor, deal: DealRow, session: ClientSession | null = null): Promise<ContractAccess | null> {
  const side = partySideOf(actor, deal);
  if (side) return side;
  if (hasRole(actor, "admin")) return "admin";
  if (hasRole(actor, "broker") && actor.id) {
    // The broker of record (fixed at signing, or set by an admin) and the brokers of the deal's rooms.
    if (deal.broker?.user && String(deal.broker.user) === actor.id) return "broker";
    if ((await dealBrokerIds(deal, session)).includes(actor.id)) return "broker";
  }
  if (hasRole(actor, "bureau")) return "bureau";
  return null;
}

export const canWrite = (a: ContractAccess | null): boolean => a === "seller" || a === "buyer" || a === "broker" || a === "admin";

/** The deal and the actor's access to its contract; a deal the actor has no business with is a 404. */
export async function loadDealFor(actor: Actor, dealId: string, session: ClientSession | null = null) {
  const deal = (await Deal.findById(parseId(dealId)).session(session).lean()) as DealRow | null;
  if (!deal) throw new NotFoundError();
  const access = await accessOf(actor, deal, session);
  if (!access) throw new NotFoundError();
  return { deal, access };
}
