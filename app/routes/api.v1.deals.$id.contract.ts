import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { ContractApiSchema } from "~/schemas/contract.ts";
import { offerFieldErrors } from "~/schemas/offers.ts";
import { saveContract } from "~/services/contracts/commands.server.ts";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { contractApiError, optionalJson } from "~/web/api/contracts.server.ts";
import { apiContractPage } from "~/web/api/presenters/deals.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * GET /api/v1/deals/:id/contract — the deal's contract: current text and clauses, every version,
 * the signatures, what the caller may do (`canEdit`, `signAs`); before a draft, the proposal.
 * PUT or POST — draft the contract or save a new version (issue 14, point 11): the edit form's
 * fields with money in yuan; an empty body or `{}` drafts from the suggestion. 201 for the first
 * draft, 200 for a new version; a save after a signature voids it (both sides are told).
 */
const MAX_BODY_BYTES = 128 * 1024;

export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  return apiJson(apiContractPage(await getContractPage(actor, params.id ?? "")));
});

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "PUT" && request.method !== "POST") return methodNotAllowed("GET, PUT, POST");
  const { actor } = await requireApiUser(request);
  const dealId = params.id ?? "";
  // Who has no business with the deal is refused before the body is read (404).
  await loadDealFor(actor, dealId);
  const body = await optionalJson(request, MAX_BODY_BYTES);
  const empty = typeof body === "object" && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
  let input = null;
  if (!empty) {
    const parsed = ContractApiSchema.safeParse(body);
    if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
    input = parsed.data;
  }
  try {
    const version = await saveContract(actor, dealId, input, { via: "api" });
    const page = apiContractPage(await getContractPage(actor, dealId));
    return apiJson(page, { status: version === 1 && page.contract?.versions.length === 1 ? 201 : 200 });
  } catch (e) {
    return contractApiError(e);
  }
});
