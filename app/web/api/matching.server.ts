import { MatchingUnavailableError } from "~/services/matching/matches.server.ts";
import { apiError } from "~/web/api/envelope.server.ts";

/**
 * The match endpoints' answer while Meilisearch is unavailable: 503 in the API's error envelope,
 * with a hint to retry (Meilisearch comes back more slowly than MongoDB, hence its own Retry-After).
 */
export async function matchingUnavailable(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof MatchingUnavailableError)) throw e;
    return apiError(503, e.message, { headers: { "Retry-After": "30" } });
  }
}
