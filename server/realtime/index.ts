import type { Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/mongo-adapter";
import mongoose from "mongoose";
import { Server, type Socket } from "socket.io";
import { getUserForSession, type SessionUser } from "~/services/accounts.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";
import type { AuctionBidEvent, AuctionStateEvent } from "~/schemas/auction-events.ts";
import { registerAuctionHandlers, startAuctionFeed } from "./auctions.ts";
import { createRoomRealtime, type RoomClientToServerEvents, type RoomServerToClientEvents } from "./rooms.ts";

type Ack = (answer: { ok: boolean; error?: string }) => void;

export interface ServerToClientEvents extends RoomServerToClientEvents {
  session: (payload: { user: Pick<SessionUser, "id" | "name" | "roles"> | null }) => void;
  "auction:bid": (event: AuctionBidEvent) => void;
  "auction:state": (event: AuctionStateEvent) => void;
}
export interface ClientToServerEvents extends RoomClientToServerEvents {
  "auction:watch": (payload: unknown, ack?: Ack) => void;
  "auction:unwatch": (payload: unknown) => void;
}
export interface SocketData {
  user: SessionUser | null;
}

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

async function sessionIdFromCookie(cookieHeader: string | undefined): Promise<string | null> {
  if (!cookieHeader) return null;
  const session = await sessionStorage().getSession(cookieHeader);
  const id = session.get(SESSION_ID_KEY);
  return typeof id === "string" ? id : null;
}

/** The user behind the site's session cookie on the handshake (same cookie as the pages). */
export async function userFromCookie(cookieHeader: string | undefined): Promise<SessionUser | null> {
  const id = await sessionIdFromCookie(cookieHeader);
  return id ? getUserForSession(id) : null;
}

/** How stale a socket's idea of its user may be: a logout, a disabled account, a new organisation. */
const USER_RECHECK_MS = 5_000;
const sessionOf = new WeakMap<Socket, { sessionId: string; checkedAt: number }>();

/**
 * The socket's user for an event that needs one (the deal rooms): re-read from the server-side
 * session at most every few seconds, so a long-lived socket does not outlive a logout or keep
 * rights the person no longer has.
 */
export async function currentUser(socket: RealtimeSocket): Promise<SessionUser | null> {
  const s = sessionOf.get(socket as unknown as Socket);
  if (!s || !socket.data.user) return socket.data.user ?? null;
  if (Date.now() - s.checkedAt >= USER_RECHECK_MS) {
    s.checkedAt = Date.now();
    socket.data.user = await getUserForSession(s.sessionId);
  }
  return socket.data.user;
}

/** The capped collection the socket.io adapter passes events through (docs/decisions/008). */
export const ADAPTER_COLLECTION = "socket_io_events";
const ADAPTER_COLLECTION_BYTES = 10 * 1024 * 1024;

/** Creates the adapter's capped collection once; another instance starting at the same time may win. */
async function ensureAdapterCollection(db: mongoose.mongo.Db): Promise<void> {
  const exists = await db.listCollections({ name: ADAPTER_COLLECTION }, { nameOnly: true }).hasNext();
  if (exists) return;
  try {
    await db.createCollection(ADAPTER_COLLECTION, { capped: true, size: ADAPTER_COLLECTION_BYTES });
  } catch (err) {
    if ((err as { code?: number }).code !== 48) throw err; // NamespaceExists: created meanwhile
  }
}

/**
 * The MongoDB adapter: what one instance broadcasts is inserted into a capped collection and
 * every other instance follows it with a change stream, so a deal-room event reaches members on
 * all instances and `fetchSockets()` (presence) sees them all. Three adjustments to the package:
 *
 * - Inserts wait until our capped collection exists (the adapter's first heartbeat would
 *   otherwise create an ordinary one).
 * - Inserts go out in the order they were made: the adapter fires one `insertOne` per event, and
 *   concurrent inserts reach the oplog — and so the other instances, and even this one's own
 *   sockets — in any order (a countered card after its counter). Here one ordered `insertMany` is
 *   in flight at a time, carrying everything queued meanwhile, which also batches under load.
 * - A failed insert is always handled: the adapter leaves the one in `fetchSockets` unhandled,
 *   which would take the process down on a database hiccup.
 */
function mongoAdapter(db: mongoose.mongo.Db, isClosing: () => boolean) {
  type Doc = mongoose.mongo.OptionalId<mongoose.mongo.Document>;
  const collection = db.collection(ADAPTER_COLLECTION);
  const ready = ensureAdapterCollection(db).catch((err) => logger.error({ err }, `could not create the ${ADAPTER_COLLECTION} collection`));
  const queue: { doc: Doc; resolve: (r: { acknowledged: boolean; insertedId: unknown }) => void; reject: (e: unknown) => void }[] = [];
  let flushing = false;
  const flush = async () => {
    if (flushing) return;
    flushing = true;
    try {
      await ready;
      while (queue.length) {
        const batch = queue.splice(0, 500);
        try {
          const r = await collection.insertMany(
            batch.map((b) => b.doc),
            { ordered: true },
          );
          batch.forEach((b, i) => b.resolve({ acknowledged: true, insertedId: r.insertedIds[i] }));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      flushing = false;
    }
  };
  const ordered = {
    watch: collection.watch.bind(collection),
    find: collection.find.bind(collection),
    findOne: collection.findOne.bind(collection),
    insertOne: (doc: Doc) =>
      new Promise((resolve, reject) => {
        queue.push({ doc, resolve, reject });
        void flush();
      }),
  } as unknown as mongoose.mongo.Collection;
  const factory = createAdapter(ordered, { addCreatedAtField: true, requestsTimeout: 3000 });
  // socket.io calls this with `new`, so a plain function (returning an object), not an arrow.
  return function adapterFor(nsp: unknown) {
    const adapter = factory(nsp) as unknown as { publish(doc: unknown): Promise<unknown> };
    const publish = adapter.publish.bind(adapter);
    adapter.publish = (doc) => {
      const p = publish(doc);
      p.catch((err) => {
        if (!isClosing()) logger.warn({ err: err instanceof Error ? err.message : String(err) }, "socket.io adapter could not publish");
      });
      return p;
    };
    return adapter;
  };
}

/**
 * socket.io on the same HTTP server as the site. Every socket is authenticated from the session
 * cookie before any handler runs; every payload is validated by its handler. Needs the mongoose
 * connection to be open (the adapter lives in the app's MongoDB).
 */
export function attachRealtime(httpServer: HttpServer): RealtimeServer {
  const db = mongoose.connection.db;
  let closing = false;
  const io: RealtimeServer = new Server(httpServer, {
    serveClient: false,
    // Chat text and card terms only: files go over HTTP (the room's upload form), not the socket.
    maxHttpBufferSize: 64 * 1024,
    cors: { origin: false },
    ...(db ? { adapter: mongoAdapter(db, () => closing) as never } : {}),
  });
  if (!db) logger.warn("MongoDB is not connected: socket.io events stay on this instance");
  io.use(async (socket: Socket, next) => {
    try {
      const sessionId = await sessionIdFromCookie(socket.handshake.headers.cookie);
      socket.data.user = sessionId ? await getUserForSession(sessionId) : null;
      if (sessionId && socket.data.user) sessionOf.set(socket, { sessionId, checkedAt: Date.now() });
      // The handshake travels to other instances with fetchSockets() (through MongoDB): keep the
      // session cookie out of it once it has served.
      const { cookie: _cookie, ...headers } = socket.handshake.headers;
      socket.handshake.headers = headers;
      next();
    } catch (err) {
      logger.warn({ err }, "socket authentication failed");
      next(new Error("authentication failed"));
    }
  });
  const rooms = createRoomRealtime(io);
  io.on("connection", (socket) => {
    const u = socket.data.user;
    socket.emit("session", { user: u ? { id: u.id, name: u.name, roles: u.roles } : null });
    registerAuctionHandlers(socket);
    rooms.register(socket);
  });
  // Every instance follows the auction change stream itself, so the feed emits to this
  // instance's sockets only; through the adapter each bid would reach the others once per instance.
  const localOnly: Pick<RealtimeServer, "to"> = { to: (room) => io.local.to(room) };
  const stopFeed = startAuctionFeed(localOnly as RealtimeServer);
  const close = io.close.bind(io);
  io.close = (fn) => {
    closing = true;
    rooms.close();
    stopFeed();
    // Closes the sockets, then the adapter (its change stream and heartbeat), then the engine.
    return close(fn);
  };
  return io;
}
