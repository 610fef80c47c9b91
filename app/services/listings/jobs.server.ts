import { sweepOrphanAttachments } from "../files/sweep.server.ts";
import type { Job } from "../kernel/jobs.ts";
import { expireOverdue } from "./expiry.server.ts";
import { startTradingAfterNotice } from "./notice-end.server.ts";

/** The listings' periodic work (the runner in server/jobs schedules it). */

/** Published items past their validity (achievements) or deadline (demands) expire. */
export const listingsExpireJob: Job = {
  name: "listings.expire",
  everyMs: 10 * 60_000,
  run: () => expireOverdue(),
};

/** Attachment files no listing refers to any more (a delete that failed, an upload that crashed) are collected. */
export const listingsAttachmentsSweepJob: Job = {
  name: "listings.attachments.sweep",
  everyMs: 10 * 60_000,
  run: () => sweepOrphanAttachments(),
};

/** Achievements whose 公示 ended with no open objection open for trading (within a minute of the end). */
export const listingsNoticeEndJob: Job = {
  name: "listings.notice-end",
  everyMs: 60_000,
  run: (now) => startTradingAfterNotice(now),
};
