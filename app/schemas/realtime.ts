import { z } from "zod";
import { objectIdString } from "./ids.ts";
import type { CardView, MessageView, NdaView } from "~/services/rooms/views.ts";
import type { Role } from "~/utils/permissions.ts";
import { MessageSchema, ProposeCardSchema, RespondCardSchema, RoomObjectIdSchema } from "./deal-rooms.ts";

/**
 * Every socket.io event of the site, in both directions, in one place (the events are described
 * for people in docs/api.md, "Realtime"). The server (server/realtime/socket.ts) and the browser
 * (components/site-socket.ts) are typed from the two site-wide maps at the bottom, so an event
 * name or a payload that is not here does not compile on either end.
 *
 * Per feature: the zod schema of each payload a client sends (parsed on the server before
 * anything else), the answer its acknowledgement carries, and the events the server pushes.
 * A new live feature (contract signing, payment status) is one more pair of feature maps here,
 * added to `ServerToClientEvents` / `ClientToServerEvents`, and one server/realtime/<feature>.ts.
 *
 * Client → server payloads are typed as the client should send them (`z.input` of the schema),
 * with the acknowledgement required where the site's client expects an answer (another client
 * that sends none is still served). The server never trusts any of it: it listens through
 * `Untrusted<…>`, where every payload is `unknown` until its schema has parsed it. Money in events is in fen, except card terms sent
 * by a client, which are yuan like the forms' (the service turns them into fen).
 */

// ---------------------------------------------------------------------------------------------
// Acknowledgements: what a client → server event answers

/** A refusal: an i18n key (`errors.*`, `rooms.errors.*`, …) and, for bad input, the errors by field. */
export interface SocketFailure {
  ok: false;
  error: string;
  /** The message's parameters (the 公示's end date …), when it has any. */
  params?: Record<string, string | number>;
  fields?: Record<string, string[]>;
}
/** An event's answer: `{ ok: true, …data }` or a refusal. */
export type Answer<T extends object = object> = ({ ok: true } & T) | SocketFailure;
/** The acknowledgement callback a client passes with an event. */
export type Ack<T extends object = object> = (answer: Answer<T>) => void;

/** The data a client → server event answers with on success (the `T` of its `Ack<T>`). */
export type AnswerData<F> = F extends (payload: never, ack: Ack<infer T>) => void
  ? T
  : F extends (payload: never, ack?: Ack<infer T>) => void
    ? T
    : never;

/**
 * A client map as the server listens to it: every payload (and whatever comes where the
 * acknowledgement should be) is `unknown` until the event's schema has parsed it.
 */
export type Untrusted<E> = { [K in keyof E]: (payload: unknown, ack?: unknown) => void };

// ---------------------------------------------------------------------------------------------
// The connection

/** server → client `session`, once on connect: who the site's session cookie says this is. */
export interface SessionEvent {
  user: { id: string; name: string; roles: Role[] } | null;
}

export interface ConnectionServerToClientEvents {
  session: (payload: SessionEvent) => void;
}

// ---------------------------------------------------------------------------------------------
// Auctions (public: anyone may watch; bidders are numbers to each other)

/** client → server `auction:watch` / `auction:unwatch`. */
export const WatchAuctionSchema = z.object({ auctionId: objectIdString() });

/** server → client `auction:bid`: one accepted (committed) bid; bidders are numbers. Amount in fen. */
export interface AuctionBidEvent {
  auctionId: string;
  seq: number;
  amount: number;
  bidderNumber: number;
  placedAt: string;
}

/** server → client `auction:state`: the auction after a change (a bid, an extension, the close). */
export interface AuctionStateEvent {
  auctionId: string;
  status: string;
  phase: string;
  lastSeq: number;
  bidCount: number;
  currentPrice: number | null;
  nextMinimum: number;
  currentEndsAt: string;
  extensions: number;
  reserveMet: boolean | null;
  outcome: { result: string; price: number | null; dealId: string | null } | null;
  /** After the close: whether the deposits have been settled (released / applied to the price). */
  settled?: boolean;
}

export interface AuctionServerToClientEvents {
  "auction:bid": (event: AuctionBidEvent) => void;
  "auction:state": (event: AuctionStateEvent) => void;
}

export interface AuctionClientToServerEvents {
  /** Answers `{ ok: true }`, or `error`: "invalid auctionId" | "not found" | "unavailable". */
  "auction:watch": (payload: z.input<typeof WatchAuctionSchema>, ack: Ack) => void;
  "auction:unwatch": (payload: z.input<typeof WatchAuctionSchema>) => void;
}

// ---------------------------------------------------------------------------------------------
// Deal rooms (private: members only, checked on every event — docs/decisions/008-deal-rooms-realtime.md)

export const RoomRefSchema = z.object({ roomId: RoomObjectIdSchema });
export const JoinRoomSchema = RoomRefSchema.extend({ lastSeq: z.number().int().min(0).max(1e9).optional() });
export const SendMessageSchema = RoomRefSchema.merge(MessageSchema);
export const HistorySchema = RoomRefSchema.extend({
  beforeSeq: z.number().int().min(1).max(1e9),
  limit: z.number().int().min(1).max(100).default(50),
});
export const TypingSchema = RoomRefSchema.extend({ typing: z.boolean() });
export const ReadSchema = RoomRefSchema.extend({ seq: z.number().int().min(0).max(1e9) });
export const ProposeCardEventSchema = RoomRefSchema.merge(ProposeCardSchema);
export const RespondCardEventSchema = z.intersection(RoomRefSchema, RespondCardSchema);

export interface PresenceEntry {
  userId: string;
  name: string;
}
export interface ReadReceipt {
  userId: string;
  name: string;
  seq: number;
}
/** `room:join`'s answer. */
export interface JoinAnswer {
  /** The room's last sequence number when it was read. */
  lastSeq: number;
  /** With `lastSeq` in the request: exactly the messages after it, oldest first (at most 500; see `hasMore`). Without: the latest page. */
  messages: MessageView[];
  /** Gap-fill only: more than 500 were missed; join again with the last seq received. */
  hasMore: boolean;
  /** Latest page only: there are messages before the first one (ask with `room:history`). */
  hasOlder: boolean;
  presence: PresenceEntry[];
  reads: ReadReceipt[];
}
export interface RespondAnswer {
  card: CardView;
  counter: CardView | null;
  dealId: string | null;
}

export interface RoomClientToServerEvents {
  "room:join": (payload: z.input<typeof JoinRoomSchema>, ack: Ack<JoinAnswer>) => void;
  "room:leave": (payload: z.input<typeof RoomRefSchema>, ack?: Ack) => void;
  "room:send": (payload: z.input<typeof SendMessageSchema>, ack: Ack<{ message: MessageView }>) => void;
  "room:history": (payload: z.input<typeof HistorySchema>, ack: Ack<{ messages: MessageView[]; hasOlder: boolean }>) => void;
  "room:typing": (payload: z.input<typeof TypingSchema>, ack?: Ack) => void;
  "room:read": (payload: z.input<typeof ReadSchema>, ack: Ack<{ seq: number }>) => void;
  "room:card:propose": (payload: z.input<typeof ProposeCardEventSchema>, ack: Ack<{ card: CardView }>) => void;
  "room:card:respond": (payload: z.input<typeof RespondCardEventSchema>, ack: Ack<RespondAnswer>) => void;
  "room:nda:accept": (payload: z.input<typeof RoomRefSchema>, ack: Ack<{ nda: NdaView }>) => void;
}

/** Pushed only to the sockets that joined the room (after its membership check). */
export interface RoomServerToClientEvents {
  "room:message": (message: MessageView) => void;
  "room:card": (card: CardView) => void;
  "room:read": (receipt: { roomId: string } & ReadReceipt) => void;
  "room:nda": (nda: { roomId: string } & NdaView) => void;
  "room:members": (change: { roomId: string }) => void;
  "room:typing": (typing: { roomId: string; userId: string; name: string; typing: boolean }) => void;
  "room:presence": (presence: { roomId: string; online: PresenceEntry[] }) => void;
}

// ---------------------------------------------------------------------------------------------
// Offer threads (private: the two sides only; the event says only that the thread changed, and the
// page reloads its data through its loader, which checks access again)

/** client → server `offer:watch` / `offer:unwatch`: the thread's id (the /offers/:id of the page). */
export const WatchOfferSchema = z.object({ offerId: objectIdString() });

export interface OfferClientToServerEvents {
  /** Answers `{ ok: true }`, or `error`: "errors.invalidInput" | "errors.notFound" (not a party) | "errors.unexpected". */
  "offer:watch": (payload: z.input<typeof WatchOfferSchema>, ack: Ack) => void;
  "offer:unwatch": (payload: z.input<typeof WatchOfferSchema>) => void;
}

/** Pushed to the sockets of the thread's parties that watch it, after each committed change. */
export interface OfferServerToClientEvents {
  "offer:changed": (change: { threadId: string }) => void;
}

// ---------------------------------------------------------------------------------------------
// The site-wide maps (socket.io's ListenEvents / EmitEvents on each end)

export interface ServerToClientEvents
  extends ConnectionServerToClientEvents, AuctionServerToClientEvents, RoomServerToClientEvents, OfferServerToClientEvents {}
export interface ClientToServerEvents extends AuctionClientToServerEvents, RoomClientToServerEvents, OfferClientToServerEvents {}
/**
 * A deal-room event on its way to the sockets of every instance (server/realtime/rooms.ts): each
 * instance hands it to those of its sockets whose user is still a member, checked at delivery.
 */
/** Who belonged to a room when an event was stored, with plain string ids (it travels between instances). */
export interface DeliveryMembers {
  buyer: { user: string | null };
  seller: { organization: string | null; user: string | null };
  brokers: { user: string }[];
}

export interface RoomDelivery {
  roomId: string;
  event: keyof RoomServerToClientEvents;
  payload: unknown;
  /** Not to this user's own sockets (their typing). */
  exceptUser?: string;
  /**
   * The room's members as the event's own transaction read them (a message): delivered to those,
   * without reading the room again. Without it, each instance reads the current members.
   */
  members?: DeliveryMembers;
}

/** Between server instances (`serverSideEmit`, through the adapter). */
export interface InterServerEvents {
  "room:deliver": (delivery: RoomDelivery) => void;
  /** Someone's access changed (app/services/accounts/access-events.server.ts): a session ended, a user's roles changed. */
  "access:changed": (change: { kind: "sessionEnded"; key: string } | { kind: "userChanged"; userId: string }) => void;
}

/**
 * The names of every server → client event, as a value (a test checks that whatever the server
 * emits is among them; the type below keeps the list and the map equal).
 */
export const SERVER_TO_CLIENT_EVENTS = [
  "session",
  "auction:bid",
  "auction:state",
  "room:message",
  "room:card",
  "room:read",
  "room:nda",
  "room:members",
  "room:typing",
  "room:presence",
  "offer:changed",
] as const satisfies readonly (keyof ServerToClientEvents)[];

/** The names of every client → server event, as a value. */
export const CLIENT_TO_SERVER_EVENTS = [
  "auction:watch",
  "auction:unwatch",
  "room:join",
  "room:leave",
  "room:send",
  "room:history",
  "room:typing",
  "room:read",
  "room:card:propose",
  "room:card:respond",
  "room:nda:accept",
  "offer:watch",
  "offer:unwatch",
] as const satisfies readonly (keyof ClientToServerEvents)[];

// Compile-time: each list names every event of its map (a new event must be added to both).
type Exhaustive<Missing extends never> = Missing;
type _ServerEventsListed = Exhaustive<Exclude<keyof ServerToClientEvents, (typeof SERVER_TO_CLIENT_EVENTS)[number]>>;
type _ClientEventsListed = Exhaustive<Exclude<keyof ClientToServerEvents, (typeof CLIENT_TO_SERVER_EVENTS)[number]>>;
