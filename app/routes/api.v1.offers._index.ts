import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { MakeOfferApiSchema, offerFieldErrors, tradingErrorCode } from "~/schemas/offers.ts";
import { apiOffer, apiThreadSummary } from "~/web/api/presenters/trading.ts";
import { listMyOffers } from "~/services/trading/offers/queries.server.ts";
import { makeOffer } from "~/services/trading/offers/commands.server.ts";
import { DomainError, ValidationError } from "~/utils/errors.ts";
import { apiError, apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/offers — my negotiations, received (seller side) and made (buyer), latest version each.
 * POST /api/v1/offers — make an offer on a negotiable listing in trading; 201 with the offer.
 * As a person: session cookie (JSON body for POST) or a personal token. Money in yuan.
 */
const MAX_BODY_BYTES = 16 * 1024;

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const offers = await listMyOffers(actor);
  return apiJson({ incoming: offers.incoming.map(apiThreadSummary), outgoing: offers.outgoing.map(apiThreadSummary) });
});

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return methodNotAllowed("GET, POST");
  const { actor } = await requireApiUser(request);
  const parsed = MakeOfferApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  try {
    const offer = await makeOffer(actor, parsed.data.listingId, parsed.data.terms, { via: "api" });
    return apiJson({ offer: apiOffer(offer) }, { status: 201, headers: { Location: `/api/v1/offers/${offer.thread}` } });
  } catch (e) {
    const code = e instanceof DomainError ? tradingErrorCode(e.message) : undefined;
    if (code) return apiError((e as DomainError).status as 409, (e as DomainError).message, { code });
    throw e;
  }
});
