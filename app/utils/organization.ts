/** Organisation kinds (docs/domain.md: People and organisations). Shared by models, schemas and UI. */
export const ORGANIZATION_TYPES = ["university", "institute", "enterprise", "individual", "service-agency", "government"] as const;
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];

/** Legal entities carry a unified social credit code; an individual does not. */
export function needsCreditCode(type: OrganizationType): boolean {
  return type !== "individual";
}
