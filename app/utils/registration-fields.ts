import type { Field } from "./taxonomy.ts";
import type { OrganizationType } from "./organization.ts";
import type { EntityType } from "./registration.ts";
import { TECHNICAL_FIELDS, type TechnicalField } from "./technical-fields.ts";

/**
 * The registration form's words (issue 15): the technical fields (技术领域, the national
 * statistics' 2-digit list in ./technical-fields.ts, shared with the dashboard) as the platform's
 * listing taxonomy maps onto them, the legal-entity type an organisation's kind suggests, the
 * payment methods. Pure data.
 */
export { TECHNICAL_FIELDS, type TechnicalField };
export const TECHNICAL_FIELD_CODES = Object.keys(TECHNICAL_FIELDS) as TechnicalField[];

/** The listing's field → the national technical field (editable on the form). */
export const FIELD_TO_TECHNICAL: Readonly<Record<Field, TechnicalField>> = {
  "info-tech": "01",
  "new-materials": "05",
  biomedicine: "04",
  "plateau-agriculture": "09",
  "eco-environment": "07",
  "advanced-manufacturing": "03",
  "new-energy": "06",
  "food-processing": "09",
  construction: "11",
  other: "11",
};

/** The organisation's kind → the national legal-entity type (a default the applicant may change). */
export const ORG_TYPE_TO_ENTITY: Readonly<Record<OrganizationType, EntityType>> = {
  university: "022",
  institute: "021",
  government: "010",
  enterprise: "150",
  individual: "500",
  "service-agency": "023",
};

/** Payment methods of the registration form (支付方式). */
export const PAYMENT_METHODS = ["lump-sum", "instalments", "royalty", "lump-sum-royalty", "equity", "other"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
