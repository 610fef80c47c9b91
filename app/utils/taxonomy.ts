/**
 * The listing vocabulary of docs/domain.md (What is offered and what is needed). Codes are stable and used in the database,
 * the API and search filters; labels live in the locales (`listing.*`), the Chinese names of the
 * codes that server code writes out too at the end of this file.
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
 * The Chinese maturity stage shown next to a TRL (docs/domain.md): 正在研发 ≈ 1–3, 已有样品 ≈ 4,
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

/**
 * The Chinese names of the codes, once: the zh-CN locale shows them (app/locales/modules/listing.ts),
 * the search index stores a field's name for full-text search (search/documents.ts), and the
 * open-data export writes a maturity's name next to its code.
 */
export const FIELD_NAMES_ZH: Readonly<Record<Field, string>> = {
  "info-tech": "信息技术",
  "new-materials": "新材料",
  biomedicine: "生物医药与大健康",
  "plateau-agriculture": "高原特色现代农业",
  "eco-environment": "生态环保（石漠化治理）",
  "advanced-manufacturing": "先进制造",
  "new-energy": "新能源",
  "food-processing": "食品加工",
  construction: "建筑与交通",
  other: "其他",
};

export const IP_TYPE_NAMES_ZH: Readonly<Record<IpType, string>> = {
  "invention-patent": "发明专利",
  "utility-model": "实用新型专利",
  "design-patent": "外观设计专利",
  "software-copyright": "软件著作权",
  "plant-variety": "植物新品种权",
  "trade-secret": "技术秘密",
  none: "无知识产权",
};

export const TRANSACTION_MODE_NAMES_ZH: Readonly<Record<TransactionMode, string>> = {
  transfer: "转让",
  license: "许可",
  equity: "作价投资",
  cooperation: "合作开发",
};

export const MATURITY_NAMES_ZH: Readonly<Record<MaturityStage, string>> = {
  research: "正在研发",
  sample: "已有样品",
  "lab-trial": "通过小试",
  pilot: "通过中试",
  "mass-production": "可以量产",
};

/** Organisation types an imported owner may have (mirrors ORGANIZATION_TYPES). */
export { ORGANIZATION_TYPES } from "./organization.ts";
