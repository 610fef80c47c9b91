import { meili } from "../../../search/client.ts";
import { buildSuggestQuery } from "../../../search/query.ts";
import { MAX_QUERY_LENGTH, type SearchKind } from "~/schemas/search.ts";
import { highlightParts, type HighlightPart } from "~/utils/highlight.ts";
import { uids, unavailable, type SearchUnavailable } from "./search.server.ts";

/** As-you-type suggestions for the search box: titles, the typed words marked. */

export interface SuggestItem {
  id: string;
  href: string;
  title: string;
  parts: HighlightPart[];
}

const SUGGEST_TIMEOUT_MS = 1_500;

/** Up to 8 titles for the search box, the matched words marked. */
export async function suggest(kind: SearchKind, q: string): Promise<{ ok: true; items: SuggestItem[] } | SearchUnavailable> {
  const words = q.trim().slice(0, MAX_QUERY_LENGTH);
  if (!words) return { ok: true, items: [] };
  try {
    const res = await meili()
      .index(uids()[kind])
      .search<{ id: string; title: string }>(words, buildSuggestQuery(words), { signal: AbortSignal.timeout(SUGGEST_TIMEOUT_MS) });
    const base = kind === "achievements" ? "/achievements" : "/demands";
    return {
      ok: true,
      items: res.hits.map((h) => ({
        id: h.id,
        href: `${base}/${h.id}`,
        title: h.title,
        parts: highlightParts(typeof h._formatted?.title === "string" ? h._formatted.title : h.title),
      })),
    };
  } catch (err) {
    return unavailable(err, "suggest");
  }
}
