import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { CounterOfferApiSchema, offerFieldErrors, RejectOfferApiSchema, tradingErrorCode } from "~/schemas/offers.ts";
import { apiDeal } from "~/web/api/presenters/trading.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import { acceptOffer, counterOffer, rejectOffer, withdrawOffer } from "~/services/trading/offers/commands.server.ts";
import { apiOffer } from "~/web/api/presenters/trading.ts";
import { DomainError, ValidationError } from "~/utils/errors.ts";
import { ApiHttpError, apiError, apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { getOfferThread } from "~/services/trading/offers/queries.server.ts";

/**
 * POST /api/v1/offers/:id/accept | reject | counter | withdraw — answer the open version `:id`.
 * accept → 200 `{offer, deal}`; reject `{reason?}` → 200 `{offer}`; counter `{amount, …}` → 201
 * `{offer}` (the new version); withdraw → 200 `{offer}`. A version answered meanwhile: 409.
 */
const MAX_BODY_BYTES = 16 * 1024;
const ACTIONS = ["accept", "reject", "counter", "withdraw"] as const;
type OfferAction = (typeof ACTIONS)[number];

/** accept and withdraw take no fields: an empty body, none, or `{}`. */
const EmptyBodySchema = z.object({}, { invalid_type_error: "apiErrors.bodyNotObject" }).strict();

async function noFields(request: Request): Promise<void> {
  const parsed = EmptyBodySchema.safeParse(await optionalJson(request));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
}

async function optionalJson(request: Request): Promise<unknown> {
  try {
    return await readJsonBody(request, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof ApiHttpError && e.message === "apiErrors.emptyBody") return {};
    throw e;
  }
}

export const loader = apiHandler(async ({ params }: LoaderFunctionArgs) =>
  (ACTIONS as readonly string[]).includes(params.action ?? "") ? methodNotAllowed("POST") : apiError(404, "apiErrors.noSuchEndpoint"),
);

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const what = params.action as OfferAction;
  if (!(ACTIONS as readonly string[]).includes(what)) return apiError(404, "apiErrors.noSuchEndpoint");
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  const id = params.id ?? "";
  // Who is not a side of the offer is refused before the body is read (404).
  await getOfferThread(actor, id);
  try {
    switch (what) {
      case "accept": {
        await noFields(request);
        const { offer, dealId } = await acceptOffer(actor, id, { via: "api" });
        return apiJson({ offer: apiOffer(offer), deal: apiDeal(await getDeal(actor, dealId)) });
      }
      case "withdraw": {
        await noFields(request);
        return apiJson({ offer: apiOffer(await withdrawOffer(actor, id, { via: "api" })) });
      }
      case "reject": {
        const parsed = RejectOfferApiSchema.safeParse(await optionalJson(request));
        if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
        return apiJson({ offer: apiOffer(await rejectOffer(actor, id, parsed.data, { via: "api" })) });
      }
      case "counter": {
        const parsed = CounterOfferApiSchema.safeParse(await readJsonBody(request, MAX_BODY_BYTES));
        if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
        const offer = await counterOffer(actor, id, parsed.data, { via: "api" });
        return apiJson({ offer: apiOffer(offer) }, { status: 201, headers: { Location: `/api/v1/offers/${offer.thread}` } });
      }
    }
  } catch (e) {
    const code = e instanceof DomainError ? tradingErrorCode(e.message) : undefined;
    if (code) return apiError((e as DomainError).status as 409, (e as DomainError).message, { code });
    throw e;
  }
});
