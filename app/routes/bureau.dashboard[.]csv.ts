import type { LoaderFunctionArgs } from "@remix-run/node";
import { StatisticsCsvQuerySchema } from "~/schemas/statistics.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { countyDashboard } from "~/services/statistics/dashboard.server.ts";
import { dashboardTable, TABLE_TITLES } from "~/services/statistics/tables.ts";
import { csvDisposition, csvText } from "~/utils/csv.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { errorResponse, loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/**
 * /bureau/dashboard.csv?year=&table= — one of the dashboard's tables as CSV for Excel: UTF-8 with
 * a BOM, formulas neutralised (utils/csv.server.ts).
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "statistics:view");
  const parsed = StatisticsCsvQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw errorResponse(new ValidationError(flattenZodErrors(parsed.error)));
  const d = await loadOrThrow(countyDashboard(user, parsed.data.year));
  const { header, rows } = dashboardTable(d, parsed.data.table);
  return new Response(csvText(header, rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": csvDisposition(
        `dashboard-${d.year}-${parsed.data.table}.csv`,
        `技术合同统计-${d.year}-${TABLE_TITLES[parsed.data.table].zh}.csv`,
      ),
      "Cache-Control": "private, no-store",
    },
  });
}
