import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { offerFieldErrors } from "~/schemas/offers.ts";
import { loadDealFor } from "~/services/contracts/access.server.ts";
import { contractDiff } from "~/services/contracts/queries.server.ts";
import { ValidationError } from "~/utils/errors.ts";
import { apiDiff } from "~/web/api/presenters/deals.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";

/** GET /api/v1/deals/:id/contract/diff?from=1&to=2 — the line diff between two versions of the deal's contract. */
const version = z.coerce
  .number({ invalid_type_error: "apiErrors.diffVersions" })
  .int("apiErrors.diffVersions")
  .min(1, "apiErrors.diffVersions");
const DiffQuerySchema = z
  .object({ from: version, to: version })
  .strict()
  .refine((q) => q.from !== q.to, { message: "apiErrors.diffVersions", path: ["to"] });

export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  // Who has no business with the deal is refused before the query is read (404).
  await loadDealFor(actor, params.id ?? "");
  const parsed = DiffQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw new ValidationError(offerFieldErrors(parsed.error));
  const { from, to } = parsed.data;
  return apiJson(apiDiff(from, to, await contractDiff(actor, params.id ?? "", from, to)));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
