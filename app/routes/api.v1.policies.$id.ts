import type { LoaderFunctionArgs } from "@remix-run/node";
import { getPublishedPolicy } from "~/services/policies/queries.server.ts";
import { apiPolicy } from "~/web/api/presenters/policies.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";

/** GET /api/v1/policies/:id — one published policy or notice, with its body as Markdown and as safe HTML; 404 otherwise. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  await requireApiPrincipal(request);
  const p = await getPublishedPolicy(params.id ?? "");
  return apiJson(apiPolicy(p));
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
