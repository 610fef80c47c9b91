import { ForbiddenError } from "./errors.ts";

/**
 * Roles and what they may do. Shared by server (enforcement) and UI (what to show); the server
 * is the authority: services call `assertCan`, routes call `requirePermission`.
 */
export const ROLES = ["seller", "buyer", "broker", "bureau", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** Roles a person may pick for themselves at registration; the rest are granted by an admin. */
export const SELF_SERVICE_ROLES = ["seller", "buyer"] as const satisfies readonly Role[];

export const PERMISSIONS = {
  "achievement:create": ["seller"],
  "demand:create": ["buyer"],
  "listing:review": ["broker", "admin"],
  "offer:make": ["buyer"],
  /**
   * Acting for the seller side of one's organisation's (or one's own) listings: seeing the offers
   * and sales on them, answering offers, speaking for the seller in their deal rooms.
   */
  "trading:sell": ["seller"],
  "auction:bid": ["buyer"],
  "auction:run": ["seller", "broker"],
  "deal:mediate": ["broker"],
  "contract:register": ["bureau"],
  "statistics:view": ["bureau", "admin"],
  "policy:publish": ["bureau", "admin"],
  "user:manage": ["admin"],
  "taxonomy:manage": ["admin"],
  "token:manage": ["admin"],
  /** Organisations: verify, edit name and credit code, merge duplicates. */
  "organization:manage": ["admin"],
  /** Platform settings (公示 length, the notice text, demo hints). */
  "settings:manage": ["admin"],
  /** Reading the whole audit log. */
  "audit:view": ["admin"],
  /** The platform's ledger: balances and the reconciliation report (decision 017). */
  "ledger:view": ["admin"],
  /** Recording money that arrived by bank transfer (对公转账) on a deal's stage (issue 14, point 5). */
  "settlement:record": ["admin"],
  /** Paying out sellers and brokers (Connect transfers, recorded bank payouts), setting a deal's commission (issue 14). */
  "settlement:payout": ["admin"],
  /** Recording a bank refund of a cancelled deal (issue 14, point 8). */
  "refund:record": ["admin"],
  /** The county dashboard's yearly 技术合同交易额 targets (issue 15, point 5). */
  "statistics:targets": ["bureau", "admin"],
  /** The registry of 科技特派员: commissioners, their yearly assignments and activity log (issue 15, point 7). */
  "commissioner:manage": ["bureau", "admin"],
  /** 绩效评估: the scorecards, their weights and their CSV (issue 15, point 6). */
  "evaluation:manage": ["bureau", "admin"],
  /** The registration settings (authorities, registration point, number prefix, review limits, holiday calendar; issue 15). */
  "registration:configure": ["bureau", "admin"],
  /** Keeping the matching vocabulary: groups, merges, retirements, proposals, weak demands (issue 16, point 4). */
  "vocabulary:edit": ["bureau", "broker", "admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Anyone who holds roles: a session user, an API principal, a service's actor. */
export interface RoleHolder {
  roles: readonly Role[];
}

export function hasRole(actor: RoleHolder | null | undefined, role: Role): boolean {
  return !!actor && actor.roles.includes(role);
}

export function can(actor: RoleHolder | null | undefined, permission: Permission): boolean {
  if (!actor) return false;
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return actor.roles.some((r) => allowed.includes(r));
}

/** Throws the domain's ForbiddenError unless the actor may do this. Used inside services. */
export function assertCan(actor: RoleHolder | null | undefined, permission: Permission): void {
  if (!can(actor, permission)) throw new ForbiddenError();
}
