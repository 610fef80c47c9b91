import { createHash, randomBytes } from "node:crypto";

/** A fresh secret for a link (256 bits, URL-safe) and the hash that is stored instead of it. */
export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/** A token as it may arrive in a URL: 43 base64url characters; anything else is no token. */
export function isTokenShaped(token: string | undefined | null): token is string {
  return !!token && /^[A-Za-z0-9_-]{43}$/.test(token);
}
