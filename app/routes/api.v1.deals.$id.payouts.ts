import type { LoaderFunctionArgs } from "@remix-run/node";
import { payoutsOfDeal } from "~/services/settlement/payouts.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiPayout } from "~/web/api/presenters/payouts.ts";

/**
 * GET /api/v1/deals/:id/payouts — what the platform owes and paid out of the deal's paid stages
 * (issue 14, point 6), for whoever may see the deal: the seller, admins and the bureau see all; a
 * broker their own commission; the buyer none. A deal the caller has no business with: 404.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  return apiJson({ payouts: (await payoutsOfDeal(actor, params.id ?? "")).map(apiPayout) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
