import type { LoaderFunctionArgs } from "@remix-run/node";
import { verifyRegistration } from "~/services/registration/verify.server.ts";
import { NotFoundError } from "~/utils/errors.ts";
import { apiError, apiHandler, apiJson, methodNotAllowed } from "~/web/api/envelope.server.ts";

/**
 * GET /api/v1/verify/:number — the public facts of a registration number (issue 15, point 10), the
 * same as the page /verify/:number: status with its dates, project, category, the parties' names,
 * the registration point, a prefix of the contract's hash. No authentication. 400 for a malformed
 * number, 404 for an unknown one.
 */
export const loader = apiHandler(async ({ params }: LoaderFunctionArgs) => {
  const number = (params.number ?? "").slice(0, 64);
  try {
    return apiJson({ verification: await verifyRegistration(number) });
  } catch (e) {
    if (e instanceof NotFoundError) return apiError(404, "verify.notFound", { params: { number } });
    throw e;
  }
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
