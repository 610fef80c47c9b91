import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiDeal } from "~/web/api/presenters/trading.ts";
import { listDeals } from "~/services/trading/deals/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/** GET /api/v1/deals — my deals as buyer or seller (brokers, the bureau and admins: all), newest first. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  return apiJson({ deals: (await listDeals(actor)).map(apiDeal) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
