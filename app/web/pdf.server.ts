import { CjkFontMissingError } from "~/services/contracts/pdf.server.ts";
import { sharedI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { logger } from "~/utils/logger.server.ts";
import { errorResponse } from "./actions.server.ts";

/**
 * A PDF the server draws with the embedded CJK font (the contract, the registration certificate),
 * answered inline, private and revalidated (a draft changes, a change or cancellation rewrites a
 * certificate, a reader may lose access). Without the font: 503 with a plain notice naming the fix,
 * and the log says which file is missing; any other refusal goes through the one error mapping.
 */
export async function pdfResponse(
  request: Request,
  what: string,
  draw: () => Promise<{ bytes: Uint8Array | Buffer; filename: string }>,
): Promise<Response> {
  try {
    const { bytes, filename } = await draw();
    return new Response(new Uint8Array(bytes), {
      status: 200,
      headers: {
        "Content-Type": "application/pdf",
        "Content-Length": String(bytes.length),
        "Content-Disposition": `inline; filename="${filename}"`,
        "Cache-Control": "private, no-cache",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (e) {
    if (e instanceof CjkFontMissingError) {
      logger.error({ fontPath: e.fontPath }, `${what}: the CJK font is missing (install fonts-noto-cjk or set CJK_FONT_PATH)`);
      const t = sharedI18n(localeFromCookieHeader(request.headers.get("Cookie"))).t;
      return new Response(t("contractPdf.fontMissing"), {
        status: 503,
        headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
      });
    }
    throw errorResponse(e);
  }
}
