import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_IMPORT_BYTES } from "~/schemas/api.ts";
import { importListings, mayImport, type ImportRecordResult } from "~/services/open-data/import.server.ts";
import { ForbiddenError } from "~/utils/errors.ts";
import {
  apiHandler,
  apiJson,
  localizeFieldErrors,
  localizeWarnings,
  methodNotAllowed,
  readJsonBody,
  requireApiPrincipal,
} from "~/web/api/envelope.server.ts";

/** POST /api/v1/import — upsert achievements and demands by (source, externalId). See docs/api.md. */
export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const principal = await requireApiPrincipal(request);
  // Refuse before reading a possibly large body.
  if (!mayImport(principal)) throw new ForbiddenError("apiErrors.importForbidden");
  const body = await readJsonBody(request, MAX_IMPORT_BYTES);
  const result = await importListings(principal, body);
  const localize = (r: ImportRecordResult) => ({
    ...r,
    ...(r.errors ? { errors: localizeFieldErrors(r.errors) } : {}),
    ...(r.warnings ? { warnings: localizeWarnings(r.warnings) } : {}),
  });
  return apiJson({
    source: result.source,
    totals: result.totals,
    achievements: result.achievements.map(localize),
    demands: result.demands.map(localize),
  });
});
