import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { RegisterBidderSchema } from "~/schemas/auctions.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { ownRegistration, registerBidder } from "~/services/trading/auctions/registration.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiActor } from "~/web/api/actor.server.ts";
import { apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { auctionApiHandler, newRegistrationJson, registrationJson } from "~/web/api/presenters/auctions.ts";
import { getAuction } from "~/services/trading/auctions/queries.server.ts";

/**
 * GET /api/v1/auctions/:id/registration — the caller's own registration (404 when none); asks the
 * gateway first when the deposit is still pending.
 */
export const loader = auctionApiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const caller = await requireApiUser(request);
  return apiJson(registrationJson(await ownRegistration(caller.actor, params.id ?? "")));
});

/**
 * POST /api/v1/auctions/:id/registration `{ "acceptAgreement": true }` — registers the caller and
 * starts the deposit hold: 201 with `depositCheckoutUrl`, the payment page to open in a browser
 * (null when the deposit is already held).
 */
export const action = auctionApiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const caller = await requireApiUser(request);
  // An auction that does not exist (or is not shown to the caller) is a 404 before the body is read.
  await getAuction(apiActor(caller), params.id ?? "");
  const body = await readJsonBody(request, 16 * 1024);
  const parsed = RegisterBidderSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const id = params.id ?? "";
  const origin = new URL(request.url).origin;
  const { registration, redirectUrl } = await registerBidder(apiActor(caller), id, {
    successUrl: `${origin}/auctions/${id}/deposit?session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `${origin}/auctions/${id}?deposit=cancelled`,
  });
  return apiJson(newRegistrationJson(registration, redirectUrl), { status: 201 });
});
