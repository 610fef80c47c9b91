import type { ServerBuild } from "@remix-run/node";
import { logger } from "~/utils/logger.server.ts";
import {
  asServiceUnavailable,
  isServiceUnavailableAnswer,
  serviceUnavailablePage,
  serviceUnavailableResponse,
} from "~/web/unavailable.server.ts";
import { internalErrorResponse } from "~/web/internal-error.server.ts";

type DataFunction = (args: { request: Request }) => unknown;

let lastLogged = 0;
function logOutage(err: unknown, url: string) {
  // Once every 10 s is enough to see an outage in the log without a line per request.
  if (Date.now() - lastLogged < 10_000) return;
  lastLogged = Date.now();
  logger.warn({ err: (err as Error).message, url }, "MongoDB unavailable: answering 503");
}

function guard(fn: DataFunction | undefined): DataFunction | undefined {
  if (!fn) return fn;
  return async (args) => {
    try {
      return await fn(args);
    } catch (e) {
      const down = asServiceUnavailable(e);
      if (down) {
        logOutage(e, args.request.url);
        throw serviceUnavailableResponse(down);
      }
      // Answers (redirects, 404s…) and requests the client gave up on go on as they are.
      if (e instanceof Response || args.request.signal.aborted) throw e;
      // Anything else is a failure: logged here (under the request's id), answered with a 500
      // that carries the id to the error page.
      logger.error({ err: e, url: args.request.url }, "unhandled error in loader/action");
      throw internalErrorResponse();
    }
  };
}

/**
 * The Remix build as the server serves it, with the one 503 mapping applied to every route
 * (app/web/unavailable.server.ts): a loader or action that fails because MongoDB cannot be reached
 * throws the 503 answer (a data request gets it as it is, with Retry-After), and a document request
 * whose loaders or action did so gets the short bilingual "service temporarily unavailable" page
 * instead of the layout, which would need the database itself. Any other unexpected error is
 * logged and becomes a 500 carrying the request's id (app/web/internal-error.server.ts), which the
 * error page shows. Routes that catch the error
 * themselves (the JSON API's envelope, loadOrThrow) answer the same 503 on their own.
 */
export function withServiceUnavailable(build: ServerBuild): ServerBuild {
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      const module = route.module as ServerBuild["routes"][string]["module"];
      return [
        id,
        {
          ...route,
          module: {
            ...module,
            loader: guard(module.loader as DataFunction | undefined),
            action: guard(module.action as DataFunction | undefined),
          },
        },
      ];
    }),
  ) as ServerBuild["routes"];
  const handleDocumentRequest = build.entry.module.default;
  const entryModule = {
    ...build.entry.module,
    default: ((request, statusCode, headers, context, loadContext) => {
      const errors = Object.values(context.staticHandlerContext.errors ?? {});
      if (statusCode === 503 && errors.some(isServiceUnavailableAnswer)) return serviceUnavailablePage();
      return handleDocumentRequest(request, statusCode, headers, context, loadContext);
    }) as typeof handleDocumentRequest,
  };
  return { ...build, routes, entry: { ...build.entry, module: entryModule } };
}
