import { rebuildOutdatedIndexes } from "../../../search/reindex.ts";
import type { Job } from "../kernel/jobs.ts";

/**
 * An index written by an older app (documents without the fields today's queries count on, such
 * as the money bands: docs/decisions/040-search-path-speed.md) is rebuilt once in the background,
 * with the same rebuild-and-swap as a vocabulary change; searches keep answering meanwhile. Due
 * at start and every ten minutes after; a check is two count-only queries.
 */
export const searchOutdatedIndexesJob: Job = {
  name: "search.outdated-indexes",
  everyMs: 10 * 60_000,
  // A rebuild of a large index takes minutes; another instance must not start a second one.
  lockMs: 30 * 60_000,
  run: () => rebuildOutdatedIndexes(),
};
