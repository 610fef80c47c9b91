import type { LoaderFunctionArgs } from "@remix-run/node";
import { ListQuerySchema } from "~/schemas/api.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { listApiItems } from "~/services/open-data/export.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";

/** GET /api/v1/demands?updatedSince=&limit=&cursor= — a page in (updatedAt, id) order for incremental sync. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const principal = await requireApiPrincipal(request);
  const query = ListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) throw new ValidationError(flattenZodErrors(query.error));
  return apiJson(await listApiItems(principal, "demand", query.data));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
