import { peekSingleton, setSingleton } from "~/utils/singleton.server.ts";

/**
 * How the offers module tells the parties' open thread pages that a thread changed, without
 * knowing about socket.io (like the rooms module's events.server.ts): the realtime layer
 * (server/realtime/offers.ts) installs the publisher at start-up. Called only after the change is
 * committed; without a publisher (tests, CLI) it is a no-op.
 */
export type OfferPublisher = (threadId: string) => void;

export function setOfferPublisher(fn: OfferPublisher | null): void {
  setSingleton("offerPublisher", fn ?? undefined);
}

export function publishOfferChange(threadIds: readonly string[]): void {
  const publish = peekSingleton<OfferPublisher>("offerPublisher");
  if (!publish) return;
  for (const id of new Set(threadIds)) publish(id);
}
