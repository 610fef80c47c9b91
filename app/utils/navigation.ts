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
  { to: "/account", label: "nav.account", auth: true },
  { to: "/admin/users", label: "nav.users", permission: "user:manage" },
];
