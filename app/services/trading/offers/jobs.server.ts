import type { Job } from "../../kernel/jobs.ts";
import { expireOffers } from "./expiry.server.ts";

/** The offers' periodic work (scheduled by server/jobs/): expire what ran out, close what was sold meanwhile. */
export const offersExpireJob: Job = {
  name: "offers.expire",
  everyMs: 60_000,
  run: () => expireOffers(),
};
