import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/**
 * The browser security headers of every answer (pages, the JSON API, files, static assets):
 *
 * - a Content-Security-Policy the site runs under: scripts and styles from the site only, plus
 *   the inline scripts Remix and React write into a page, which carry this request's nonce
 *   (`res.locals.cspNonce` → the Remix load context → entry.server.tsx → <Scripts nonce>);
 *   connections (fetch, socket.io's polling and WebSocket) to the site only; images from the
 *   site or data: URLs (the favicon); no plugins; no framing (`frame-ancestors 'none'`, and
 *   `X-Frame-Options: DENY` for browsers without CSP 2);
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (a room's or deal's URL
 *   never leaves the site in a Referer), `Cross-Origin-Opener-Policy: same-origin`;
 * - `Strict-Transport-Security` in production only (development runs on plain http://localhost);
 * - `Cache-Control: private, no-store` on every answer computed for someone: the request carries
 *   the session cookie or an Authorization header, or the answer sets a cookie. Every page shows
 *   the logged-in user (the root loader), so with a session no page may be kept by a shared cache
 *   or the browser's back-forward store. A route that chose its own Cache-Control keeps it (files,
 *   the JSON API, static assets).
 */

export interface SecurityHeaderOptions {
  production: boolean;
}

/** A host as the Host header may name it: a name or IPv4 address, or a bracketed IPv6, and a port. */
const PLAIN_HOST = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The policy of one answer; `host` (the request's Host) adds the site's own ws:/wss: for browsers that do not count them as 'self'. */
export function contentSecurityPolicy(nonce: string, host?: string): string {
  const sockets = host && PLAIN_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const HSTS = "max-age=31536000; includeSubDomains";
export const PRIVATE_CACHE = "private, no-store";
const SESSION_COOKIE = /(?:^|;\s*)__session=/;

/** Calls `fn` just before the status line and headers are written, however the answer is written. */
function beforeHeaders(res: Response, fn: () => void): void {
  const writeHead = res.writeHead;
  let done = false;
  res.writeHead = function (this: Response, ...args: Parameters<Response["writeHead"]>) {
    if (!done) {
      done = true;
      fn();
    }
    return writeHead.apply(this, args);
  } as Response["writeHead"];
}

export function securityHeaders(options: SecurityHeaderOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader("Content-Security-Policy", contentSecurityPolicy(nonce, req.headers.host));
    res.setHeader("X-Frame-Options", "DENY");
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    if (options.production) res.setHeader("Strict-Transport-Security", HSTS);
    const personal = SESSION_COOKIE.test(req.headers.cookie ?? "") || req.headers.authorization !== undefined;
    beforeHeaders(res, () => {
      if (res.getHeader("Cache-Control") !== undefined) return;
      if (personal || res.getHeader("Set-Cookie") !== undefined) res.setHeader("Cache-Control", PRIVATE_CACHE);
    });
    next();
  };
}
