/**
 * The listing vocabulary of DESIGN.md (Core objects). Codes are stable and used in the database,
 * the API and search filters; labels live in the locales (`listing.*`).
 */
export const FIELDS = [
  "info-tech",
  "new-materials",
  "biomedicine",
  "plateau-agriculture",
  "eco-environment",
  "advanced-manufacturing",
  "new-energy",
  "food-processing",
  "construction",
  "other",
] as const;
export type Field = (typeof FIELDS)[number];

export const IP_TYPES = [
  "invention-patent",
  "utility-model",
  "design-patent",
  "software-copyright",
  "plant-variety",
  "trade-secret",
  "none",
] as const;
export type IpType = (typeof IP_TYPES)[number];

/** IP types whose evidence is a Chinese patent number. */
export const PATENT_IP_TYPES: readonly IpType[] = ["invention-patent", "utility-model", "design-patent"];

/** 转让 · 许可 · 作价投资 · 合作开发 */
export const TRANSACTION_MODES = ["transfer", "license", "equity", "cooperation"] as const;
export type TransactionMode = (typeof TRANSACTION_MODES)[number];

/** For licences: 独占 · 排他 · 普通. */
export const LICENSE_EXCLUSIVITY = ["exclusive", "sole", "non-exclusive"] as const;
export type LicenseExclusivity = (typeof LICENSE_EXCLUSIVITY)[number];

/** 挂牌 (fixed) · 面议 (negotiable) · 竞价 (auction). */
export const PRICE_MODES = ["fixed", "negotiable", "auction"] as const;
export type PriceMode = (typeof PRICE_MODES)[number];

export const TRL_MIN = 1;
export const TRL_MAX = 9;

/**
 * The Chinese maturity stage shown next to a TRL (DESIGN.md): 正在研发 ≈ 1–3, 已有样品 ≈ 4,
 * 通过小试 ≈ 4–5, 通过中试 ≈ 6–7, 可以量产 ≈ 8–9. TRL 4 is "has a sample" and 5 "passed the
 * small-scale trial", so the bands do not overlap.
 */
export const MATURITY_STAGES = ["research", "sample", "lab-trial", "pilot", "mass-production"] as const;
export type MaturityStage = (typeof MATURITY_STAGES)[number];

/** The TRL range each maturity stage stands for, both ends included. */
export const STAGE_TRL: Readonly<Record<MaturityStage, readonly [number, number]>> = {
  research: [1, 3],
  sample: [4, 4],
  "lab-trial": [5, 5],
  pilot: [6, 7],
  "mass-production": [8, 9],
};

export function maturityStage(trl: number): MaturityStage {
  for (const stage of MATURITY_STAGES) if (trl <= STAGE_TRL[stage][1]) return stage;
  return "mass-production";
}

/** Kinds of evidence attached to a listing. */
export const ATTACHMENT_KINDS = ["test-report", "pilot-report", "patent-certificate", "photo", "other"] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** Organisation types an imported owner may have (mirrors ORGANIZATION_TYPES). */
export { ORGANIZATION_TYPES } from "./organization.ts";
