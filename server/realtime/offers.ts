import { WatchOfferSchema } from "~/schemas/realtime.ts";
import { setOfferPublisher } from "~/services/trading/offers/events.server.ts";
import { getOfferThread } from "~/services/trading/offers/queries.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { ackOf, currentActor, type RealtimeServer, type RealtimeSocket } from "./socket.ts";

/**
 * Live offer thread pages (/offers/:id) for both sides. A socket joins `offer:<thread>` only after
 * the offers module let its user read the thread (`getOfferThread`: the buyer, or the seller side
 * with its role — anyone else gets "not found"). After a committed change the module publishes the
 * thread's id; the event carries nothing else, and the page reloads its data through its loader,
 * which checks access again. Through the adapter the event reaches watchers on every instance.
 */

export const offerRoom = (threadId: string) => `offer:${threadId}`;

export function createOfferRealtime(io: RealtimeServer) {
  setOfferPublisher((threadId) => {
    io.to(offerRoom(threadId)).emit("offer:changed", { threadId });
  });
  return {
    register(socket: RealtimeSocket) {
      socket.on("offer:watch", async (payload, ack) => {
        const reply = ackOf("offer:watch", ack);
        const parsed = WatchOfferSchema.safeParse(payload);
        if (!parsed.success) return reply({ ok: false, error: "errors.invalidInput" });
        try {
          const actor = await currentActor(socket);
          if (!actor) return reply({ ok: false, error: "errors.notFound" });
          const thread = await getOfferThread(actor, parsed.data.offerId);
          await socket.join(offerRoom(thread.thread));
          reply({ ok: true });
        } catch (err) {
          if (err instanceof NotFoundError) return reply({ ok: false, error: "errors.notFound" });
          logger.warn({ err }, "offer:watch failed");
          reply({ ok: false, error: "errors.unexpected" });
        }
      });
      socket.on("offer:unwatch", async (payload) => {
        const parsed = WatchOfferSchema.safeParse(payload);
        if (parsed.success) await socket.leave(offerRoom(parsed.data.offerId));
      });
    },
    close() {
      setOfferPublisher(null);
    },
  };
}
