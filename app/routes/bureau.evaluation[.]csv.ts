import type { LoaderFunctionArgs } from "@remix-run/node";
import { EvaluationQuerySchema } from "~/schemas/commissioners.ts";
import { currentYear } from "~/services/commissioners/queries.server.ts";
import { scorecardCsv } from "~/services/evaluation/export.server.ts";
import { csvDisposition } from "~/utils/csv.server.ts";
import { loadOrThrow } from "~/web/actions.server.ts";
import { requirePermission } from "~/web/auth.server.ts";

/** GET /bureau/evaluation.csv?year=&kind= — one scorecard as CSV for Excel (UTF-8 BOM, formulas neutralised; issue 15, point 6). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "evaluation:manage");
  const q = EvaluationQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { csv, filename, filenameZh } = await loadOrThrow(scorecardCsv(user, q.kind, q.year ?? currentYear()));
  return new Response(csv, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": csvDisposition(filename, filenameZh),
      "Cache-Control": "private, no-cache",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
