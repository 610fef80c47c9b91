import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { offerFieldErrors, tradingErrorCode } from "~/schemas/offers.ts";
import { confirmBuyRequest, declineBuyRequest } from "~/services/trading/buy-requests/commands.server.ts";
import { getBuyRequest } from "~/services/trading/buy-requests/queries.server.ts";
import { getDeal } from "~/services/trading/deals/queries.server.ts";
import { DomainError, ValidationError } from "~/utils/errors.ts";
import { ApiHttpError, apiError, apiHandler, apiJson, methodNotAllowed, readJsonBody, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiBuyRequest } from "~/web/api/presenters/buy-requests.ts";
import { apiDeal } from "~/web/api/presenters/trading.ts";

/**
 * POST /api/v1/buy-requests/:id/confirm | decline — the seller side answers a buy request that
 * waits for its confirmation (decision 023). confirm → 200 `{request, deal}`; decline `{note?}` →
 * 200 `{request}`. Anyone but the seller side: 404. Answered, expired or sold meanwhile: 409.
 */
const ACTIONS = ["confirm", "decline"] as const;
const DeclineSchema = z
  .object({ note: z.string().max(500, "buyRequests.errors.noteTooLong").optional() }, { invalid_type_error: "apiErrors.bodyNotObject" })
  .strict();

async function optionalJson(request: Request): Promise<unknown> {
  try {
    return await readJsonBody(request, 16 * 1024);
  } catch (e) {
    if (e instanceof ApiHttpError && e.message === "apiErrors.emptyBody") return {};
    throw e;
  }
}

export const loader = apiHandler(async ({ params }: LoaderFunctionArgs) =>
  (ACTIONS as readonly string[]).includes(params.action ?? "") ? methodNotAllowed("POST") : apiError(404, "apiErrors.noSuchEndpoint"),
);

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const what = params.action ?? "";
  if (!(ACTIONS as readonly string[]).includes(what)) return apiError(404, "apiErrors.noSuchEndpoint");
  if (request.method !== "POST") return methodNotAllowed("POST");
  const { actor } = await requireApiUser(request);
  const id = params.id ?? "";
  // A request this caller may not see is a 404 before the body is read.
  await getBuyRequest(actor, id);
  try {
    if (what === "confirm") {
      const dealId = await confirmBuyRequest(actor, id, { via: "api" });
      return apiJson({ request: apiBuyRequest(await getBuyRequest(actor, id)), deal: apiDeal(await getDeal(actor, dealId)) });
    }
    const parsed = DeclineSchema.safeParse(await optionalJson(request));
    if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
    await declineBuyRequest(actor, id, parsed.data.note ?? null, { via: "api" });
    return apiJson({ request: apiBuyRequest(await getBuyRequest(actor, id)) });
  } catch (e) {
    const code = e instanceof DomainError ? tradingErrorCode(e.message) : undefined;
    if (code) return apiError((e as DomainError).status as 409, (e as DomainError).message, { code });
    throw e;
  }
});
