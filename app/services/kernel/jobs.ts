/**
 * A module's periodic work, declared where the work lives (the offer expiry in trading/offers,
 * the auction closer in trading/auctions …) and scheduled by one runner (server/jobs/runner.ts, listed in server/jobs/index.ts), which
 * makes sure a due job runs on one instance at a time, however many instances there are.
 */
export interface Job {
  /** Unique and stable, module first: "auctions.close", "offers.expire". */
  name: string;
  /** How often it is due. */
  everyMs: number;
  /** A run that takes longer than this is presumed dead and the job may run elsewhere (default: 10 × everyMs, at least a minute). */
  lockMs?: number;
  /** What it does. What it returns is logged when it is not empty (a count, a summary). */
  run: (now: Date) => Promise<unknown>;
}
