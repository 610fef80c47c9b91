import type { LoaderFunctionArgs } from "@remix-run/node";
import { ExportQuerySchema } from "~/schemas/api.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { exportLines } from "~/services/open-data/export.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { logger } from "~/utils/logger.server.ts";
import { apiHandler, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/export?type=&updatedSince= — every visible item as JSON lines, read from a
 * database cursor 500 at a time and written out as each batch is ready, so the export never
 * sits in memory as a whole. (The express adapter writes without waiting for the socket to
 * drain, so a very slow client can still make the process buffer what it has not taken yet.)
 */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const principal = await requireApiPrincipal(request);
  const query = ExportQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new ValidationError(flattenZodErrors(query.error));
  const lines = exportLines(principal, query.data);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await lines.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (e) {
        // Headers are gone already: cut the stream so the client sees an incomplete export.
        logger.error({ err: e }, "open data API: export failed midway");
        controller.error(e);
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "application/x-ndjson; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Disposition": 'inline; filename="chengguo-export.ndjson"',
    },
  });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
