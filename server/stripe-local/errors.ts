import type { Json } from "./objects.ts";

/** An API answer in Stripe's error envelope: `{ "error": { type, code, message, param, doc_url … } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: Json,
    /** Stripe stores idempotent results only once the endpoint started executing: not for bad params. */
    readonly storeIdempotent = true,
  ) {
    super(String(error.message));
  }
}

export const docUrl = (code: string) => `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;

/** A 400 `invalid_request_error`; `store` when the endpoint had started executing (the answer is then kept for the idempotency key). */
export function invalid(message: string, extra: Json = {}, store = false): ApiError {
  const code = typeof extra.code === "string" ? extra.code : undefined;
  return new ApiError(400, { type: "invalid_request_error", message, ...(code ? { doc_url: docUrl(code) } : {}), ...extra }, store);
}

export const missing = (param: string) => invalid(`Missing required param: ${param}.`, { param, code: "parameter_missing" });
export const unknownParam = (param: string) => invalid(`Received unknown parameter: ${param}`, { param, code: "parameter_unknown" });
export const noSuch = (kind: string, id: string, param: string) =>
  new ApiError(
    404,
    {
      type: "invalid_request_error",
      code: "resource_missing",
      doc_url: docUrl("resource_missing"),
      param,
      message: `No such ${kind}: '${id}'`,
    },
    false,
  );
