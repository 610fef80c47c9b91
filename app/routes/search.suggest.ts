import { json, type LoaderFunctionArgs } from "@remix-run/node";
import { SuggestParamsSchema } from "~/schemas/search.ts";
import { suggest } from "~/services/search/suggest.server.ts";
import { fieldErrorList, fieldErrors } from "~/utils/errors.ts";

/**
 * GET /search/suggest?kind=achievements&q=根腐 — as-you-type suggestions for the search box:
 * `{ "items": [{ "id", "href", "title", "parts": [{ "text", "mark" }] }] }`, at most 8, the
 * typed words marked (`mark: true`). 400 for a bad kind or words over 100 characters; 503 with
 * `"unavailable": true` and no items while Meilisearch is down.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const parsed = SuggestParamsSchema.safeParse({
    kind: url.searchParams.get("kind") || undefined,
    q: url.searchParams.get("q") ?? undefined,
  });
  if (!parsed.success) {
    const fields = fieldErrors();
    for (const issue of parsed.error.issues) fieldErrorList(fields, String(issue.path[0])).push(issue.message);
    return json({ items: [], errors: fields }, { status: 400, headers: { "Cache-Control": "no-store" } });
  }
  const result = await suggest(parsed.data.kind, parsed.data.q);
  if (!result.ok) {
    return json({ items: [], unavailable: true }, { status: 503, headers: { "Cache-Control": "no-store", "Retry-After": "30" } });
  }
  // The same words give the same titles for a little while; the index changes rarely.
  return json({ items: result.items }, { headers: { "Cache-Control": "private, max-age=30" } });
}
