import type { ActionFunctionArgs } from "@remix-run/node";
import { reportRoyalty, type RoyaltyReportInput } from "~/services/settlement/royalty.server.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * POST /api/v1/deals/:id/stages/:number/royalty-reports `{ periodFrom, periodTo, sales, note? }` —
 * the buyer reports a period's sales (yuan) on a royalty stage: 201 `{ reportId, rateBps, due }`.
 */
export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  if (!/^\d{1,4}$/.test(params.number ?? "")) throw new NotFoundError();
  // Who has no business with the deal is refused before the body is read (404).
  await loadDealFor(actor, params.id ?? "");
  const body = await readJsonBody(request, 16 * 1024);
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new ValidationError({ "": ["errors.invalidInput"] });
  const r = await reportRoyalty(actor, params.id ?? "", Number(params.number), body as RoyaltyReportInput, { via: "api" });
  return apiJson({ reportId: r.reportId, ratePercent: r.rateBps / 100, due: r.dueFen / 100 }, { status: 201 });
});
