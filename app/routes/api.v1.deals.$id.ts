import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiDealWorkspace } from "~/web/api/presenters/deals.ts";
import { getDealWorkspace } from "~/services/settlement/workspace.server.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/deals/:id — one deal with its contract (status, category, amounts, hash,
 * signatures), payment schedule (each stage due, paid, paid out), ledger balances and timeline
 * (issue 14, point 11). For its parties, the deal's brokers, admins and the bureau; else 404.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const workspace = await getDealWorkspace(actor, params.id ?? "");
  const deal = await getDeal(actor, workspace.deal.id);
  return apiJson({ deal: apiDealWorkspace(deal, workspace) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
