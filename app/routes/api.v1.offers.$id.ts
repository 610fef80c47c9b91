import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiThread } from "~/web/api/presenters/trading.ts";
import { getOfferThread } from "~/services/trading/offers/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/** GET /api/v1/offers/:id — the negotiation (any version's id) with every version; its two sides only, else 404. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  return apiJson(apiThread(await getOfferThread(actor, params.id ?? "")));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
