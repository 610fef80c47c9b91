import { json } from "@remix-run/node";
import { DomainError, RateLimitedError, ValidationError } from "./errors.ts";

/**
 * The one place domain errors become HTTP. Validation errors carry field errors for the form;
 * everything else becomes a thrown Response that the nearest ErrorBoundary shows.
 */
export function domainErrorResponse(error: unknown): Response {
  if (error instanceof ValidationError) {
    return json({ status: "error" as const, error: error.fieldErrors }, { status: 400 });
  }
  if (error instanceof RateLimitedError) {
    return json(
      { status: "error" as const, error: { "": [error.message] } },
      { status: 429, headers: { "Retry-After": String(error.retryAfterSeconds) } },
    );
  }
  if (error instanceof DomainError) {
    return new Response(error.message, { status: error.status });
  }
  throw error;
}
