/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

import "@remix-run/server-runtime";
declare module "@remix-run/server-runtime" {
  interface AppLoadContext {
    /** The client's address as Express sees it (honours `trust proxy`). */
    clientIp: string;
    /** This request's Content-Security-Policy nonce (server/security-headers.ts), for the page's inline scripts. */
    cspNonce?: string;
    /** This request's id (server/request-id.ts): in every log line of the request, and on its error page. */
    requestId?: string;
  }
}
