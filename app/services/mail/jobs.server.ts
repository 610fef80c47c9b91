import type { Job } from "../kernel/jobs.ts";
import { deliverDue } from "./outbox.server.ts";

/** Mail whose first attempt failed (SMTP down) or that another instance queued is sent by this job. */
export const mailDeliverJob: Job = {
  name: "mail.deliver",
  everyMs: 30_000,
  run: (now) => deliverDue(now),
};
