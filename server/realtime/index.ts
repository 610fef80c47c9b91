import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { getUserForSession, type SessionUser } from "~/services/accounts.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import type { AuctionBidEvent, AuctionStateEvent } from "~/schemas/auction-events.ts";
import { registerAuctionHandlers, startAuctionFeed } from "./auctions.ts";

type Ack = (answer: { ok: boolean; error?: string }) => void;

export interface ServerToClientEvents {
  session: (payload: { user: Pick<SessionUser, "id" | "name" | "roles"> | null }) => void;
  "auction:bid": (event: AuctionBidEvent) => void;
  "auction:state": (event: AuctionStateEvent) => void;
}
export interface ClientToServerEvents {
  "auction:watch": (payload: unknown, ack?: Ack) => void;
  "auction:unwatch": (payload: unknown) => void;
}
export interface SocketData {
  user: SessionUser | null;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** The user behind the site's session cookie on the handshake (same cookie as the pages). */
export async function userFromCookie(cookieHeader: string | undefined): Promise<SessionUser | null> {
  if (!cookieHeader) return null;
  const session = await sessionStorage().getSession(cookieHeader);
  const id = session.get(SESSION_ID_KEY);
  return typeof id === "string" ? getUserForSession(id) : null;
}

/**
 * socket.io on the same HTTP server as the site. Every socket is authenticated from the session
 * cookie before any handler runs; every payload is validated by its handler.
 */
export function attachRealtime(httpServer: HttpServer): RealtimeServer {
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: 1e6,
    cors: { origin: false },
  });
  io.use(async (socket: Socket, next) => {
    try {
      socket.data.user = await userFromCookie(socket.handshake.headers.cookie);
      next();
    } catch (err) {
      logger.warn({ err }, "socket authentication failed");
      next(new Error("authentication failed"));
    }
  });
  io.on("connection", (socket) => {
    const u = socket.data.user;
    socket.emit("session", { user: u ? { id: u.id, name: u.name, roles: u.roles } : null });
    registerAuctionHandlers(socket);
  });
  const stopFeed = startAuctionFeed(io);
  const close = io.close.bind(io);
  io.close = (fn) => {
    stopFeed();
    return close(fn);
  };
  (globalThis as { __chengguoIo?: RealtimeServer }).__chengguoIo = io;
  return io;
}
