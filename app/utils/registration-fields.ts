import type { Field } from "./taxonomy.ts";
import type { OrganizationType } from "./organization.ts";
import type { EntityType } from "./registration.ts";

/**
 * The registration form's technical fields (技术领域), after the national classification used by
 * technology-contract statistics, with 2-digit codes of this platform's list (decision 025), and
 * how the platform's listing taxonomy maps onto them. Pure data.
 */
export const TECHNICAL_FIELDS = {
  "01": "电子信息",
  "02": "航空航天",
  "03": "先进制造",
  "04": "生物、医药和医疗器械",
  "05": "新材料及其应用",
  "06": "新能源与高效节能",
  "07": "环境保护与资源综合利用",
  "08": "核应用技术",
  "09": "农业",
  "10": "现代交通",
  "11": "城市建设与社会发展",
} as const;
export type TechnicalField = keyof typeof TECHNICAL_FIELDS;
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
