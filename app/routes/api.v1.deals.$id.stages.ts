import type { LoaderFunctionArgs } from "@remix-run/node";
import { platformSettings } from "~/services/settings/settings.server.ts";
import { dealStages } from "~/services/settlement/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiStage } from "~/web/api/presenters/settlement.ts";

/** GET /api/v1/deals/:id/stages — the deal's payment schedule and the platform's account for bank transfers, for whoever may see the deal; else 404. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const data = await dealStages(actor, params.id ?? "");
  // Paying by bank transfer (对公转账): to this account, with the stage's `reference` as the transfer's note.
  const { bankAccount } = await platformSettings();
  return apiJson({ paymentState: data.deal.paymentState, bankAccount, stages: data.stages.map(apiStage) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
