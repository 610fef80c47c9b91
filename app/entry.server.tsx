import { Transform } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { NonceContext } from "~/components/nonce.tsx";
import { sharedI18n, localeFromCookieHeader } from "~/utils/i18n.ts";
import { logger } from "~/utils/logger.server.ts";

const ABORT_DELAY = 5_000;

/**
 * React 18.3's streaming renderer can leave NUL bytes at the end of a chunk when a multi-byte
 * (e.g. Chinese) character falls on its internal 2 KB buffer boundary (facebook/react#24985,
 * fixed only in 19). HTML never contains NUL, so trailing zero bytes are dropped per chunk.
 */
export function stripTrailingNuls(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      let end = chunk.length;
      while (end > 0 && chunk[end - 1] === 0) end--;
      callback(null, end === chunk.length ? chunk : chunk.subarray(0, end));
    },
  });
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The request's CSP nonce (server/security-headers.ts): on every inline script of the page —
  // Remix's (<Scripts>, <ScrollRestoration>, deferred data) and React's streaming ones.
  const nonce = loadContext?.cspNonce || undefined;
  const i18n = sharedI18n(localeFromCookieHeader(request.headers.get("Cookie")));
  // Bots get the whole document at once; people get it streamed.
  const readyEvent = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce ?? ""}>
        <I18nextProvider i18n={i18n}>
          <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
        </I18nextProvider>
      </NonceContext.Provider>,
      {
        nonce,
        [readyEvent]() {
          shellRendered = true;
          const body = stripTrailingNuls();
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          resolve(
            new Response(createReadableStreamFromReadable(body), {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) logger.error({ err: error }, "render error");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  // Thrown responses (404, 403…) are answers, not failures.
  if (isRouteErrorResponse(error) || error instanceof Response) return;
  logger.error({ err: error, url: request.url }, "unhandled error in loader/action");
}
