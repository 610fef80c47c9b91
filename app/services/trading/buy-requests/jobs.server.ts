import type { Job } from "../../kernel/jobs.ts";
import { expireBuyRequests } from "./expiry.server.ts";

/** Buy requests' periodic work (scheduled by server/jobs/): expire unanswered ones, close sold ones, retry deposits. */
export const buyRequestsExpireJob: Job = {
  name: "buyRequests.expire",
  everyMs: 60_000,
  run: (now) => expireBuyRequests(now),
};
