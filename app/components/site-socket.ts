import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "~/schemas/realtime.ts";

/**
 * The browser's end of the site's socket.io connection, typed from the event maps in
 * app/schemas/realtime.ts: listening to an event the server does not send, or emitting one it
 * does not take (or with the wrong payload), does not compile. Used by the live hooks
 * (auction/use-auction-live.ts, rooms/use-room-live.ts) inside their effects.
 */
export type SiteSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Connects to the site's own socket.io (same origin, with the session cookie) and hands the socket
 * to `onOpen` to register its listeners. socket.io-client is loaded on demand, so a page renders
 * and works without it. Returns the effect's cleanup: it disconnects (after `beforeClose`, e.g.
 * leaving a room), or makes sure a socket still loading is never opened.
 */
export function openSocket(onOpen: (socket: SiteSocket) => void, beforeClose?: (socket: SiteSocket) => void): () => void {
  let socket: SiteSocket | null = null;
  let cancelled = false;
  void import("socket.io-client").then(({ io }) => {
    if (cancelled) return;
    socket = io({ withCredentials: true });
    onOpen(socket);
  });
  return () => {
    cancelled = true;
    if (socket) {
      beforeClose?.(socket);
      socket.disconnect();
    }
  };
}
