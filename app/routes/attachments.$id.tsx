import type { LoaderFunctionArgs } from "@remix-run/node";
import { openAttachment } from "~/services/files/open.server.ts";
import { DomainError } from "~/utils/errors.ts";
import { createI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { getUser } from "~/web/auth.server.ts";
import { fileResponse } from "~/web/files.server.ts";

/**
 * GET /attachments/:id — the evidence file itself, for whoever may see the item it belongs to
 * (public items: anyone; drafts and items under review: the owner, reviewers and the bureau).
 * Everyone else gets a 404, as if it did not exist. `?download=1` saves instead of showing.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await getUser(request);
  let file;
  try {
    file = await openAttachment(viewer, params.id ?? "");
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
  // Visibility can change (an item withdrawn); let browsers keep it briefly, and only for this user.
  return fileResponse(request, file, "private, max-age=300");
}
