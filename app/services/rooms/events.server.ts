import type { DeliveryMembers, RoomServerToClientEvents } from "~/schemas/realtime.ts";
import { peekSingleton, setSingleton } from "~/utils/singleton.server.ts";

/**
 * How the rooms module tells connected clients what happened, without knowing about
 * socket.io: the realtime layer (server/realtime/rooms.ts) installs the publisher at start-up and
 * emits through the socket.io adapter, so events reach members on every instance. Called only
 * after the change is committed (store first, then emit). Without a publisher (tests, CLI) it is a
 * no-op.
 */
/** The events the service publishes (typing and presence come from the realtime layer itself), typed by the shared map. */
export type RoomEventName = Exclude<keyof RoomServerToClientEvents, "room:typing" | "room:presence">;
export type RoomEventPayload<E extends RoomEventName> = Parameters<RoomServerToClientEvents[E]>[0];
export type RoomPublisher = <E extends RoomEventName>(
  roomId: string,
  event: E,
  payload: RoomEventPayload<E>,
  members?: DeliveryMembers,
) => void;

export function setRoomPublisher(fn: RoomPublisher | null): void {
  setSingleton("roomPublisher", fn ?? undefined);
}

/**
 * `members`: who belonged to the room in the transaction that stored the event (read there at no
 * extra cost); the event goes to them, checked against each socket's current session. Without
 * it, the realtime layer reads the room's current members.
 */
export function publishToRoom<E extends RoomEventName>(
  roomId: string,
  event: E,
  payload: RoomEventPayload<E>,
  members?: DeliveryMembers,
): void {
  peekSingleton<RoomPublisher>("roomPublisher")?.(roomId, event, payload, members);
}
