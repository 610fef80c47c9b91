import type { ClientSession, Types } from "mongoose";
import { DealRoom } from "~/models/deal-room.server.ts";
import { oid } from "../kernel/ids.server.ts";

/**
 * The brokers of a deal: those invited into the deal room of its listing and buyer (or the room
 * opened from the deal). The contracts module lets them draft and edit the deal's contract.
 */
export async function dealBrokerIds(
  deal: { _id: Types.ObjectId; listing: Types.ObjectId; buyer: { user?: Types.ObjectId | null } },
  session: ClientSession | null = null,
): Promise<string[]> {
  const or: Record<string, unknown>[] = [{ deal: deal._id }];
  if (deal.buyer.user) or.push({ listing: deal.listing, "buyer.user": deal.buyer.user });
  const rooms = await DealRoom.find({ $or: or }, { brokers: 1 }).session(session).lean();
  return [...new Set(rooms.flatMap((r) => (r.brokers ?? []).map((b) => String(b.user))))];
}

/** The same brokers with their names, for the deal's workspace page. */
export async function dealBrokers(
  deal: { _id: Types.ObjectId; listing: Types.ObjectId; buyer: { user?: Types.ObjectId | null } },
  session: ClientSession | null = null,
): Promise<{ id: string; name: string }[]> {
  const or: Record<string, unknown>[] = [{ deal: deal._id }];
  if (deal.buyer.user) or.push({ listing: deal.listing, "buyer.user": deal.buyer.user });
  const rooms = await DealRoom.find({ $or: or }, { brokers: 1 }).session(session).lean();
  const out = new Map<string, string>();
  for (const b of rooms.flatMap((r) => r.brokers ?? [])) out.set(String(b.user), b.name ?? "");
  return [...out].map(([id, name]) => ({ id, name }));
}

/**
 * The deals a broker works on, as clauses of a deal filter: the deals they are the broker of record
 * of, and those of the rooms they were invited into (a room opened from the deal, or the room of
 * its listing and buyer) — the same brokers `dealBrokerIds` finds for one deal.
 */
export async function brokerDealClauses(brokerId: string): Promise<Record<string, unknown>[]> {
  const me = oid(brokerId);
  const rooms = await DealRoom.find({ "brokers.user": me }, { deal: 1, listing: 1, buyer: 1 }).lean();
  const clauses: Record<string, unknown>[] = [{ "broker.user": me }];
  for (const r of rooms) {
    if (r.deal) clauses.push({ _id: r.deal });
    if (r.listing && r.buyer?.user) clauses.push({ listing: r.listing, "buyer.user": r.buyer.user });
  }
  return clauses;
}
