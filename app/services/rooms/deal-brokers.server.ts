import type { ClientSession, Types } from "mongoose";
import { DealRoom } from "~/models/deal-room.server.ts";

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
