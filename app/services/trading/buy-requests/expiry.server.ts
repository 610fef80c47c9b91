import { Achievement } from "~/models/achievement.server.ts";
import { BuyRequest } from "~/models/buy-request.server.ts";
import { withTransaction } from "~/services/kernel/tx.server.ts";
import { logger } from "~/utils/logger.server.ts";
import { settleBuyRequest, unsettledDepositRequests } from "./deposits.server.ts";
import { closeRivals, finishRequest, loadRequest } from "./open.server.ts";

/**
 * The buy requests' periodic sweep (job `buyRequests.expire`): a request nobody answered in time
 * (the seller side did not confirm; the buyer never paid the deposit) expires, and its deposit
 * page is closed; requests of listings sold another way (an offer, an auction) are closed; deposits
 * whose next step failed after a commit (a capture, a release, a refund) are retried. Nothing was
 * ever taken off the market by a request, so expiring one only tells the buyer.
 */
export async function expireBuyRequests(now = new Date()): Promise<{ expired: number; closed: number; settled: number }> {
  let expired = 0;
  let closed = 0;
  let settled = 0;
  const due = await BuyRequest.find({ status: "pending", expiresAt: { $lte: now } }, { _id: 1, way: 1, deposit: 1 })
    .limit(200)
    .lean();
  for (const d of due) {
    // A deposit already held or taken is carried on (the buyer paid in time); the rest expire.
    if (d.way === "deposit" && ["held", "captured"].includes(d.deposit?.status ?? "")) continue;
    const done = await withTransaction(async (session) => {
      const r = await loadRequest(d._id, session);
      return !!r && finishRequest(session, r, "expired", { reason: "buyRequests.reasons.expired", now });
    });
    if (done) expired++;
  }
  const listings = await BuyRequest.distinct("listing", { status: "pending" });
  const gone = await Achievement.find({ _id: { $in: listings }, status: { $ne: "trading" } }, { _id: 1 }).lean();
  for (const l of gone) closed += await withTransaction((session) => closeRivals(session, l._id, now));
  for (const id of await unsettledDepositRequests()) {
    try {
      await settleBuyRequest(id, now);
      settled++;
    } catch (e) {
      logger.warn({ err: e instanceof Error ? e.message : String(e), request: id }, "buy-now deposit: retry failed");
    }
  }
  return { expired, closed, settled };
}
