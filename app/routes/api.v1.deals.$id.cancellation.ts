import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { CancellationApiSchema } from "~/schemas/cancellation.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import {
  adminCancelDeal,
  confirmCancellation,
  getCancelView,
  proposeCancellation,
  withdrawCancellation,
} from "~/services/settlement/cancel.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * POST /api/v1/deals/:id/cancellation (issue 14, point 8) — `{action: "propose", reason}` (a party),
 * `{action: "confirm"}` (the other party), `{action: "withdraw"}` (the proposer withdraws, the
 * other party declines), `{action: "admin-cancel", reason}` (an admin). 200 `{cancellation}`: the
 * deal's status, the open proposal, how it ended and its refunds. Same rules as the page: a stranger
 * 404, the bureau or a broker 403, after a payout 409. GET reads the same.
 */
const MAX_BODY_BYTES = 8 * 1024;

export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  return apiJson({ cancellation: await getCancelView(actor, params.id ?? "") });
});

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const { actor } = await requireApiUser(request);
  const id = params.id ?? "";
  // Who has no business with the deal is refused before the body is read (404).
  await loadDealFor(actor, id);
  const parsed = CancellationApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const body = parsed.data;
  const opts = { via: "api" as const };
  switch (body.action) {
    case "propose":
      await proposeCancellation(actor, id, body.reason, opts);
      break;
    case "confirm":
      await confirmCancellation(actor, id, opts);
      break;
    case "withdraw":
      await withdrawCancellation(actor, id, opts);
      break;
    case "admin-cancel":
      await adminCancelDeal(actor, id, body.reason, opts);
      break;
  }
  return apiJson({ cancellation: await getCancelView(actor, id) });
});
