import type { LoaderFunctionArgs } from "@remix-run/node";
import { certificatePdf } from "~/services/registration/certificate.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pdfResponse } from "~/web/pdf.server.ts";

/**
 * GET /registrations/:id/certificate.pdf — 技术合同登记证明 as a PDF (issue 15, point 3), with the
 * contract PDF's embedded CJK font and a vector QR code of the verification page. The same readers
 * as the certificate page; anyone else 404. Without the font: 503 with a plain notice.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return pdfResponse(request, "certificate PDF", () => certificatePdf(user, params.id ?? ""));
}
