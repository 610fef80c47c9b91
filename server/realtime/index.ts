import type { Server as HttpServer } from "node:http";
import mongoose from "mongoose";
import { Server } from "socket.io";
import { setAccessListener, type AccessChange } from "~/services/accounts/access-events.server.ts";
import { env } from "~/utils/env.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { mongoAdapter } from "./adapter.ts";
import { allowOrigins } from "./origin.ts";
import { registerAuctionHandlers, startAuctionFeed } from "./auctions.ts";
import { createOfferRealtime } from "./offers.ts";
import { createRoomRealtime } from "./rooms.ts";
import { instrumentSocket } from "./instrument.ts";
import { authenticate, openedWith, sessionEvent, type RealtimeServer } from "./socket.ts";

/**
 * socket.io on the same HTTP server as the site, put together: the typed server (socket.ts), the
 * MongoDB adapter across instances (adapter.ts), socket authentication from the session cookie,
 * then each feature (auctions.ts, rooms.ts, offers.ts). Every payload is validated by its feature's handler.
 * Needs the mongoose connection to be open (the adapter lives in the app's MongoDB).
 */
export function attachRealtime(httpServer: HttpServer): RealtimeServer {
  const db = mongoose.connection.db;
  let closing = false;
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    // Chat text and card terms only: files go over HTTP (the room's upload form), not the socket.
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
    // Only pages of the site itself (or ALLOWED_ORIGINS) may open a socket: see origin.ts.
    allowRequest: allowOrigins(env().ALLOWED_ORIGINS),
    ...(db ? { adapter: mongoAdapter(db, () => closing) as never } : {}),
  });
  if (!db) logger.warn("MongoDB is not connected: socket.io events stay on this instance");
  io.use(authenticate);
  const rooms = createRoomRealtime(io, !!db);
  const offers = createOfferRealtime(io);

  // Someone's access changed (a logout, new roles): this instance's sockets of that session are
  // closed, those of that user re-checked — and every other instance is told to do the same.
  const onAccessChange = (change: AccessChange) => {
    for (const socket of io.of("/").sockets.values()) {
      if (change.kind === "sessionEnded") {
        if (!openedWith(socket, change.key)) continue;
        socket.emit("session", sessionEvent(null));
        socket.disconnect(true);
      } else if (socket.data.user?.id === change.userId) {
        void rooms.recheck(socket);
      }
    }
  };
  setAccessListener((change) => {
    if (closing) return;
    onAccessChange(change);
    if (db) io.serverSideEmit("access:changed", change);
  });
  io.on("access:changed", (change) => {
    if (!closing && (change?.kind === "sessionEnded" || change?.kind === "userChanged")) onAccessChange(change);
  });
  io.on("connection", (socket) => {
    instrumentSocket(socket);
    socket.emit("session", sessionEvent(socket.data.user));
    registerAuctionHandlers(socket);
    rooms.register(socket);
    offers.register(socket);
  });
  // Every instance follows the auction change stream itself, so the feed emits to this
  // instance's sockets only; through the adapter each bid would reach the others once per instance.
  const localOnly: Pick<RealtimeServer, "to"> = { to: (room) => io.local.to(room) };
  const stopFeed = startAuctionFeed(localOnly as RealtimeServer);
  const close = io.close.bind(io);
  io.close = (fn) => {
    closing = true;
    setAccessListener(null);
    rooms.close();
    offers.close();
    stopFeed();
    // Closes the sockets, then the adapter (its change stream and heartbeat), then the engine.
    return close(fn);
  };
  return io;
}
