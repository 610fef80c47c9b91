import { Auction, AuctionRegistration } from "~/models/auction.server.ts";
import { ConflictError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { captureDeposit, releaseDeposit } from "./deposits.server.ts";

/**
 * After a close: the winner's deposit is captured (kept toward the price), every other deposit
 * released. Both calls are idempotent (conditional status change + the gateway's idempotency
 * key), so instances racing here, or a retry after a crash, move each deposit once. Returns how
 * many auctions were fully settled.
 */
export async function settleAuctions(opts: { limit?: number } = {}): Promise<number> {
  const pending = await Auction.find({ status: "closed", settlement: "pending" }, { outcome: 1 })
    .limit(opts.limit ?? 20)
    .lean();
  let settled = 0;
  for (const a of pending) {
    const regs = await AuctionRegistration.find({ auction: a._id, "deposit.payment": { $ne: null } }, { deposit: 1 }).lean();
    let allDone = true;
    for (const r of regs) {
      const paymentId = String(r.deposit!.payment);
      const keep = a.outcome?.result === "sold" && String(a.outcome.winner) === String(r._id);
      try {
        if (keep) await captureDeposit(paymentId);
        else await releaseDeposit(paymentId);
      } catch (err) {
        // A deposit that is no longer held (released or failed by hand at the gateway) cannot be
        // settled by retrying: record it and move on, rather than retrying it forever.
        if (err instanceof ConflictError && err.message !== "payments.gatewayUnavailable") {
          logger.error(
            { err: err.message, auction: String(a._id), payment: paymentId },
            "deposit cannot be settled as planned; left for an administrator",
          );
          continue;
        }
        allDone = false;
        logger.warn({ err: (err as Error).message, auction: String(a._id), payment: paymentId }, "deposit settlement failed; will retry");
      }
    }
    if (allDone) {
      await Auction.updateOne({ _id: a._id, settlement: "pending" }, { $set: { settlement: "done" } });
      settled++;
    }
  }
  return settled;
}
