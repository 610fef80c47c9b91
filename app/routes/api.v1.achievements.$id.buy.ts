import type { ActionFunctionArgs } from "@remix-run/node";
import { BuyNowApiSchema, offerFieldErrors, tradingErrorCode } from "~/schemas/offers.ts";
import { requestBuyNow } from "~/services/trading/buy-requests/commands.server.ts";
import { getBuyRequest } from "~/services/trading/buy-requests/queries.server.ts";
import { DomainError, ValidationError } from "~/utils/errors.ts";
import { apiActor } from "~/web/api/actor.server.ts";
import { apiError, apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiBuyRequest } from "~/web/api/presenters/buy-requests.ts";

/**
 * POST /api/v1/achievements/:id/buy — ask to buy a fixed-price listing at the price the caller
 * confirms (`amount`, yuan), secured by `way`: "deposit" (a hold of a percentage of the price; 201
 * with the request and `depositCheckoutUrl`, the payment page; the deal opens once the deposit is
 * captured) or "confirm" (the default; 201 with the request `pending` until the seller side
 * confirms). The listing stays on the market meanwhile (decision 023). 409 `already_sold` /
 * `price_changed` / `not_trading` / `request_pending`. See docs/api.md.
 */
const MAX_BODY_BYTES = 16 * 1024;

export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiUser(request);
  const parsed = BuyNowApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  const origin = new URL(request.url).origin;
  try {
    const actor = apiActor(caller);
    const started = await requestBuyNow(actor, params.id ?? "", parsed.data, {
      via: "api",
      urls: {
        successUrl: `${origin}/my/buy-requests?request={REQUEST_ID}&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${origin}/my/buy-requests?request={REQUEST_ID}&deposit=cancelled`,
      },
    });
    const view = await getBuyRequest(actor, started.requestId);
    return apiJson(
      { request: apiBuyRequest(view, { depositCheckoutUrl: started.redirectUrl }) },
      { status: 201, headers: { Location: `/api/v1/buy-requests/${started.requestId}` } },
    );
  } catch (e) {
    const code = e instanceof DomainError ? tradingErrorCode(e.message) : undefined;
    if (code) return apiError((e as DomainError).status as 409, (e as DomainError).message, { code });
    throw e;
  }
});
