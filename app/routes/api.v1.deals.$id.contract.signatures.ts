import type { ActionFunctionArgs } from "@remix-run/node";
import { SignApiSchema } from "~/schemas/contract.ts";
import { offerFieldErrors } from "~/schemas/offers.ts";
import { signContract } from "~/services/contracts/commands.server.ts";
import { getContractPage } from "~/services/contracts/queries.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { contractApiError } from "~/web/api/contracts.server.ts";
import { apiContractPage } from "~/web/api/presenters/deals.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";

/**
 * POST /api/v1/deals/:id/contract/signatures `{ version, distribution? }` — click-to-sign for the
 * caller's side over the API (issue 14, point 11), with the same rules as the page: the version
 * read must be the current one, a university or institute seller gives a distribution plan of at
 * least 60% to the team. 201 with the contract; `signed: true` when both sides have signed.
 */
const MAX_BODY_BYTES = 16 * 1024;

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params, context }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  const dealId = params.id ?? "";
  // Who has no business with the deal is refused before the body is read (404).
  await loadDealFor(actor, dealId);
  const parsed = SignApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  try {
    const r = await signContract(
      actor,
      dealId,
      {
        version: parsed.data.version,
        ip: String((context as { clientIp?: string } | undefined)?.clientIp ?? "unknown"),
        distribution: parsed.data.distribution ?? null,
      },
      { via: "api" },
    );
    return apiJson({ side: r.side, signed: r.signed, ...apiContractPage(await getContractPage(actor, dealId)) }, { status: 201 });
  } catch (e) {
    return contractApiError(e);
  }
});
