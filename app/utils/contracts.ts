/**
 * Technology-contract kinds (技术合同, issue 14): the five categories of the Civil Code and their
 * sub-categories, statuses and sides. Shared by the model, the schemas and the UI.
 */
export const CONTRACT_CATEGORIES = ["development", "transfer", "license", "consulting", "service"] as const;
export type ContractCategory = (typeof CONTRACT_CATEGORIES)[number];

/** 技术开发: 委托/合作; 技术转让: 专利权/专利申请权/技术秘密/其他; 技术许可: 专利实施/技术秘密使用/其他; 技术服务: 一般/培训/中介. */
export const CONTRACT_SUB_CATEGORIES = {
  development: ["commissioned", "cooperative"],
  transfer: ["patent", "patent-application", "know-how", "other"],
  license: ["patent", "know-how", "other"],
  consulting: ["general"],
  service: ["general", "training", "intermediary"],
} as const satisfies Record<ContractCategory, readonly string[]>;
export type ContractSubCategory = (typeof CONTRACT_SUB_CATEGORIES)[ContractCategory][number];

export const CONTRACT_STATUSES = ["draft", "signed"] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];
export const CONTRACT_SIDES = ["seller", "buyer"] as const;
export type ContractSide = (typeof CONTRACT_SIDES)[number];
