import type { ActionFunctionArgs } from "@remix-run/node";
import { BuyNowApiSchema, offerFieldErrors, tradingErrorCode } from "~/schemas/offers.ts";
import { apiDeal } from "~/web/api/presenters/trading.ts";
import { buyNow } from "~/services/trading/buy-now.server.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import { DomainError, ValidationError } from "~/utils/errors.ts";
import { apiError, apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * POST /api/v1/achievements/:id/buy — buy a fixed-price listing at the price the caller confirms
 * (`amount`, yuan). 201 with the deal; 409 `already_sold` / `price_changed` / `not_trading`.
 * As a person: session cookie (JSON body) or a personal token. See docs/api.md.
 */
const MAX_BODY_BYTES = 16 * 1024;

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  const parsed = BuyNowApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  try {
    const dealId = await buyNow(actor, params.id ?? "", parsed.data, { via: "api" });
    const deal = await getDeal(actor, dealId);
    return apiJson({ deal: apiDeal(deal) }, { status: 201, headers: { Location: `/api/v1/deals/${dealId}` } });
  } catch (e) {
    const code = e instanceof DomainError ? tradingErrorCode(e.message) : undefined;
    if (code) return apiError((e as DomainError).status as 409, (e as DomainError).message, { code });
    throw e;
  }
});
