import type { LoaderFunctionArgs } from "@remix-run/node";
import { dealStages } from "~/services/settlement/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiStage } from "~/web/api/presenters/settlement.ts";

/** GET /api/v1/deals/:id/stages — the deal's payment schedule, for whoever may see the deal; else 404. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const data = await dealStages(actor, params.id ?? "");
  return apiJson({ paymentState: data.deal.paymentState, stages: data.stages.map(apiStage) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
