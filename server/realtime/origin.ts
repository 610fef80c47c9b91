import type { IncomingMessage } from "node:http";

/**
 * Whether a socket.io handshake may proceed, by its `Origin`: the site's own origin (the host the
 * request was sent to) or one listed in ALLOWED_ORIGINS. A browser sends `Origin` with every
 * WebSocket handshake and every cross-origin request, so a page elsewhere cannot open a socket
 * with the visitor's session cookie (cross-site WebSocket hijacking); a request without one is not
 * a browser's cross-origin request (a program, or a same-origin long-polling GET) and proceeds to
 * the session check like any other. `Origin: null` (sandboxed frames, files) is refused.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (!URL.canParse(origin)) return false;
  const o = new URL(origin);
  if (o.protocol !== "http:" && o.protocol !== "https:") return false;
  if (allowed.includes(o.origin)) return true;
  return !!host && o.host === host.toLowerCase();
}

/** socket.io's `allowRequest` with `originAllowed`. */
export function allowOrigins(allowed: readonly string[]) {
  return (req: IncomingMessage, fn: (err: string | null | undefined, success: boolean) => void) => {
    const ok = originAllowed(req.headers.origin, req.headers.host, allowed);
    fn(ok ? null : "origin not allowed", ok);
  };
}
