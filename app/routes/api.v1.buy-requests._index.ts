import type { LoaderFunctionArgs } from "@remix-run/node";
import { myBuyRequests } from "~/services/trading/buy-requests/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiBuyRequest } from "~/web/api/presenters/buy-requests.ts";

/** GET /api/v1/buy-requests — the caller's own buy requests (`mine`) and those waiting for their selling side (`toConfirm`), newest first. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const { mine, toConfirm } = await myBuyRequests(actor);
  return apiJson({ mine: mine.map((r) => apiBuyRequest(r)), toConfirm: toConfirm.map((r) => apiBuyRequest(r)) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
