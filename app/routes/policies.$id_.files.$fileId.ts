import type { LoaderFunctionArgs } from "@remix-run/node";
import { openPolicyAttachment } from "~/services/policies/files.server.ts";
import { DomainError } from "~/utils/errors.ts";
import { createI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { getUser } from "~/web/auth.server.ts";
import { fileResponse } from "~/web/files.server.ts";

/**
 * GET /policies/:id/files/:fileId — an attachment of a policy or notice: to everyone while the
 * document is published, to the bureau and admins otherwise; 404 for anyone else.
 * `?download=1` saves instead of showing.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  let file;
  try {
    file = await openPolicyAttachment(viewer, params.id ?? "", params.fileId ?? "");
  } catch (e) {
    if (e instanceof DomainError) {
      const t = createI18n(localeFromCookieHeader(request.headers.get("Cookie"))).t;
      return new Response(t("listingForm.attachments.notFound"), {
        status: 404,
        headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
      });
    }
    throw e;
  }
  // A document can be withdrawn: browsers keep a file briefly, and only for this reader.
  return fileResponse(request, file, "private, max-age=300");
}
