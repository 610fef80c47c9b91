import type { ListingKind } from "~/schemas/listing.ts";
import { matchesForPage, type PageMatches } from "~/services/matching/matches.server.ts";
import { getUser } from "~/web/auth.server.ts";

/**
 * The matches section's data for a detail page's loader. Never throws: when Meilisearch is down
 * the section says so and the rest of the page is served as usual.
 */
export async function loadPageMatches(request: Request, kind: ListingKind, id: string): Promise<PageMatches> {
  try {
    return await matchesForPage(await getUser(request), kind, id);
  } catch {
    return { status: "unavailable" };
  }
}
