import { useRevalidator } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState } from "react";
import type { AuctionBidEvent, AuctionStateEvent } from "~/schemas/realtime.ts";
import { openSocket } from "~/components/site-socket.ts";

/**
 * Keeps an auction page current without reloads: joins the auction's socket.io room, appends
 * bids as they are committed (by sequence number, so a bid is never shown twice) and takes the
 * newer state. After a reconnect the loader runs again, which fills any gap from MongoDB.
 * Without JavaScript the page is still complete; it just does not move on its own.
 */
export type LiveBid = Omit<AuctionBidEvent, "auctionId">;
export type LiveState = Omit<AuctionStateEvent, "auctionId">;

/** `source` must keep its identity between renders (a loader result does), it is the hook's input. */
export function useAuctionLive<T>(auctionId: string, source: T, toInitial: (source: T) => { state: LiveState; bids: LiveBid[] }) {
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const initial = useMemo(() => toInitial(source), [source]);
  const [state, setState] = useState(initial.state);
  const [bids, setBids] = useState(initial.bids);
  const [connected, setConnected] = useState<boolean | null>(null);
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  // A new loader result (after a bid, a reconnect, a revalidation) is the truth from MongoDB.
  useEffect(() => {
    setState((s) => (initial.state.lastSeq >= s.lastSeq || initial.state.status !== s.status ? initial.state : s));
    setBids((list) => mergeBids(initial.bids, list));
  }, [initial]);

  useEffect(() => {
    return openSocket((socket) => {
      let connectedBefore = false;
      socket.on("connect", () => {
        setConnected(true);
        socket.emit("auction:watch", { auctionId }, () => {});
        if (connectedBefore) revalidate.current();
        connectedBefore = true;
      });
      socket.on("disconnect", () => setConnected(false));
      socket.on("auction:bid", (b) => {
        if (b.auctionId !== auctionId) return;
        setBids((list) => mergeBids([b], list));
      });
      socket.on("auction:state", (s) => {
        if (s.auctionId !== auctionId) return;
        setState((prev) => {
          if (s.lastSeq < prev.lastSeq && s.status === prev.status) return prev;
          // A close brings the outcome, the settlement after it the deposits' new status: reload
          // the page's data for the winner, the deal and one's own registration.
          if (s.status === "closed" && (prev.status !== "closed" || (s.settled && !prev.settled)))
            setTimeout(() => revalidate.current(), 0);
          return s;
        });
      });
    });
  }, [auctionId]);

  return { state, bids, connected };
}

function mergeBids(incoming: LiveBid[], current: LiveBid[]): LiveBid[] {
  const bySeq = new Map(current.map((b) => [b.seq, b]));
  for (const b of incoming) bySeq.set(b.seq, b);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, 200);
}

/** Seconds until `iso`, ticking every second, corrected by the server's clock at page load. */
export function useCountdown(iso: string, serverTime: string): number {
  const offset = useRef<number | null>(null);
  const compute = () => {
    // Server-rendered and first client render agree: both count from the server's time.
    const now = offset.current == null ? Date.parse(serverTime) : Date.now() + offset.current;
    return Math.max(0, Math.floor((Date.parse(iso) - now) / 1000));
  };
  const [left, setLeft] = useState(compute);
  useEffect(() => {
    offset.current = Date.parse(serverTime) - Date.now();
    setLeft(compute());
    const timer = setInterval(() => setLeft(compute()), 1000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [iso, serverTime]);
  return left;
}

export function formatDuration(seconds: number, locale: string): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${pad(h)}:${pad(m)}:${pad(s)}`;
  if (d === 0) return clock;
  return locale.startsWith("zh") ? `${d} 天 ${clock}` : `${d} d ${clock}`;
}
