import { MatchingUnavailableError } from "~/services/matching/matches.server.ts";
import { apiJson, bilingual } from "~/web/api/envelope.server.ts";

/**
 * The match endpoints' answer while Meilisearch is unavailable: 503 in the API's error envelope
 * (the shared envelope knows no 503, so it is built here), with a hint to retry.
 */
export async function matchingUnavailable(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof MatchingUnavailableError)) throw e;
    return apiJson(
      { error: { status: 503, code: "service_unavailable", message: bilingual(e.message) } },
      { status: 503, headers: { "Retry-After": "30" } },
    );
  }
}
