import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { I18nextProvider } from "react-i18next";
import { createStaticHandler, createStaticRouter, StaticRouterProvider } from "react-router-dom/server";
import { AuthenticityTokenProvider } from "remix-utils/csrf/react";
import { createI18n } from "~/utils/i18n.ts";

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> };
type Handler = (a: Args) => Promise<Response>;

export interface PageModule {
  loader: unknown;
  action?: unknown;
  default: () => unknown;
  ErrorBoundary?: () => unknown;
}

/**
 * A page as a document request (as tests/integration/room-pages.test.ts renders the room): the
 * route's real loader (and action for a POST), then the React page as HTML through React Router's
 * static handler, in Chinese. A redirect comes back as its location.
 */
export async function renderPage(
  request: Request,
  mod: PageModule,
  path: string,
  csrfToken: string,
): Promise<{ status: number; html: string; location: string | null }> {
  const handler = createStaticHandler([
    {
      id: "page",
      path,
      loader: (a) => (mod.loader as Handler)(a as Args),
      action: mod.action ? (a) => (mod.action as Handler)(a as Args) : undefined,
      Component: mod.default as () => null,
      ErrorBoundary: mod.ErrorBoundary as (() => null) | undefined,
    },
  ]);
  const context = await handler.query(request);
  if (context instanceof Response) return { status: context.status, html: "", location: context.headers.get("Location") };
  const router = createStaticRouter(handler.dataRoutes, context);
  const html = renderToString(
    createElement(
      I18nextProvider,
      { i18n: createI18n("zh-CN") },
      createElement(AuthenticityTokenProvider, {
        token: csrfToken,
        children: createElement(StaticRouterProvider, { router, context, hydrate: false }),
      }),
    ),
  );
  // React separates adjacent text with <!-- -->; the reader sees one text.
  return { status: context.statusCode, html: html.replaceAll("<!-- -->", ""), location: null };
}
