import DataLoader from "dataloader";
import type { Server, Socket } from "socket.io";
import type { Ack, AnswerData, ClientToServerEvents, InterServerEvents, ServerToClientEvents, Untrusted } from "~/schemas/realtime.ts";
import { getUserForSession, getUsersForSessions, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { sessionKey } from "~/services/accounts/access-events.server.ts";
import { actorOf, type Actor } from "~/services/kernel/actor.ts";
import { logger } from "~/utils/logger.server.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";

/**
 * The site's sockets: their types (from the event maps in app/schemas/realtime.ts) and who is on
 * them. Every socket is authenticated from the site's session cookie before any handler runs
 * (`authenticate`); what a client sends is `unknown` to the handlers until their schema parsed it.
 * The features (auctions.ts, rooms.ts) import this module; index.ts puts them together.
 */

export interface SocketData {
  user: SessionUser | null;
}

export type RealtimeServer = Server<Untrusted<ClientToServerEvents>, ServerToClientEvents, InterServerEvents, SocketData>;
export type RealtimeSocket = Socket<Untrusted<ClientToServerEvents>, ServerToClientEvents, InterServerEvents, SocketData>;

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

/**
 * How stale a socket's idea of its user may be when nothing told us it changed (a disabled
 * account, a new organisation set in the database). A logout or a role change through the app is
 * announced (access-events.server.ts) and takes effect at once (`forgetUser`, `closeSession`).
 */
const USER_RECHECK_MS = 5_000;
/**
 * The re-reads asked for in one turn of the event loop go to MongoDB together (three queries for
 * all of them): a delivery re-reads every socket of the room at once. Nothing is cached here.
 */
const sessionReads = new DataLoader<string, SessionUser | null>((ids) => getUsersForSessions(ids), {
  cache: false,
  maxBatchSize: 500,
});
const sessionOf = new WeakMap<
  RealtimeSocket,
  { sessionId: string; key: string; checkedAt: number; reading?: Promise<SessionUser | null> }
>();

/**
 * The middleware every connection passes first (`io.use(authenticate)`): the user of the
 * handshake's session cookie, or null (anonymous, forged, logged out).
 */
export async function authenticate(socket: RealtimeSocket, next: (err?: Error) => void): Promise<void> {
  try {
    const sessionId = await sessionIdFromCookie(socket.handshake.headers.cookie);
    socket.data.user = sessionId ? await getUserForSession(sessionId) : null;
    if (sessionId && socket.data.user) sessionOf.set(socket, { sessionId, key: sessionKey(sessionId), checkedAt: Date.now() });
    // The handshake travels to other instances with fetchSockets() (through MongoDB): keep the
    // session cookie out of it once it has served.
    const { cookie: _cookie, ...headers } = socket.handshake.headers;
    socket.handshake.headers = headers;
    next();
  } catch (err) {
    logger.warn({ err }, "socket authentication failed");
    next(new Error("authentication failed"));
  }
}

/**
 * The socket's user for an event that needs one (the deal rooms): re-read from the server-side
 * session at most every few seconds, so a long-lived socket does not outlive a logout or keep
 * rights the person no longer has.
 */
export async function currentUser(socket: RealtimeSocket): Promise<SessionUser | null> {
  const s = sessionOf.get(socket);
  if (!s || !socket.data.user) return socket.data.user ?? null;
  if (s.reading) return s.reading;
  if (Date.now() - s.checkedAt >= USER_RECHECK_MS) {
    s.checkedAt = Date.now();
    // One read at a time per socket: deliveries and events arriving together share it.
    s.reading = sessionReads.load(s.sessionId).finally(() => (s.reading = undefined));
    socket.data.user = await s.reading;
  }
  return socket.data.user;
}

/** Whether the socket was opened with the session named `key` (`sessionKey` of its id). */
export function openedWith(socket: RealtimeSocket, key: string): boolean {
  return sessionOf.get(socket)?.key === key;
}

/** The socket's user is read again from its session at the next `currentUser` (their access changed). */
export function forgetUser(socket: RealtimeSocket): void {
  const s = sessionOf.get(socket);
  if (!s) return;
  s.checkedAt = 0;
  s.reading = undefined; // a read begun before the change may answer the old user
}

/** The socket's user (re-checked as `currentUser` does) as the actor of a service call. */
export async function currentActor(socket: RealtimeSocket): Promise<Actor | null> {
  return actorOf(await currentUser(socket));
}

/** The `session` event's payload: who this socket is, without what the browser need not know. */
export function sessionEvent(user: SessionUser | null) {
  return { user: user ? { id: user.id, name: user.name, roles: user.roles } : null };
}

const noAck = () => {};

/**
 * The acknowledgement a client passed with `event`, typed by the event's answer; a no-op when it
 * passed none (or something that is not a function where the callback belongs).
 */
export function ackOf<E extends keyof ClientToServerEvents>(_event: E, ack: unknown): Ack<AnswerData<ClientToServerEvents[E]>> {
  return typeof ack === "function" ? (ack as Ack<AnswerData<ClientToServerEvents[E]>>) : noAck;
}
