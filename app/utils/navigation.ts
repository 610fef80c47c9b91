import type { Permission } from "./permissions.ts";

/** The main navigation; an item shows only to those who may use it (the server checks again). */
export interface NavItem {
  to: string;
  label: string; // i18n key
  permission?: Permission;
  auth?: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { to: "/", label: "nav.home" },
  { to: "/search", label: "nav.search" },
  { to: "/achievements", label: "nav.achievements" },
  { to: "/demands", label: "nav.demands" },
  { to: "/auctions", label: "nav.auctions" },
  { to: "/policies", label: "nav.policies" },
  { to: "/my/achievements", label: "nav.myAchievements", permission: "achievement:create" },
  { to: "/my/demands", label: "nav.myDemands", permission: "demand:create" },
  { to: "/review", label: "nav.review", permission: "listing:review" },
  { to: "/work", label: "nav.work", permission: "deal:mediate" },
  { to: "/bureau", label: "nav.bureau", permission: "statistics:view" },
  { to: "/bureau/vocabulary", label: "nav.vocabulary", permission: "vocabulary:edit" },
  { to: "/offers", label: "nav.offers", auth: true },
  { to: "/rooms", label: "rooms.nav", auth: true },
  { to: "/deals", label: "nav.deals", auth: true },
  { to: "/notifications", label: "nav.notifications", auth: true },
  { to: "/account", label: "nav.account", auth: true },
  { to: "/admin/users", label: "nav.users", permission: "user:manage" },
  { to: "/admin/organizations", label: "nav.organizations", permission: "organization:manage" },
  { to: "/admin/audit", label: "nav.audit", permission: "audit:view" },
  { to: "/admin/ledger", label: "nav.ledger", permission: "ledger:view" },
  { to: "/admin/receipts", label: "nav.receipts", permission: "settlement:record" },
  { to: "/admin/payouts", label: "nav.payouts", permission: "settlement:payout" },
  { to: "/admin/refunds", label: "nav.refunds", permission: "refund:record" },
  { to: "/admin/settings", label: "nav.settings", permission: "settings:manage" },
  { to: "/admin/tokens", label: "nav.tokens", permission: "token:manage" },
];
