import { redirect } from "@remix-run/node";
import { getUserForSession, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { can, type Permission } from "~/utils/permissions.ts";
import { SESSION_ID_KEY, sessionStorage } from "~/utils/session.server.ts";

export async function getSessionId(request: Request): Promise<string | null> {
  const session = await sessionStorage().getSession(request.headers.get("Cookie"));
  const id = session.get(SESSION_ID_KEY);
  return typeof id === "string" ? id : null;
}

export async function getUser(request: Request): Promise<SessionUser | null> {
  const id = await getSessionId(request);
  return id ? getUserForSession(id) : null;
}

/** The logged-in user, or a redirect to the login page that comes back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getUser(request);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return user;
}

export async function requirePermission(request: Request, permission: Permission): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!can(user, permission)) {
    throw new Response("Forbidden", { status: 403, statusText: "Forbidden" });
  }
  return user;
}

const REDIRECT_BASE = "http://chengguo.invalid";

/** The path `to` leads to as a browser would read it, or null when it leaves the site. */
function sameSitePath(to: string): string | null {
  // Browsers drop tab, CR and LF anywhere in a URL and read "\" as "/" (WHATWG URL).
  const cleaned = to.replace(/[\t\n\r]/g, "").replace(/\\/g, "/");
  // Only an absolute path: not a scheme ("https:", "javascript:"), not protocol-relative ("//host").
  if (!cleaned.startsWith("/") || cleaned.startsWith("//")) return null;
  let url: URL;
  try {
    url = new URL(cleaned, REDIRECT_BASE);
  } catch {
    return null;
  }
  // "/.//evil.example" resolves to the path "//evil.example": a protocol-relative URL once repeated.
  if (url.origin !== REDIRECT_BASE || url.pathname.startsWith("//")) return null;
  return url.pathname + url.search + url.hash;
}

/**
 * Where to send the browser after login or a language switch: only a path of this site, else
 * `fallback`. The value is checked as it stands and at every level of percent-decoding (a
 * "%5C" or "%09" that something decodes later must not lead off-site either), and the answer is
 * the path as the URL parser serialises it — ASCII only, so a Location header can always hold it.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (!to || typeof to !== "string") return fallback;
  const path = sameSitePath(to);
  if (path === null) return fallback;
  let level = to;
  for (let i = 0; i < 5; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(level);
    } catch {
      break; // a stray "%" (e.g. "/100%") decodes no further
    }
    if (decoded === level) break;
    if (sameSitePath(decoded) === null) return fallback;
    level = decoded;
  }
  return path;
}
