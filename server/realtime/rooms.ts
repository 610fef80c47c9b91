import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import type { z } from "zod";
import type { RoomSide } from "~/models/deal-room.server.ts";
import type { RespondCardInput } from "~/schemas/deal-rooms.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import {
  HistorySchema,
  JoinRoomSchema,
  ProposeCardEventSchema,
  ReadSchema,
  RespondCardEventSchema,
  RoomRefSchema,
  SendMessageSchema,
  TypingSchema,
  type AnswerData,
  type DeliveryMembers,
  type JoinAnswer,
  type PresenceEntry,
  type RoomClientToServerEvents,
  type RoomDelivery,
  type SocketFailure,
} from "~/schemas/realtime.ts";
import { acceptNda } from "~/services/rooms/nda.server.ts";
import { getRoom } from "~/services/rooms/queries.server.ts";
import { isMember, roomMembers, sideOf } from "~/services/rooms/membership.server.ts";
import { markRead, postMessage, roomHistory } from "~/services/rooms/messages.server.ts";
import { proposeCard, respondToCard } from "~/services/rooms/cards.server.ts";
import { actorOf, type Actor } from "~/services/kernel/actor.ts";
import { setRoomPublisher, type RoomEventName, type RoomPublisher } from "~/services/rooms/events.server.ts";
import { DomainError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { formMessage } from "~/utils/messages.ts";
import { forbiddenCharacterPath } from "~/utils/plain-text.ts";
import { serverEventLabel } from "./instrument.ts";
import { metrics } from "~/utils/metrics.server.ts";
import { ackOf, currentActor, currentUser, forgetUser, sessionEvent, type RealtimeServer, type RealtimeSocket } from "./socket.ts";

/**
 * 洽谈室 over socket.io (docs/domain.md: deal rooms; docs/decisions/008-deal-rooms-realtime.md).
 *
 * The deal-room service stores first and then publishes through `publishToRoom`; this layer
 * installs the publisher (`deliver`: this instance and, through the adapter, every other one hand
 * the event to those of their sockets in `dealroom:<id>` whose user is a member at that moment)
 * and answers the client events. Every event: logged in → within the rate limit → payload parsed
 * with its zod schema → membership checked on the server (by the service, or here for events that
 * touch no service) → answer. A socket is put into a room's socket.io room only after its
 * membership was checked, and every delivery checks it again, so nobody else hears the room's
 * events; a socket whose membership check fails later is taken out of the room.
 */

export const dealRoom = (roomId: string) => `dealroom:${roomId}`;

// The events and their payloads are in app/schemas/realtime.ts (for people: docs/api.md,
// "Realtime: deal rooms").

// ---------------------------------------------------------------------------------------------
// Limits (per instance, per user)

export const ROOM_RATE_LIMITS = {
  /** room:send */
  messages: { points: 20, duration: 10 },
  /** room:typing */
  typing: { points: 10, duration: 5 },
  /** everything else */
  other: { points: 60, duration: 10 },
} as const;

type Limiter = RateLimiterMemory;

/** A domain refusal as the client sees it; anything else is logged and answered as unexpected. */
function failure(err: unknown, event: string): SocketFailure {
  if (err instanceof ValidationError) return { ok: false, error: err.message, fields: err.fieldErrors };
  if (err instanceof DomainError)
    return Object.keys(err.params).length ? { ok: false, error: err.message, params: err.params } : { ok: false, error: err.message };
  logger.error({ err, event }, "deal-room socket event failed");
  return { ok: false, error: "errors.unexpected" };
}

/** Who is connected to the room, on any instance (the adapter asks the others), one entry per person. */
async function presenceOf(io: RealtimeServer, roomId: string): Promise<PresenceEntry[]> {
  let sockets: { data: { user: { id: string; name: string } | null } }[];
  try {
    sockets = await io.in(dealRoom(roomId)).fetchSockets();
  } catch (err) {
    // An instance that went away without a word is only forgotten after the adapter's heartbeat
    // timeout; meanwhile, answer with what this instance knows rather than not at all.
    logger.warn({ err: (err as Error).message, roomId }, "presence across instances unavailable; using this instance's sockets");
    sockets = await io.local.in(dealRoom(roomId)).fetchSockets();
  }
  const online = new Map<string, PresenceEntry>();
  for (const s of sockets) {
    const u = s.data?.user;
    if (u && !online.has(u.id)) online.set(u.id, { userId: u.id, name: u.name });
  }
  return [...online.values()];
}

/**
 * Writes to one room, one after another in this process. Every message, card and NDA acceptance
 * takes the room's next seq in a transaction on the room document; two at once conflict and the
 * driver retries the loser at once, which under load feeds on itself (more retries, longer
 * transactions, more conflicts). Queued, they never conflict within an instance (instances still
 * meet at MongoDB, where the retry settles it), and a room's events go out in seq order. A room
 * is a handful of people, so its queue is short; different rooms run in parallel.
 */
function roomQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(roomId: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(roomId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(roomId, tail);
    void tail.then(() => {
      if (tails.get(roomId) === tail) tails.delete(roomId);
    });
    return run;
  };
}

export interface RoomRealtime {
  /** Registers the deal-room events on a newly connected socket. */
  register(socket: RealtimeSocket): void;
  /**
   * The socket's user changed (roles, standing): read them again, and take the socket out of every
   * room they no longer belong to; a user who is gone (disabled) loses the socket.
   */
  recheck(socket: RealtimeSocket): Promise<void>;
  /** Uninstalls the publisher; presence is no longer broadcast (the server is going down). */
  close(): void;
}

/**
 * Installs the room publisher on `io` (the service's events go out through the adapter to every
 * instance) and returns the per-socket handler registration.
 */
export function createRoomRealtime(io: RealtimeServer, crossInstance: boolean): RoomRealtime {
  const limiters = {
    messages: new RateLimiterMemory({ keyPrefix: "room-messages", ...ROOM_RATE_LIMITS.messages }),
    typing: new RateLimiterMemory({ keyPrefix: "room-typing", ...ROOM_RATE_LIMITS.typing }),
    other: new RateLimiterMemory({ keyPrefix: "room-other", ...ROOM_RATE_LIMITS.other }),
  };
  let closed = false;
  const inTurn = roomQueue();
  /** Deliveries to one room, one after another on this instance, so its events reach each socket in order. */
  const deliveries = roomQueue();

  /**
   * Hands a room event to this instance's sockets in the room whose user is — now — a member: the
   * socket's session is still valid (re-read at most every few seconds, at once after a logout or
   * a role change) and the room's members include them: those its own transaction read (a
   * message: the members when it was stored; a later change of members is announced and checked
   * after it, in turn), or else the room's current members. Anyone else is taken out of the
   * socket.io room instead and hears nothing. If the room cannot be read, nobody hears (fail closed).
   */
  async function deliverHere(d: RoomDelivery): Promise<void> {
    const room = dealRoom(d.roomId);
    const ids = io.of("/").adapter.rooms.get(room);
    if (!ids?.size) return;
    const members = d.members ?? (await roomMembers(d.roomId));
    const sockets = [...ids].map((id) => io.of("/").sockets.get(id)).filter((s): s is RealtimeSocket => !!s);
    const users = await Promise.all(sockets.map((s) => currentUser(s)));
    const gone: RealtimeSocket[] = [];
    sockets.forEach((socket, i) => {
      const user = users[i];
      if (!members || !user || !sideOf(actorOf(user), members)) gone.push(socket);
      else if (user.id !== d.exceptUser) {
        socket.emit(d.event, d.payload as never);
        metrics().socketDeliveries.inc({ event: serverEventLabel(d.event) });
      }
    });
    if (gone.length === 0) return;
    await Promise.all(gone.map((s) => s.leave(room)));
    if (d.event !== "room:presence") safePresence(d.roomId);
  }

  const deliverInTurn = (d: RoomDelivery) => {
    if (closed) return;
    deliveries(d.roomId, () => deliverHere(d)).catch((err) =>
      logger.warn({ err: (err as Error).message, roomId: d.roomId, event: d.event }, "deal-room delivery failed"),
    );
  };

  /** A room event to its members on every instance: here, and through the adapter to the others, each checking its own sockets. */
  function deliver(d: RoomDelivery) {
    if (closed) return;
    deliverInTurn(d);
    if (crossInstance) io.serverSideEmit("room:deliver", d);
  }
  io.on("room:deliver", (d) => {
    if (typeof d?.roomId === "string" && typeof d.event === "string" && d.event.startsWith("room:")) deliverInTurn(d);
  });

  const publish = (roomId: string, event: RoomEventName, payload: unknown, members?: DeliveryMembers) => {
    if (closed) return;
    deliver(members ? { roomId, event, payload, members } : { roomId, event, payload });
    if (event === "room:members") void recheckMembers(roomId);
  };
  setRoomPublisher(publish as RoomPublisher);

  async function broadcastPresence(roomId: string): Promise<void> {
    const online = await presenceOf(io, roomId);
    deliver({ roomId, event: "room:presence", payload: { roomId, online } });
  }

  /** After a membership change: anyone connected to the room who is no longer a member leaves it. */
  async function recheckMembers(roomId: string) {
    try {
      const sockets = await io.in(dealRoom(roomId)).fetchSockets();
      for (const s of sockets) {
        if (!(await isMember(actorOf(s.data.user), roomId))) s.leave(dealRoom(roomId));
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message, roomId }, "re-checking a room's connected members failed");
    }
  }

  const safePresence = (roomId: string) => {
    if (closed) return;
    broadcastPresence(roomId).catch((err) => logger.warn({ err: (err as Error).message, roomId }, "presence broadcast failed"));
  };

  function register(socket: RealtimeSocket) {
    /**
     * One event: login, rate limit, schema, then `run` (which checks membership — the services
     * do it in `requireMember`). Answers through the ack when the client gave one.
     */
    function on<E extends keyof RoomClientToServerEvents, S extends z.ZodTypeAny>(
      event: E,
      schema: S,
      limiter: Limiter,
      run: (actor: Actor, data: z.output<S>, raw: Record<string, unknown>) => Promise<AnswerData<RoomClientToServerEvents[E]>>,
    ) {
      // (socket.io's listener type cannot be resolved for a generic event name: every one of this
      // feature's events listens as `(payload: unknown, ack?: unknown)`, see Untrusted.)
      const listen = socket.on.bind(socket) as (ev: E, fn: (payload: unknown, ack?: unknown) => void) => unknown;
      listen(event, async (payload, ack) => {
        const reply = ackOf(event, ack);
        let actor: Actor | null;
        try {
          actor = await currentActor(socket);
        } catch (e) {
          return reply(failure(e, event));
        }
        if (!actor) {
          // Logged out meanwhile (or never logged in): hear no room any more.
          for (const r of [...socket.rooms]) {
            if (!r.startsWith("dealroom:")) continue;
            await socket.leave(r);
            safePresence(r.slice("dealroom:".length));
          }
          return reply({ ok: false, error: "errors.loginRequired" });
        }
        try {
          await limiter.consume(actor.id!);
        } catch (e) {
          if (e instanceof RateLimiterRes) return reply({ ok: false, error: "rooms.errors.rateLimited" });
          return reply(failure(e, event));
        }
        // Text no field takes (utils/plain-text.ts), refused like the forms and the API refuse it.
        const control = forbiddenCharacterPath(payload);
        if (control) {
          const message = formMessage("errors.controlCharacter", { code: control.code, position: control.position });
          return reply({ ok: false, error: "rooms.errors.invalid", fields: { [control.path]: [message] } });
        }
        const parsed = schema.safeParse(payload);
        if (!parsed.success) return reply({ ok: false, error: "rooms.errors.invalid", fields: flattenZodErrors(parsed.error) });
        const roomId = (parsed.data as { roomId: string }).roomId;
        try {
          const result = await run(actor, parsed.data, payload as Record<string, unknown>);
          reply({ ok: true, ...result });
        } catch (e) {
          // Not (or no longer) a member: stop hearing the room too. (A NotFound can also be a
          // card that is not there, so membership is asked again before leaving.)
          if (e instanceof NotFoundError && socket.rooms.has(dealRoom(roomId))) {
            const still = await isMember(actor, roomId).catch(() => "unknown");
            if (!still) {
              await socket.leave(dealRoom(roomId));
              safePresence(roomId);
            }
          }
          reply(failure(e, event));
        }
      });
    }

    const requireSide = async (actor: Actor, roomId: string): Promise<RoomSide> => {
      const side = await isMember(actor, roomId);
      if (!side) throw new NotFoundError();
      return side;
    };

    on("room:join", JoinRoomSchema, limiters.other, async (actor, { roomId, lastSeq }): Promise<JoinAnswer> => {
      await requireSide(actor, roomId);
      // Into the socket.io room first, then read: a message stored in between arrives live (and
      // may also be in the answer — clients key messages by seq), never in neither.
      await socket.join(dealRoom(roomId));
      let answer: Omit<JoinAnswer, "presence">;
      try {
        const room = await getRoom(actor, roomId);
        if (lastSeq != null) {
          const missed = await roomHistory(actor, roomId, { afterSeq: lastSeq, limit: 500 });
          const last = missed.messages.at(-1)?.seq ?? 0;
          const lastSeqNow = Math.max(room.lastSeq, missed.lastSeq, last);
          answer = {
            lastSeq: lastSeqNow,
            messages: missed.messages,
            hasMore: missed.messages.length > 0 && last < lastSeqNow,
            hasOlder: lastSeq > 0,
            reads: room.reads,
          };
        } else {
          answer = {
            lastSeq: Math.max(room.lastSeq, room.messages.at(-1)?.seq ?? 0),
            messages: room.messages,
            hasMore: false,
            hasOlder: room.hasOlder,
            reads: room.reads,
          };
        }
      } catch (e) {
        await socket.leave(dealRoom(roomId));
        throw e;
      }
      const presence = await presenceOf(io, roomId);
      deliver({ roomId, event: "room:presence", payload: { roomId, online: presence } });
      return { ...answer, presence };
    });

    on("room:leave", RoomRefSchema, limiters.other, async (_actor, { roomId }) => {
      if (socket.rooms.has(dealRoom(roomId))) {
        await socket.leave(dealRoom(roomId));
        safePresence(roomId);
      }
      return {};
    });

    on("room:send", SendMessageSchema, limiters.messages, async (actor, { roomId, clientId, text }) => ({
      message: await inTurn(roomId, () => postMessage(actor, roomId, { clientId, text })),
    }));

    on("room:history", HistorySchema, limiters.other, async (actor, { roomId, beforeSeq, limit }) => {
      const { messages, hasOlder } = await roomHistory(actor, roomId, { beforeSeq, limit });
      return { messages, hasOlder };
    });

    on("room:typing", TypingSchema, limiters.typing, async (actor, { roomId, typing }) => {
      await requireSide(actor, roomId);
      deliver({ roomId, event: "room:typing", payload: { roomId, userId: actor.id!, name: actor.name, typing }, exceptUser: actor.id! });
      return {};
    });

    on("room:read", ReadSchema, limiters.other, async (actor, { roomId, seq }) => markRead(actor, roomId, seq));

    // Card terms arrive in yuan like the forms'; the schema here only checks them, the service
    // parses the same input again (yuan → fen), so it gets the raw terms, not the parsed fen.
    on("room:card:propose", ProposeCardEventSchema, limiters.other, async (actor, { roomId, clientId, onBehalfOf }, raw) => ({
      card: await inTurn(roomId, () =>
        proposeCard(actor, roomId, { terms: raw.terms as Parameters<typeof proposeCard>[2]["terms"], onBehalfOf, clientId }),
      ),
    }));

    on("room:card:respond", RespondCardEventSchema, limiters.other, async (actor, { roomId }, raw) => {
      const { roomId: _room, ...input } = raw;
      return inTurn(roomId, () => respondToCard(actor, roomId, input as unknown as RespondCardInput));
    });

    on("room:nda:accept", RoomRefSchema, limiters.other, async (actor, { roomId }) => ({
      nda: await inTurn(roomId, () => acceptNda(actor, roomId)),
    }));

    // Presence: the rooms are known while disconnecting; the answer is computed once the socket is gone.
    socket.on("disconnecting", () => {
      const rooms = [...socket.rooms].filter((r) => r.startsWith("dealroom:")).map((r) => r.slice("dealroom:".length));
      if (rooms.length === 0) return;
      socket.once("disconnect", () => {
        for (const roomId of rooms) safePresence(roomId);
      });
    });
  }

  async function recheck(socket: RealtimeSocket) {
    try {
      forgetUser(socket);
      const user = await currentUser(socket);
      if (!user) {
        socket.disconnect(true);
        return;
      }
      socket.emit("session", sessionEvent(user));
      for (const r of [...socket.rooms]) {
        if (!r.startsWith("dealroom:")) continue;
        const roomId = r.slice("dealroom:".length);
        if (await isMember(actorOf(user), roomId)) continue;
        await socket.leave(r);
        safePresence(roomId);
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "re-checking a socket's rooms failed");
    }
  }

  return {
    register,
    recheck,
    close() {
      closed = true;
      setRoomPublisher(null);
    },
  };
}
