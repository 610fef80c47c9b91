import type { LoaderFunctionArgs } from "@remix-run/node";
import { DealFiltersSchema } from "~/schemas/deal-filters.ts";
import { offerFieldErrors } from "~/schemas/offers.ts";
import { apiDeal } from "~/web/api/presenters/trading.ts";
import { listDeals } from "~/services/trading/deals/queries.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/deals — my deals as buyer or seller (brokers, the bureau and admins: all), newest
 * first; `?contractState=` (none | draft | signed) and `?paymentState=` (none | due | partly-paid |
 * paid | paid-out | refunded) filter them (issue 14, point 11). An unknown value or parameter is a
 * 400 naming it.
 */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const parsed = DealFiltersSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  return apiJson({ deals: (await listDeals(actor, parsed.data)).map(apiDeal) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
