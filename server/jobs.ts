import { sweepOrphanAttachments } from "~/services/attachments.server.ts";
import { expireOverdue } from "~/services/listings.server.ts";
import { runMatchNotifications } from "~/services/matching.server.ts";
import { logger } from "~/utils/logger.server.ts";

/**
 * Periodic platform work. Every instance runs it; each step is a conditional transition, so two
 * instances doing the same sweep change each item once.
 */
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
  return () => {
    clearTimeout(first);
    clearInterval(timer);
    clearInterval(matchTimer);
    clearTimeout(matchFirst);
  };
}
