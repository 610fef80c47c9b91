import { contractErrorCode } from "~/schemas/contract.ts";
import { DomainError } from "~/utils/errors.ts";
import { apiError, ApiHttpError, readJsonBody, type API_ERROR_CODES } from "./envelope.server.ts";

/** The contract API's edge pieces (routes api.v1.deals.$id.contract*). */

/** A contract conflict with its machine-readable code (`stale_version`, `deal_lapsed` …); anything else goes on to the envelope. */
export function contractApiError(e: unknown): Response {
  const code = e instanceof DomainError ? contractErrorCode(e.message) : undefined;
  if (code && e instanceof DomainError) return apiError(e.status as keyof typeof API_ERROR_CODES, e.message, { code });
  throw e;
}

/** A JSON body that may be absent (an empty body reads as `{}`). */
export async function optionalJson(request: Request, maxBytes: number): Promise<unknown> {
  try {
    return await readJsonBody(request, maxBytes);
  } catch (e) {
    if (e instanceof ApiHttpError && e.message === "apiErrors.emptyBody") return {};
    throw e;
  }
}
