import type { LoaderFunctionArgs } from "@remix-run/node";
import { CjkFontMissingError } from "~/services/contracts/pdf.server.ts";
import { certificatePdf } from "~/services/registration/certificate.server.ts";
import { createI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { logger } from "~/utils/logger.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { errorResponse } from "~/web/actions.server.ts";

/**
 * GET /registrations/:id/certificate.pdf — 技术合同登记证明 as a PDF (issue 15, point 3), with the
 * contract PDF's embedded CJK font and a vector QR code of the verification page. The same readers
 * as the certificate page; anyone else 404. Without the font: 503 with a plain notice.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { bytes, filename } = await certificatePdf(user, params.id ?? "");
    return new Response(new Uint8Array(bytes), {
      status: 200,
      headers: {
        "Content-Type": "application/pdf",
        "Content-Length": String(bytes.length),
        "Content-Disposition": `inline; filename="${filename}"`,
        // A change or cancellation rewrites it, and a reader may lose access.
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof CjkFontMissingError) {
      logger.error({ fontPath: e.fontPath }, "certificate PDF: the CJK font is missing (install fonts-noto-cjk or set CJK_FONT_PATH)");
      const t = createI18n(localeFromCookieHeader(request.headers.get("Cookie"))).t;
      return new Response(t("contractPdf.fontMissing"), {
        status: 503,
        headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
      });
    }
    throw errorResponse(e);
  }
}
