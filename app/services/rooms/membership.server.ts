import type { ClientSession } from "mongoose";
import type { ZodError } from "zod";
import { DealRoom, type RoomSide } from "~/models/deal-room.server.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import type { DeliveryMembers } from "~/schemas/realtime.ts";
import type { Actor } from "~/services/kernel/actor.ts";
import { maybeId, parseId } from "~/services/kernel/ids.server.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { can, hasRole } from "~/utils/permissions.ts";
import type { RoomRow } from "./views.ts";

/**
 * 洽谈室 (docs/domain.md: Deal rooms). One room per listing and buyer; members are the buyer, the
 * seller side (the listing's organisation) and invited brokers — nobody else learns the room
 * exists. Every command of the module starts here: `requireMember` finds the room and the actor's
 * side, or answers 404.
 */

/** A room command's input, parsed with its zod schema (field errors as a ValidationError). */
export function validate<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  v: unknown,
): T {
  const r = schema.safeParse(v);
  if (!r.success) throw new ValidationError(flattenZodErrors(r.error));
  return r.data;
}

/**
 * How the actor belongs to the room, or null: the buyer, the seller side, or an invited broker.
 * The seller side and brokers act by their role, so they need it now (a token's roles, too): the
 * listing's organisation or author without the seller role, or an invited broker whose broker role
 * was taken away, is no member.
 */
export function sideOf(actor: Actor | null, room: Pick<RoomRow, "buyer" | "seller" | "brokers"> | DeliveryMembers): RoomSide | null {
  if (!actor?.id) return null;
  if (room.buyer?.user && String(room.buyer.user) === actor.id) return "buyer";
  const sellerSide =
    (!!actor.organization && String(room.seller?.organization) === actor.organization.id) ||
    (!!room.seller?.user && String(room.seller.user) === actor.id);
  if (sellerSide && can(actor, "trading:sell")) return "seller";
  const brokers: readonly { user?: unknown }[] = room.brokers ?? [];
  if (hasRole(actor, "broker") && brokers.some((b) => String(b.user) === actor.id)) return "broker";
  return null;
}

/** The room and the actor's side; a non-member gets NotFound (the room's existence is private too). */
export async function requireMember(
  actor: Actor | null,
  roomId: string,
  session: ClientSession | null = null,
): Promise<{ room: RoomRow; side: RoomSide }> {
  const room = (await DealRoom.findById(parseId(roomId)).session(session).lean()) as RoomRow | null;
  if (!room) throw new NotFoundError();
  const side = sideOf(actor, room);
  if (!side) throw new NotFoundError();
  return { room, side };
}

/** Whether the actor may use the room (for the socket layer's per-event check). */
export async function isMember(actor: Actor | null, roomId: string): Promise<RoomSide | null> {
  try {
    return (await requireMember(actor, roomId)).side;
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

/** Who belongs to the room (for checking each delivery of its events), or null when there is no such room. */
export async function roomMembers(roomId: string): Promise<Pick<RoomRow, "buyer" | "seller" | "brokers"> | null> {
  const id = maybeId(roomId);
  if (!id) return null;
  return (await DealRoom.findById(id, { buyer: 1, seller: 1, brokers: 1 }).lean()) as Pick<RoomRow, "buyer" | "seller" | "brokers"> | null;
}

/**
 * A filter that finds a room only where the actor is named as a member (the buyer, the seller's
 * organisation or person, an invited broker): for a write that must not touch other rooms.
 * `sideOf` still decides on what it finds (the roles count too).
 */
export function namedMemberFilter(actor: Actor): Record<string, unknown> {
  const me = maybeId(actor.id);
  const named: Record<string, unknown>[] = me ? [{ "buyer.user": me }, { "seller.user": me }, { "brokers.user": me }] : [];
  const org = maybeId(actor.organization?.id);
  if (org) named.push({ "seller.organization": org });
  return named.length ? { $or: named } : { _id: null };
}

/** The room's members as a delivery carries them (string ids: it travels between instances). */
export function deliveryMembers(room: Pick<RoomRow, "buyer" | "seller" | "brokers">): DeliveryMembers {
  const id = (v: unknown) => (v == null ? null : String(v));
  return {
    buyer: { user: id(room.buyer?.user) },
    seller: { organization: id(room.seller?.organization), user: id(room.seller?.user) },
    brokers: (room.brokers ?? []).flatMap((b) => (b.user ? [{ user: String(b.user) }] : [])),
  };
}

/** Whether someone may broker in rooms at all (for the invite form's hint). */
export function isBroker(actor: Actor | null): boolean {
  return hasRole(actor, "broker");
}
