import type { ActionFunctionArgs } from "@remix-run/node";
import { percentToBps } from "~/schemas/settings.ts";
import { setDealCommission } from "~/services/settlement/payouts.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * POST /api/v1/deals/:id/commission `{commissionPercent: 2.5}` — an admin sets the deal's broker
 * commission (0–50 %, two decimals) before any of its stages is paid (409 after). 200 `{commissionBps}`.
 */
export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  // Who has no business with the deal is refused before the body is read (404).
  await loadDealFor(actor, params.id ?? "");
  const body = (await readJsonBody(request, 1024)) as { commissionPercent?: unknown } | null;
  const raw = body && typeof body === "object" ? body.commissionPercent : undefined;
  const bps = typeof raw === "number" || typeof raw === "string" ? percentToBps(String(raw)) : null;
  if (bps === null) throw new ValidationError({ commissionPercent: ["payouts.errors.rate"] });
  await setDealCommission(actor, params.id ?? "", bps, "api");
  return apiJson({ commissionBps: bps });
});
