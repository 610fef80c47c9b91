import { useRevalidator } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { openSocket, type SiteSocket } from "~/components/site-socket.ts";
import { MESSAGE_MAX } from "~/schemas/deal-rooms.ts";
import type { PresenceEntry, ReadReceipt } from "~/schemas/realtime.ts";
import type { CardView, MessageView, NdaView } from "~/services/rooms/views.ts";

/**
 * Keeps a deal room current without reloads (the events: app/schemas/realtime.ts).
 *
 * Messages are kept by their room sequence number, so one that arrives twice (the ack of a send,
 * the broadcast of it, a re-join) is shown once. `last` is the highest seq up to which nothing is
 * missing; a message beyond last+1 means a gap, and the hook joins again with `lastSeq: last`,
 * which answers exactly what came after it. socket.io reconnects by itself; each `connect` joins
 * with the last seq (gap-fill) and reloads the page data once (open card, NDA, agreed terms).
 * Without a connection nothing here is needed: the page's forms post as usual.
 */

export type Person = PresenceEntry;
export type ReadMark = ReadReceipt;
export interface PendingMessage {
  clientId: string;
  text: string;
  status: "sending" | "failed";
  /** An i18n key; for a transport failure the message can be sent again as it is. */
  error: string | null;
  retryable: boolean;
}

export interface RoomLiveInitial {
  roomId: string;
  lastSeq: number;
  messages: MessageView[];
  openCard: CardView | null;
  nda: NdaView;
  reads: ReadMark[];
}

const ACK_TIMEOUT_MS = 10_000;
const TYPING_EVERY_MS = 2_000;
const TYPING_IDLE_MS = 3_000;
const TYPING_SHOWN_MS = 6_000;

/** A client id for a message: crypto.randomUUID where the page is a secure context, else random bytes. */
export function newClientId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Terminal statuses never go back to open: a late copy of a card must not reopen it. */
const isTerminal = (c: CardView) => c.status !== "open";
function newerCard(a: CardView | undefined, b: CardView): CardView {
  if (!a) return b;
  if (isTerminal(a) && !isTerminal(b)) return a;
  return b;
}

export function useRoomLive({ initial, meId, enabled }: { initial: RoomLiveInitial; meId: string; enabled: boolean }) {
  const roomId = initial.roomId;
  const byseq = useRef(new Map<number, MessageView>(initial.messages.map((m) => [m.seq, m])));
  const last = useRef(initial.lastSeq);
  const [messages, setMessages] = useState<MessageView[]>(initial.messages);
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [cards, setCards] = useState<Record<string, CardView>>({});
  const [openCard, setOpenCard] = useState<CardView | null>(initial.openCard);
  const [nda, setNda] = useState<NdaView>(initial.nda);
  const [reads, setReads] = useState<Record<string, ReadMark>>(() => Object.fromEntries(initial.reads.map((r) => [r.userId, r])));
  const [typing, setTyping] = useState<Record<string, string>>({});
  const [online, setOnline] = useState<Person[]>([]);
  const [connected, setConnected] = useState<boolean | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);

  const socketRef = useRef<SiteSocket | null>(null);
  const filling = useRef(false);
  const joinedFrom = useRef(-1);
  const loadingOlderRef = useRef(false);
  const sentRead = useRef(initial.lastSeq);
  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const typingSentAt = useRef(0);
  const typingIdle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  const mergeReads = useCallback((list: ReadMark[] | undefined) => {
    if (!list?.length) return;
    setReads((prev) => {
      const next = { ...prev };
      for (const r of list) {
        if (!r?.userId || typeof r.seq !== "number") continue;
        const before = next[r.userId];
        next[r.userId] = { userId: r.userId, name: r.name ?? before?.name ?? "", seq: Math.max(before?.seq ?? 0, r.seq) };
      }
      return next;
    });
  }, []);

  const noteCards = useCallback((list: CardView[]) => {
    if (!list.length) return;
    setCards((prev) => {
      const next = { ...prev };
      for (const c of list) next[c.id] = newerCard(next[c.id], c);
      return next;
    });
  }, []);

  // `join` and `merge` call each other (a gap asks for a join); refs keep them current.
  const joinRef = useRef<() => void>(() => {});

  /** Something beyond last+1 is here: fetch what lies between (never twice from the same point —
   * a join that could not fill it leaves it to the next connect or page load). */
  const checkGap = useCallback(() => {
    const map = byseq.current;
    if (!map.size || filling.current) return;
    const max = Math.max(...map.keys());
    if (max > last.current && joinedFrom.current !== last.current) joinRef.current();
  }, []);

  const merge = useCallback(
    (incoming: MessageView[] | undefined) => {
      if (!incoming?.length) return;
      const map = byseq.current;
      let changed = false;
      for (const m of incoming) {
        if (!m || m.roomId !== roomId || typeof m.seq !== "number") continue;
        map.set(m.seq, m);
        changed = true;
      }
      if (!changed) return;
      while (map.has(last.current + 1)) last.current += 1;
      setMessages([...map.values()].sort((a, b) => a.seq - b.seq));
      const mine = new Set(incoming.filter((m) => m.clientId && m.author.id === meId).map((m) => m.clientId!));
      if (mine.size) setPending((p) => p.filter((x) => !mine.has(x.clientId)));
      noteCards(incoming.flatMap((m) => (m.card ? [m.card] : [])));
      checkGap();
    },
    [roomId, meId, noteCards, checkGap],
  );

  const join = useCallback(() => {
    const s = socketRef.current;
    if (!s?.connected || filling.current) return;
    filling.current = true;
    joinedFrom.current = last.current;
    s.timeout(ACK_TIMEOUT_MS).emit("room:join", { roomId, lastSeq: last.current }, (err, ack) => {
      filling.current = false;
      if (err || !ack?.ok) return;
      setOnline(Array.isArray(ack.presence) ? ack.presence : []);
      mergeReads(ack.reads);
      // A gap that remains (more missed than one answer holds) asks again from the new `last`.
      merge(ack.messages);
      checkGap();
    });
  }, [roomId, merge, mergeReads, checkGap]);
  joinRef.current = join;

  // A new loader result (after a form post, a reconnect) is the truth from MongoDB.
  useEffect(() => {
    merge(initial.messages);
    setOpenCard(initial.openCard);
    setNda(initial.nda);
    mergeReads(initial.reads);
  }, [initial, merge, mergeReads]);

  useEffect(() => {
    if (!enabled) return;
    const timers = typingTimers.current;
    const close = openSocket(
      (socket) => {
        socketRef.current = socket;
        let connectedBefore = false;
        socket.on("connect", () => {
          setConnected(true);
          filling.current = false;
          join();
          if (connectedBefore) revalidate.current();
          connectedBefore = true;
        });
        socket.on("connect_error", () => setConnected(false));
        socket.on("disconnect", () => {
          setConnected(false);
          setOnline([]);
          setTyping({});
        });
        socket.on("room:message", (m) => {
          if (m?.roomId !== roomId) return;
          merge([m]);
          if (m.card?.status === "open")
            setOpenCard((prev) => (prev && prev.id !== m.card!.id && prev.createdAt > m.card!.createdAt ? prev : m.card));
        });
        socket.on("room:card", (c) => {
          if (c?.roomId !== roomId) return;
          noteCards([c]);
          if (c.status === "open") setOpenCard(c);
          else setOpenCard((prev) => (prev?.id === c.id ? null : prev));
          // Accepted, or closed by a deal made elsewhere: the agreed terms, the deal and whether the
          // room still takes cards come with the page data.
          if (c.status === "accepted" || c.status === "closed") revalidate.current();
        });
        socket.on("room:read", (r) => {
          if (r?.roomId === roomId) mergeReads([r]);
        });
        socket.on("room:nda", (n) => {
          if (n?.roomId !== roomId) return;
          const { roomId: _r, ...view } = n;
          setNda(view);
        });
        socket.on("room:members", (p) => {
          if (p?.roomId === roomId) revalidate.current();
        });
        socket.on("room:presence", (p) => {
          if (p?.roomId === roomId && Array.isArray(p.online)) setOnline(p.online);
        });
        socket.on("room:typing", (p) => {
          if (p?.roomId !== roomId || !p.userId || p.userId === meId) return;
          const old = timers.get(p.userId);
          if (old) clearTimeout(old);
          if (p.typing) {
            setTyping((t) => ({ ...t, [p.userId]: p.name }));
            // A lost "stopped typing" must not leave the line up for ever.
            timers.set(
              p.userId,
              setTimeout(() => setTyping(({ [p.userId]: _gone, ...rest }) => rest), TYPING_SHOWN_MS),
            );
          } else {
            timers.delete(p.userId);
            setTyping(({ [p.userId]: _gone, ...rest }) => rest);
          }
        });
      },
      (socket) => socket.emit("room:leave", { roomId }),
    );
    return () => {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      close();
      socketRef.current = null;
    };
  }, [enabled, roomId, meId, join, merge, mergeReads, noteCards]);

  // Read receipts: once the page is visible, what it shows up to `last` is read.
  const lastShown = messages.length ? messages[messages.length - 1]!.seq : 0;
  useEffect(() => {
    if (!enabled) return;
    const mark = () => {
      const s = socketRef.current;
      const seq = last.current;
      if (!s?.connected || document.visibilityState !== "visible" || seq <= sentRead.current) return;
      sentRead.current = seq;
      s.emit("room:read", { roomId, seq }, () => {});
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [enabled, roomId, lastShown, connected]);

  const emitSend = useCallback(
    (clientId: string, text: string) => {
      const s = socketRef.current;
      if (!s) return;
      s.timeout(ACK_TIMEOUT_MS).emit("room:send", { roomId, clientId, text }, (err, ack) => {
        if (!err && ack?.ok) {
          merge([ack.message]);
          setPending((p) => p.filter((x) => x.clientId !== clientId));
          return;
        }
        const error = err || !ack ? "rooms.page.failed" : ((ack.ok ? null : (ack.fields?.text?.[0] ?? ack.error)) ?? "rooms.page.failed");
        const retryable = !!err || !ack || error === "rooms.errors.rateLimited";
        setPending((p) => p.map((x) => (x.clientId === clientId ? { ...x, status: "failed", error, retryable } : x)));
      });
    },
    [roomId, merge],
  );

  const stopTyping = useCallback(() => {
    if (typingIdle.current) clearTimeout(typingIdle.current);
    typingIdle.current = null;
    if (typingSentAt.current) socketRef.current?.emit("room:typing", { roomId, typing: false });
    typingSentAt.current = 0;
  }, [roomId]);

  /** Sends over the socket; false when there is no connection (then the form posts instead). */
  const send = useCallback(
    (raw: string): boolean => {
      const s = socketRef.current;
      if (!s?.connected) return false;
      const text = raw.replace(/\r\n?/g, "\n").trim();
      if (!text || text.length > MESSAGE_MAX) return false;
      const clientId = newClientId();
      setPending((p) => [...p, { clientId, text, status: "sending", error: null, retryable: false }]);
      stopTyping();
      emitSend(clientId, text);
      return true;
    },
    [emitSend, stopTyping],
  );

  /** Sends a failed message again with its own clientId (stored once even if the first try landed). */
  const retry = useCallback(
    (clientId: string): boolean => {
      if (!socketRef.current?.connected) return false;
      const p = pending.find((x) => x.clientId === clientId);
      if (!p) return false;
      setPending((list) => list.map((x) => (x.clientId === clientId ? { ...x, status: "sending", error: null } : x)));
      emitSend(clientId, p.text);
      return true;
    },
    [pending, emitSend],
  );

  const dropPending = useCallback((clientId: string) => setPending((p) => p.filter((x) => x.clientId !== clientId)), []);

  /** Called on each keystroke: "typing" at most every 2 s, "stopped" after 3 s without one. */
  const typed = useCallback(() => {
    const s = socketRef.current;
    if (!s?.connected) return;
    const now = Date.now();
    if (now - typingSentAt.current > TYPING_EVERY_MS) {
      typingSentAt.current = now;
      s.emit("room:typing", { roomId, typing: true });
    }
    if (typingIdle.current) clearTimeout(typingIdle.current);
    typingIdle.current = setTimeout(stopTyping, TYPING_IDLE_MS);
  }, [roomId, stopTyping]);

  const firstSeq = messages.length ? messages[0]!.seq : last.current + 1;
  const hasOlder = firstSeq > 1;

  /** The page before the first message shown, over the socket; false when that is not possible now. */
  const loadOlder = useCallback((): boolean => {
    const s = socketRef.current;
    if (!s?.connected || loadingOlderRef.current || firstSeq <= 1) return false;
    loadingOlderRef.current = true;
    setLoadingOlder(true);
    s.timeout(ACK_TIMEOUT_MS).emit("room:history", { roomId, beforeSeq: firstSeq, limit: 50 }, (err, ack) => {
      loadingOlderRef.current = false;
      setLoadingOlder(false);
      if (!err && ack?.ok) merge(ack.messages);
    });
    return true;
  }, [roomId, firstSeq, merge]);

  return {
    connected,
    messages,
    pending,
    cardOf: (c: CardView) => newerCard(cards[c.id], c),
    // A loader answer read just before the card was answered must not bring it back.
    openCard: openCard && !isTerminal(newerCard(cards[openCard.id], openCard)) ? openCard : null,
    nda,
    reads: Object.values(reads),
    typing: Object.values(typing),
    online: online.filter((p) => p.userId !== meId),
    hasOlder,
    firstSeq,
    loadingOlder,
    loadOlder,
    send,
    retry,
    dropPending,
    typed,
  };
}
