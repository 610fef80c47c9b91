import type { Role } from "~/utils/permissions.ts";

/**
 * Who acts, for every service: a logged-in person (from the session cookie or a personal API
 * token), a role-only API token, or the platform itself (jobs, the auction closer). Services check
 * authorization against it; the audit log records it.
 */
export interface Actor {
  id: string | null;
  name: string;
  roles: readonly Role[];
  organization: { id: string; name?: string; type?: string } | null;
  /** The platform itself: no person, no organisation. */
  system?: boolean;
}

/** Where an action came from, for the audit log. */
export type Via = "ui" | "api" | "system";

export const SYSTEM_ACTOR: Actor = { id: null, name: "系统", roles: [], organization: null, system: true };

/** A signed-in person (any object with their id, name, roles and organisation) as the actor of a service call. */
export function actorOf(user: { id: string; name: string; roles: readonly Role[]; organization: Actor["organization"] }): Actor;
export function actorOf(user: null | undefined): null;
export function actorOf(
  user: { id: string; name: string; roles: readonly Role[]; organization: Actor["organization"] } | null | undefined,
): Actor | null;
export function actorOf(
  user: { id: string; name: string; roles: readonly Role[]; organization: Actor["organization"] } | null | undefined,
): Actor | null {
  return user ? { id: user.id, name: user.name, roles: user.roles, organization: user.organization } : null;
}
