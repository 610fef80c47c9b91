import type { ActionFunctionArgs } from "@remix-run/node";
import { startStageCheckout } from "~/services/settlement/receipts.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { apiActor } from "~/web/api/actor.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * POST /api/v1/deals/:id/stages/:number/checkout — the buyer starts paying what is still due on the
 * stage by Stripe Checkout: 201 `{ paymentId, amount, checkoutUrl }` (open it in a browser). 403 for
 * the other people on the deal, 404 for anyone else, 409 when nothing is due.
 */
export const loader = apiHandler(async () => methodNotAllowed("POST"));

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("POST");
  const caller = await requireApiUser(request);
  const id = params.id ?? "";
  if (!/^\d{1,4}$/.test(params.number ?? "")) throw new NotFoundError();
  const number = Number(params.number);
  const origin = new URL(request.url).origin;
  const here = `${origin}/deals/${id}/stages/${number}`;
  const started = await startStageCheckout(apiActor(caller), id, number, {
    successUrl: `${here}?checkout=done`,
    cancelUrl: `${here}?checkout=cancelled`,
  });
  return apiJson({ paymentId: started.paymentId, amount: started.amountFen / 100, checkoutUrl: started.redirectUrl }, { status: 201 });
});
