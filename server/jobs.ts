import { sweepOrphanAttachments } from "~/services/attachments.server.ts";
import { closeDueAuctions, settleAuctions } from "~/services/auctions.server.ts";
import { expireOverdue } from "~/services/listings.server.ts";
import { expireOffers } from "~/services/offers.server.ts";
import { runMatchNotifications } from "~/services/matching.server.ts";
import { logger } from "~/utils/logger.server.ts";

/**
 * Periodic platform work. Every instance runs it; each step is a conditional transition, so two
 * instances doing the same sweep change each item once.
 */
const AUCTION_SWEEP_MS = 2_000;

export function startJobs(): () => void {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      const expired = await expireOverdue();
      if (expired) logger.info({ expired }, "expired overdue listings");
      // Files whose listing write failed after the upload (the upload path deletes them itself;
      // this catches a crash in between). Only files older than an hour, never an upload in flight.
      const orphans = await sweepOrphanAttachments();
      if (orphans) logger.info({ orphans }, "removed orphaned attachment files");
    } catch (err) {
      logger.warn({ err }, "listing expiry sweep failed; will retry");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(sweep, 5_000);
  const timer = setInterval(sweep, 10 * 60_000);
  first.unref();
  timer.unref();

  // New matches above the threshold notify both owners (each pair once, ever).
  let matching = false;
  const matchSweep = async () => {
    if (matching) return;
    matching = true;
    try {
      // Offers past their expiry close by themselves (they are also treated as expired on read).
      const expiredOffers = await expireOffers();
      if (expiredOffers) logger.info({ expiredOffers }, "expired offers");
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "offer expiry sweep failed; will retry");
    }
    try {
      const r = await runMatchNotifications({ maxListings: 200 });
      if (r.pairs) logger.info(r, "match notifications sent");
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "match notification sweep failed; will retry");
    } finally {
      matching = false;
    }
  };
  const matchTimer = setInterval(matchSweep, 60_000);
  const matchFirst = setTimeout(matchSweep, 15_000);
  matchTimer.unref();
  matchFirst.unref();
  // Auctions close within a couple of seconds of their end. Every instance runs this: the close is
  // claimed with a conditional update, so each auction closes once (auctions.server.ts).
  let closing = false;
  let ticks = 0;
  const closeSweep = async () => {
    if (closing) return;
    closing = true;
    try {
      await closeDueAuctions();
      // Deposits left unsettled by a failed gateway call or a crash: retried every half minute.
      if (++ticks % 15 === 0) await settleAuctions();
    } catch (err) {
      logger.warn({ err: (err as Error).message }, "auction close sweep failed; will retry");
    } finally {
      closing = false;
    }
  };
  const closeTimer = setInterval(closeSweep, AUCTION_SWEEP_MS);
  closeTimer.unref();
  return () => {
    clearInterval(closeTimer);
    clearTimeout(first);
    clearInterval(timer);
    clearInterval(matchTimer);
    clearTimeout(matchFirst);
  };
}
