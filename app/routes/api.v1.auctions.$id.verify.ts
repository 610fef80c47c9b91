import type { LoaderFunctionArgs } from "@remix-run/node";
import { verifyBidChain } from "~/services/trading/auctions/chain.server.ts";
import { apiHandler, apiJson, methodNotAllowed } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/auctions/:id/verify — recomputes the bid chain from the genesis hash and reports
 * whether it is intact. Public: anyone may check that no bid was altered, removed or inserted.
 */
export const loader = apiHandler(async ({ params }: LoaderFunctionArgs) => {
  return apiJson(await verifyBidChain(params.id ?? ""));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
