import { peekSingleton, setSingleton } from "~/utils/singleton.server.ts";

/**
 * How the rooms module tells connected clients what happened, without knowing about
 * socket.io: the realtime layer (server/realtime/rooms.ts) installs the publisher at start-up and
 * emits through the socket.io adapter, so events reach members on every instance. Called only
 * after the change is committed (store first, then emit). Without a publisher (tests, CLI) it is a
 * no-op.
 */
export type RoomEventName = "room:message" | "room:card" | "room:read" | "room:nda" | "room:members";
export type RoomPublisher = (roomId: string, event: RoomEventName, payload: unknown) => void;

export function setRoomPublisher(fn: RoomPublisher | null): void {
  setSingleton("roomPublisher", fn ?? undefined);
}

export function publishToRoom(roomId: string, event: RoomEventName, payload: unknown): void {
  peekSingleton<RoomPublisher>("roomPublisher")?.(roomId, event, payload);
}
