/** Organisation kinds (docs/domain.md: People and organisations). Shared by models, schemas and UI. */
export const ORGANIZATION_TYPES = ["university", "institute", "enterprise", "individual", "service-agency", "government"] as const;
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];

/** Legal entities carry a unified social credit code; an individual does not. */
export function needsCreditCode(type: OrganizationType): boolean {
  return type !== "individual";
}

/** A person's standing in their organisation (decision 015): admins approve joins, invite and manage members. */
export const ORG_ROLES = ["admin", "member"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** The registration form's answer to a credit code registered already: it offers a join request. */
export const ORG_EXISTS_JOIN = "errors.orgExistsJoin";
