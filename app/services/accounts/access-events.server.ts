import { createHash } from "node:crypto";
import { peekSingleton, setSingleton } from "~/utils/singleton.server.ts";

/**
 * How the accounts module tells whoever holds long-lived connections (the sockets, in
 * server/realtime/) that someone's access changed, without knowing about them: a session ended
 * (logout), or a user's roles changed. The realtime layer installs the listener at start-up and
 * passes the change to every instance; without one (tests, CLI) it is a no-op. Called after the
 * change is stored.
 */
export type AccessChange =
  /** A session ended: every socket opened with it stops (`key` is `sessionKey(id)`, never the id). */
  | { kind: "sessionEnded"; key: string }
  /** The user's roles (or standing) changed: their sockets re-read who they are and what rooms they may hear. */
  | { kind: "userChanged"; userId: string };

export type AccessListener = (change: AccessChange) => void;

/**
 * A session's name where it may travel (between instances, through MongoDB): its hash. A session
 * id is a credential; its hash is not.
 */
export function sessionKey(sessionId: string): string {
  return createHash("sha256").update(sessionId).digest("base64url");
}

export function setAccessListener(fn: AccessListener | null): void {
  setSingleton("accessListener", fn ?? undefined);
}

export function announceAccessChange(change: AccessChange): void {
  peekSingleton<AccessListener>("accessListener")?.(change);
}
