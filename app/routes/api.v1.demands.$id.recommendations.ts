import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { RecommendInput } from "~/schemas/recommendations.ts";
import { getListing } from "~/services/listings/queries.server.ts";
import { recommendAchievement } from "~/services/recommendations/commands.server.ts";
import { listRecommendations } from "~/services/recommendations/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiPrincipal, requireApiUser } from "~/web/api/envelope.server.ts";
import { toApiRecommendation } from "~/web/api/presenters/recommendations.ts";

/**
 * GET /api/v1/demands/:id/recommendations — the achievements recommended to a demand, newest
 * first: for the owner's personal token, admin and broker tokens (403 for other tokens, 404 for a
 * demand the token may not see).
 * POST /api/v1/demands/:id/recommendations — recommend an achievement (`{"achievementId","note"}`)
 * as a person (session cookie with a JSON body, or a personal token): 201 with the recommendation
 * and the deal room it opened.
 */
const MAX_BODY_BYTES = 8 * 1024;

export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const principal = await requireApiPrincipal(request);
  const items = await listRecommendations(principal.actor, params.id ?? "");
  return apiJson({ recommendations: items.map(toApiRecommendation) });
});

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const { actor } = await requireApiUser(request);
  // Who may not see the demand is refused before the body is read (404).
  await getListing(actor, "demand", params.id ?? "");
  // The service parses the body with RecommendSchema (a ValidationError names the field).
  const body = (await readJsonBody(request, MAX_BODY_BYTES)) as RecommendInput;
  const result = await recommendAchievement(actor, params.id ?? "", body, { via: "api" });
  return apiJson({ recommendation: { id: result.recommendationId, roomId: result.roomId } }, { status: 201 });
});
