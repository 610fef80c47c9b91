import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiDeal } from "~/web/api/presenters/trading.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/** GET /api/v1/deals/:id — one deal, for its parties (and brokers, the bureau, admins); else 404. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  return apiJson({ deal: apiDeal(await getDeal(actor, params.id ?? "")) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
