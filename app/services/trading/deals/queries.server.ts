import { Deal, type DealContractState, type DealPaymentState } from "~/models/deal.server.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { oid, parseId } from "~/services/kernel/ids.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import { brokerDealClauses } from "../../rooms/deal-brokers.server.ts";
import { dealView, type DealRow, type DealView } from "./views.ts";

/** Reading deals: one's own list, and one deal for its parties. */

/**
 * Deals where the actor is the buyer or on the selling side (the sales: with the seller role, which
 * a token's roles limit too), or — for a broker — a deal they work on (issue 14, point 1: the
 * deal's broker, not every broker); admins and the bureau see all.
 */
async function dealScope(actor: Actor): Promise<Record<string, unknown> | null> {
  if (hasRole(actor, "admin") || hasRole(actor, "bureau")) return {};
  const or: Record<string, unknown>[] = [];
  if (hasRole(actor, "broker") && actor.id) or.push(...(await brokerDealClauses(actor.id)));
  if (actor.id) or.push({ "buyer.user": oid(actor.id) });
  if (actor.organization) or.push({ "buyer.organization": oid(actor.organization.id) });
  if (can(actor, "trading:sell")) {
    if (actor.id) or.push({ "seller.user": oid(actor.id) });
    if (actor.organization) or.push({ "seller.organization": oid(actor.organization.id) });
  }
  return or.length ? { $or: or } : null;
}

export interface DealFilters {
  /** Only deals whose contract is in this state (issue 14). */
  contractState?: DealContractState;
  /** Only deals whose money is in this state (issue 14). */
  paymentState?: DealPaymentState;
}

export async function listDeals(actor: Actor, opts: { limit?: number } & DealFilters = {}): Promise<DealView[]> {
  const scope = await dealScope(actor);
  if (!scope) return [];
  const filter: Record<string, unknown> = { ...scope };
  // Deals from before issue 14 carry no state: they read as "none".
  if (opts.contractState) filter.contractState = opts.contractState === "none" ? { $in: ["none", null] } : opts.contractState;
  if (opts.paymentState) filter.paymentState = opts.paymentState === "none" ? { $in: ["none", null] } : opts.paymentState;
  const rows = await Deal.find(filter)
    .sort({ createdAt: -1 })
    .limit(opts.limit ?? 100)
    .lean();
  return rows.map((d) => dealView(d as DealRow));
}

/** One deal, for its parties (and its brokers, the bureau, admins); anyone else gets a 404. */
export async function getDeal(actor: Actor, id: string): Promise<DealView> {
  const dealId = parseId(id);
  const scope = await dealScope(actor);
  if (!scope) throw new NotFoundError();
  const d = await Deal.findOne({ _id: dealId, ...scope }).lean();
  if (!d) throw new NotFoundError();
  return dealView(d as DealRow);
}
