import type { Job } from "../kernel/jobs.ts";
import { processGatewayRefunds } from "./cancel.server.ts";
import { lapseUnsignedDeals, remindSigningDeadlines } from "./deadlines.server.ts";

/** Settlement's periodic work (scheduled by server/jobs/): the signing deadline's reminders and lapses, and gateway refunds that failed. */
export const settlementDeadlinesJob: Job = {
  name: "settlement.deadlines",
  everyMs: 5 * 60_000,
  run: async (now) => {
    const reminded = await remindSigningDeadlines(now);
    const lapsed = await lapseUnsignedDeals(now);
    const refunded = await processGatewayRefunds();
    return reminded || lapsed || refunded ? { reminded, lapsed, refunded } : undefined;
  },
};
