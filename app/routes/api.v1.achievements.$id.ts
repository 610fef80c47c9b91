import type { LoaderFunctionArgs } from "@remix-run/node";
import { getApiItem } from "~/services/open-data/export.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";

/** GET /api/v1/achievements/:id — one achievement, in the import format with money in yuan. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const principal = await requireApiPrincipal(request);
  return apiJson(await getApiItem(principal, "achievement", params.id ?? ""));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
