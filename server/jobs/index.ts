import mongoose from "mongoose";
import { auctionsCloseJob, auctionsSettleJob } from "~/services/trading/auctions/jobs.server.ts";
import type { Job } from "~/services/kernel/jobs.ts";
import { listingsAttachmentsSweepJob, listingsExpireJob, listingsNoticeEndJob } from "~/services/listings/jobs.server.ts";
import { mailDeliverJob } from "~/services/mail/jobs.server.ts";
// From the purposes' list: reconciling a payment lets its owner react, so every owner must be loaded.
import { paymentsReconcileJob } from "~/services/payment-purposes.server.ts";
import { searchOutdatedIndexesJob } from "~/services/search/jobs.server.ts";
import { matchNotifyJob } from "~/services/matching/sweep.server.ts";
import { settlementDeadlinesJob } from "~/services/settlement/jobs.server.ts";
import { offersExpireJob } from "~/services/trading/offers/jobs.server.ts";
import { vocabularyIndexJob } from "~/services/vocabulary/index-update.server.ts";
import { buyRequestsExpireJob } from "~/services/trading/buy-requests/jobs.server.ts";
import { startJobRunner } from "./runner.ts";

/** Every module's periodic work, scheduled by one runner (./runner.ts). */
export const JOBS: readonly Job[] = [
  auctionsCloseJob,
  auctionsSettleJob,
  offersExpireJob,
  buyRequestsExpireJob,
  matchNotifyJob,
  listingsExpireJob,
  listingsNoticeEndJob,
  listingsAttachmentsSweepJob,
  mailDeliverJob,
  settlementDeadlinesJob,
  paymentsReconcileJob,
  vocabularyIndexJob,
  searchOutdatedIndexesJob,
];

/** Starts this instance's runner on the app's database; resolves to its stop function. */
export async function startJobs(): Promise<() => Promise<void>> {
  const runner = await startJobRunner(JOBS, { db: mongoose.connection.db! });
  return () => runner.stop();
}
