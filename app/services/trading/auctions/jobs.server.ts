import type { Job } from "../../kernel/jobs.ts";
import { closeDueAuctions } from "./closing.server.ts";
import { settleAuctions } from "./settlement.server.ts";

/**
 * The auctions' periodic work (the runner in server/jobs/ schedules it). Both are safe on several
 * instances at once anyway: a close is claimed under a lease, a deposit settles idempotently.
 */

/** Auctions close within a couple of seconds of their end (and the deposits of those closed are settled right after). */
export const auctionsCloseJob: Job = {
  name: "auctions.close",
  everyMs: 2_000,
  run: async (now) => {
    const closed = await closeDueAuctions({ now });
    return closed.length ? closed : undefined;
  },
};

/** Deposits left unsettled by a failed gateway call or a crash are retried. */
export const auctionsSettleJob: Job = {
  name: "auctions.settle",
  everyMs: 30_000,
  run: async () => {
    const settled = await settleAuctions();
    return settled || undefined;
  },
};
