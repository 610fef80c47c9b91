import type { ActionFunctionArgs } from "@remix-run/node";
import type { MatchFeedbackBody } from "~/schemas/match-feedback.ts";
import { markMatch } from "~/services/matching/feedback.server.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { getListing } from "~/services/listings/queries.server.ts";

/**
 * POST /api/v1/demands/:id/matches/:achievementId/feedback — mark a match 相关 / 不相关
 * (`{"verdict": "relevant" | "irrelevant"}`) or withdraw one's mark (`{"verdict": null}`), as a
 * person (a personal token or the session cookie with a JSON body) of the demand's organisation,
 * a broker or an admin: 200 with the mark; 403 for anyone else who may see the demand, 404 for a
 * demand or achievement one may not see. Decision 031.
 */
const MAX_BODY_BYTES = 1024;

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  // Who may not see the demand is refused before the body is read (404).
  await getListing(actor, "demand", params.id ?? "");
  // The service parses the body with MatchFeedbackBodySchema (a ValidationError names the field).
  const body = (await readJsonBody(request, MAX_BODY_BYTES)) as MatchFeedbackBody;
  const mark = await markMatch(actor, params.id ?? "", params.achievementId ?? "", body, { via: "api" });
  return apiJson({ feedback: mark });
});
