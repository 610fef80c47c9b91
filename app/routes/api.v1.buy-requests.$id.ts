import type { LoaderFunctionArgs } from "@remix-run/node";
import { refreshOwnRequest } from "~/services/trading/buy-requests/commands.server.ts";
import { getBuyRequest } from "~/services/trading/buy-requests/queries.server.ts";
import { DomainError, NotFoundError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiBuyRequest } from "~/web/api/presenters/buy-requests.ts";

/**
 * GET /api/v1/buy-requests/:id — one buy request, for its buyer or its seller side; else 404. For
 * the buyer, a deposit still pending is first asked of the gateway (and the request carried on),
 * as the return page does (decision 023).
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const id = params.id ?? "";
  await refreshOwnRequest(actor, id).catch((e: unknown) => {
    // Not the buyer's (the seller side reads it as it is), or the gateway did not answer now.
    if (!(e instanceof NotFoundError) && !(e instanceof DomainError)) throw e;
  });
  return apiJson({ request: apiBuyRequest(await getBuyRequest(actor, id)) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
