/**
 * 技术合同认定登记 (issue 15): the words shared by the registration, statistics and evaluation
 * modules and their pages. Pure data, no I/O.
 */

/**
 * A registration's life: submitted (the clock runs) → corrections (补正 asked; the clock stops
 * and restarts from the day the corrections arrive) → submitted … → registered | refused.
 * The applicant may withdraw before a decision; a registered one may be changed (变更, the
 * number kept) or cancelled (注销, the number kept, never reused).
 */
export const REGISTRATION_STATUSES = ["submitted", "corrections", "registered", "refused", "withdrawn", "cancelled"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** What the public verification page says of a number: registered, changed (变更 since), cancelled (注销). */
export const VERIFICATION_STATES = ["registered", "changed", "cancelled"] as const;
export type VerificationState = (typeof VERIFICATION_STATES)[number];

/** 不予登记 grounds (2026 登记规则), as keys; the texts are in the locale. */
export const REFUSAL_GROUNDS = [
  "partiesUnclear", // 当事人不明确
  "subjectUnclear", // 标的不明确
  "priceUnclear", // 价款、报酬、使用费不明确
  "notTechContract", // 不属于技术合同，或名称与权利义务不符且未更正
  "monopoly", // 非法垄断技术、不合理限制
  "proofMissing", // 证明文件缺失或有缺陷
  "seal", // 未盖章或印章与当事人名称不符
  "invalid", // 合同无效或尚未生效
] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

/** Who submitted: the seller registers; for a technology import, the domestic buyer. */
export const APPLICANT_SIDES = ["seller", "buyer"] as const;
export type ApplicantSide = (typeof APPLICANT_SIDES)[number];

/** Where the contract comes from: signed on the platform, or signed outside it (its signed file attached). */
export const REGISTRATION_SOURCES = ["platform", "external"] as const;
export type RegistrationSource = (typeof REGISTRATION_SOURCES)[number];

/**
 * The national 3-digit legal-entity type codes of the registration form (subset a county sees).
 */
export const ENTITY_TYPES = {
  "010": "机关法人",
  "021": "科研机构",
  "022": "高等院校",
  "023": "其他事业法人",
  "030": "社会团体法人",
  "110": "国有企业",
  "120": "集体企业",
  "130": "股份合作企业",
  "150": "有限责任公司",
  "160": "股份有限公司",
  "170": "私营企业",
  "190": "其他企业",
  "200": "港澳台投资企业",
  "300": "外商投资企业",
  "400": "个体经营",
  "500": "自然人",
  "900": "其他",
} as const;
export type EntityType = keyof typeof ENTITY_TYPES;

/** 16 digits: year (4) + province-and-prefecture code (4) + registration point (2) + serial (6). */
export const REGISTRATION_NUMBER = /^\d{16}$/;
export function registrationNumber(year: number, prefecture: string, point: string, serial: number): string {
  return `${year}${prefecture}${point}${String(serial).padStart(6, "0")}`;
}
/** As printed on the national model contract: 4-4-2-6. */
export function groupedNumber(n: string): string {
  return `${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8, 10)}-${n.slice(10)}`;
}
