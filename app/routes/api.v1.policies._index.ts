import type { LoaderFunctionArgs } from "@remix-run/node";
import { listPublishedPoliciesWithBody, parsePolicyListQuery } from "~/services/policies/queries.server.ts";
import { apiPolicy } from "~/web/api/presenters/policies.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiPrincipal } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/policies?kind=policy|notice&page= — published policies and notices, newest first,
 * 10 a page (issue 15, point 8). Any valid token. An unknown parameter or value is a 400 naming it.
 */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  await requireApiPrincipal(request);
  const query = parsePolicyListQuery(Object.fromEntries(new URL(request.url).searchParams));
  const list = await listPublishedPoliciesWithBody(query);
  return apiJson({
    total: list.total,
    page: list.page,
    pageCount: list.pageCount,
    pageSize: list.pageSize,
    policies: list.items.map(apiPolicy),
  });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
