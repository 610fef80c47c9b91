import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "./env.server.ts";

/**
 * SESSION_SECRET signs cookies. Set it in production (and the same on every instance); without
 * it, one is generated once and kept in DATA_DIR so sessions survive restarts of a single box.
 * Several secrets rotate: the first signs, all verify.
 */
export function sessionSecrets(): string[] {
  const e = env();
  if (e.SESSION_SECRET) return e.SESSION_SECRET;
  const file = path.join(dataDir(e), "session-secret");
  try {
    return [fs.readFileSync(file, "utf8").trim()];
  } catch {
    const secret = randomBytes(32).toString("base64url");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return [secret];
  }
}

export function secureCookies(): boolean {
  const e = env();
  return e.COOKIE_SECURE ?? e.NODE_ENV === "production";
}
