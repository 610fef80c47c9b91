import type { LoaderFunctionArgs } from "@remix-run/node";
import { registrationFile } from "~/services/registration/queries.server.ts";
import { DomainError } from "~/utils/errors.ts";
import { requireUser } from "~/web/auth.server.ts";
import { fileResponse } from "~/web/files.server.ts";

/** GET /registrations/:id/file/:fileId — the signed file of a contract registered from outside the platform: the applicant, the bureau and admins. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    return fileResponse(request, await registrationFile(user, params.id ?? "", params.fileId ?? ""), "private, max-age=300");
  } catch (e) {
    if (e instanceof DomainError)
      return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    throw e;
  }
}
