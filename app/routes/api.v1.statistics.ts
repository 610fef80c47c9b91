import type { LoaderFunctionArgs } from "@remix-run/node";
import { StatisticsQuerySchema } from "~/schemas/statistics.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { countyDashboard } from "~/services/statistics/dashboard.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";
import { apiStatistics } from "~/web/api/presenters/statistics.ts";

/**
 * GET /api/v1/statistics?year= — the county dashboard's totals and breakdowns (issue 15, point 10),
 * for API tokens whose roles may view statistics (bureau, admin); else 403.
 */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const principal = await requireApiPrincipal(request);
  const query = StatisticsQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new ValidationError(flattenZodErrors(query.error));
  return apiJson(apiStatistics(await countyDashboard(principal.actor, query.data.year)));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
