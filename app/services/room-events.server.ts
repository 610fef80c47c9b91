/**
 * How the deal-room service tells connected clients what happened, without knowing about
 * socket.io: the realtime layer (server/realtime/rooms.ts) installs the publisher at start-up and
 * emits through the socket.io adapter, so events reach members on every instance. Called only
 * after the change is committed (store first, then emit). Without a publisher (tests, CLI) it is a
 * no-op.
 */
export type RoomEventName = "room:message" | "room:card" | "room:read" | "room:nda" | "room:members";
export type RoomPublisher = (roomId: string, event: RoomEventName, payload: unknown) => void;

const g = globalThis as unknown as { __chengguoRoomPublisher?: RoomPublisher };

export function setRoomPublisher(fn: RoomPublisher | null): void {
  g.__chengguoRoomPublisher = fn ?? undefined;
}

export function publishToRoom(roomId: string, event: RoomEventName, payload: unknown): void {
  g.__chengguoRoomPublisher?.(roomId, event, payload);
}
