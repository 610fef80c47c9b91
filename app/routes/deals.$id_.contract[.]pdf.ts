import type { LoaderFunctionArgs } from "@remix-run/node";
import { CjkFontMissingError, contractPdf } from "~/services/contracts/pdf.server.ts";
import { createI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { logger } from "~/utils/logger.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { errorResponse } from "~/web/actions.server.ts";

/**
 * GET /deals/:id/contract.pdf — the contract as a PDF (issue 14, point 3): a draft marked 草稿, a
 * signed one with both signatures. The same readers as the contract page (loadDealFor); anyone
 * else gets a 404. Without the CJK font on the server: 503 with a plain notice naming the fix.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { bytes, filename } = await contractPdf(user, params.id ?? "");
    return new Response(new Uint8Array(bytes), {
      status: 200,
      headers: {
        "Content-Type": "application/pdf",
        "Content-Length": String(bytes.length),
        "Content-Disposition": `inline; filename="${filename}"`,
        // A draft changes and a reader may lose access: private and revalidated.
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof CjkFontMissingError) {
      logger.error({ fontPath: e.fontPath }, "contract PDF: the CJK font is missing (install fonts-noto-cjk or set CJK_FONT_PATH)");
      const t = createI18n(localeFromCookieHeader(request.headers.get("Cookie"))).t;
      return new Response(t("contractPdf.fontMissing"), {
        status: 503,
        headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
      });
    }
    throw errorResponse(e);
  }
}
