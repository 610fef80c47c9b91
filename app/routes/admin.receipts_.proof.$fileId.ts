import type { LoaderFunctionArgs } from "@remix-run/node";
import { openProofFile } from "~/services/files/proofs.server.ts";
import { DomainError } from "~/utils/errors.ts";
import { requirePermission } from "~/web/auth.server.ts";
import { fileResponse } from "~/web/files.server.ts";

/** GET /admin/receipts/proof/:fileId — a recorded bank receipt's slip, for administrators (`settlement:record`) only. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, "settlement:record");
  try {
    return fileResponse(request, await openProofFile(params.fileId ?? ""), "private, max-age=300");
  } catch (e) {
    if (e instanceof DomainError)
      return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    throw e;
  }
}
