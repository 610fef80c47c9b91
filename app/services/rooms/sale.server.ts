import type { ClientSession, Types } from "mongoose";
import { DealRoom, OfferCard } from "~/models/deal-room.server.ts";
import { oid } from "~/services/kernel/ids.server.ts";
import { afterCommit } from "~/services/kernel/tx.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { announce, append } from "./messages.server.ts";
import type { CardRow, MessageRow } from "./views.ts";

/**
 * When a listing is sold — whichever way: buy-now, an accepted offer, an auction, a card accepted
 * in one of its rooms — the cards still open in its rooms can no longer be accepted: each is
 * closed (`closed`) with a system message in its room (`rooms.system.card.closed`), in the sale's
 * own transaction (`openDeal` calls this), and the rooms hear it once that transaction committed.
 * The card accepted in the room that made the deal is no longer open by then, so it stays accepted.
 * A non-exclusive licence leaves the listing trading: only the licensee's rooms close their cards
 * (`buyerUserId`); the others go on negotiating.
 */
export async function closeCardsOnSale(
  session: ClientSession,
  listingId: Types.ObjectId,
  now: Date,
  opts: { buyerUserId?: string } = {},
): Promise<number> {
  const filter = opts.buyerUserId ? { listing: listingId, "buyer.user": oid(opts.buyerUserId) } : { listing: listingId };
  const rooms = await DealRoom.find(filter, { _id: 1 }).session(session).lean();
  if (rooms.length === 0) return 0;
  const open = (await OfferCard.find({ room: { $in: rooms.map((r) => r._id) }, status: "open" })
    .session(session)
    .lean()) as CardRow[];
  if (open.length === 0) return 0;
  const closedAt = { status: "closed" as const, respondedAt: now };
  await OfferCard.updateMany({ _id: { $in: open.map((c) => c._id) }, status: "open" }, { $set: closedAt }, { session });
  const closed = (await OfferCard.find({ _id: { $in: open.map((c) => c._id) }, status: "closed", respondedAt: now })
    .session(session)
    .lean()) as CardRow[];
  const messages: MessageRow[] = [];
  for (const card of closed) {
    messages.push(
      await append(
        session,
        card.room,
        {
          kind: "system",
          author: { name: "系统", side: "system" as const },
          event: "rooms.system.card.closed",
          params: { version: String(card.version) },
        },
        now,
      ),
    );
  }
  afterCommit(session, () => {
    announce(messages, closed).catch((err) => logger.warn({ err: (err as Error).message }, "announcing closed offer cards failed"));
  });
  return closed.length;
}
