import type { LoaderFunctionArgs } from "@remix-run/node";
import { contractPdf } from "~/services/contracts/pdf.server.ts";
import { requireUser } from "~/web/auth.server.ts";
import { pdfResponse } from "~/web/pdf.server.ts";

/**
 * GET /deals/:id/contract.pdf — the contract as a PDF (issue 14, point 3): a draft marked 草稿, a
 * signed one with both signatures. The same readers as the contract page (loadDealFor); anyone
 * else gets a 404. Without the CJK font on the server: 503 with a plain notice naming the fix.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return pdfResponse(request, "contract PDF", () => contractPdf(user, params.id ?? ""));
}
