import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiActor, auctionErrorResponse } from "~/components/auction/api.server.ts";
import { RegisterBidderSchema } from "~/schemas/auctions.ts";
import { flattenZodErrors } from "~/schemas/listing.ts";
import { AuctionError, BIDDER_AGREEMENT_VERSION, confirmDeposit, getAuction, registerBidder } from "~/services/auctions.server.ts";
import { NotFoundError, ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/auctions/:id/registration — the caller's own registration (404 when none); asks the
 * gateway first when the deposit is still pending.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const caller = await requireApiUser(request);
  const id = params.id ?? "";
  try {
    await confirmDeposit(caller.actor, id);
  } catch (e) {
    if (e instanceof AuctionError && e.code === "not_registered") throw new NotFoundError();
    throw e;
  }
  const a = await getAuction(caller.actor, id);
  const r = a.viewer.registration!;
  return apiJson({
    bidderNumber: r.number,
    agreementAcceptedAt: r.agreementAcceptedAt,
    deposit: { status: r.deposit.status, amount: r.deposit.amount / 100 },
  });
});

/**
 * POST /api/v1/auctions/:id/registration `{ "acceptAgreement": true }` — registers the caller and
 * starts the deposit hold: 201 with `depositCheckoutUrl`, the payment page to open in a browser
 * (null when the deposit is already held).
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const caller = await requireApiUser(request);
  const body = await readJsonBody(request, 16 * 1024);
  const parsed = RegisterBidderSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(flattenZodErrors(parsed.error));
  const id = params.id ?? "";
  const origin = new URL(request.url).origin;
  try {
    const { registration, redirectUrl } = await registerBidder(apiActor(caller), id, {
      successUrl: `${origin}/auctions/${id}/deposit?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${origin}/auctions/${id}?deposit=cancelled`,
    });
    return apiJson(
      {
        bidderNumber: registration.number,
        agreementVersion: BIDDER_AGREEMENT_VERSION,
        agreementAcceptedAt: registration.agreementAcceptedAt,
        deposit: { status: registration.deposit.status, amount: registration.deposit.amount / 100 },
        depositCheckoutUrl: redirectUrl,
      },
      { status: 201 },
    );
  } catch (e) {
    if (e instanceof AuctionError) return auctionErrorResponse(e);
    throw e;
  }
});
