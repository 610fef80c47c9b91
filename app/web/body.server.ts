/**
 * Request bodies are bounded before they are read: every reader of a body (forms, uploads, the
 * JSON API, the Stripe webhook) goes through `boundedBody`, which refuses a declared
 * Content-Length over the limit without reading a byte, and counts the bytes of a streamed
 * (chunked) body, stopping at the limit. A body over its limit is a 413 naming the limit; one
 * request never holds more than its limit in memory. The limits are listed in docs/api.md.
 */

/** A url-encoded or multipart form without files (login, registration, every page's forms). */
export const MAX_FORM_BYTES = 1024 * 1024;
/** The Stripe webhook: an event is a few KB; Stripe's largest are far below this. */
export const MAX_WEBHOOK_BYTES = 512 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request body is larger than the ${formatBytes(maxBytes)} limit`);
    this.name = "BodyTooLargeError";
  }
}

/** "16 KB", "1 MB", "32 MB", "110 MB": a limit as a person reads it (never "0 MB"). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** Throws BodyTooLargeError when the declared Content-Length is over `maxBytes`. */
export function checkDeclaredLength(request: Request, maxBytes: number): void {
  const declared = Number(request.headers.get("Content-Length") ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new BodyTooLargeError(maxBytes);
}

/**
 * The request with its body bounded to `maxBytes`: refused at once by Content-Length, else its
 * stream errors with BodyTooLargeError at the first byte over the limit (so whatever parses it —
 * formData(), the multipart parser — stops there). `overLimit()` says whether that happened,
 * however the parser wrapped the error.
 */
export function boundedRequest(request: Request, maxBytes: number): { request: Request; overLimit: () => boolean } {
  checkDeclaredLength(request, maxBytes);
  if (!request.body) return { request, overLimit: () => false };
  let size = 0;
  let over = false;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        over = true;
        controller.error(new BodyTooLargeError(maxBytes));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  const bounded = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    // preventCancel: at the limit the rest is left unread (the server drops it) rather than the
    // connection torn down, so the client still gets the 413.
    body: request.body.pipeThrough(counter, { preventCancel: true }),
    signal: request.signal,
    duplex: "half", // Node's fetch needs it for a streamed body
  });
  return { request: bounded, overLimit: () => over };
}

/** Reads the whole body as bytes, at most `maxBytes` (BodyTooLargeError beyond). */
export async function readBoundedBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  checkDeclaredLength(request, maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      // Stop reading: nothing more of this body is taken in (the server drops the rest).
      reader.releaseLock();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
