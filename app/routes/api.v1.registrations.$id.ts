import type { LoaderFunctionArgs } from "@remix-run/node";
import { getRegistration } from "~/services/registration/queries.server.ts";
import { apiHandler, apiJson, methodNotAllowed, requireApiUser } from "~/web/api/envelope.server.ts";
import { apiRegistration } from "~/web/api/presenters/registration.ts";

/** GET /api/v1/registrations/:id — one registration, for the applicant, the bureau and admins (others 404). */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const { actor } = await requireApiUser(request);
  const view = await getRegistration(actor, params.id ?? "");
  return apiJson({ registration: apiRegistration(view.registration) });
});

export const action = apiHandler(async () => methodNotAllowed("GET"));
