import type { LoaderFunctionArgs } from "@remix-run/node";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { MatchQuerySchema } from "~/schemas/matching.ts";
import { findMatchesForAchievement } from "~/services/matching/matches.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";
import { matchingUnavailable } from "~/web/api/matching.server.ts";
import { toApiMatch } from "~/web/api/presenters/matching.ts";

/** GET /api/v1/achievements/:id/matches?limit=10 — the demands this achievement could serve, best first. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const principal = await requireApiPrincipal(request);
  const query = MatchQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new ValidationError(flattenZodErrors(query.error));
  return matchingUnavailable(async () => {
    const matches = await findMatchesForAchievement(params.id ?? "", { limit: query.data.limit, viewer: { type: "api", principal } });
    return apiJson({ matches: matches.map(toApiMatch) });
  });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
