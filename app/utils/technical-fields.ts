/**
 * The technical fields (技术领域) of the national technology-contract statistics, as the county
 * dashboard groups registrations by them (issue 15, point 5). `Registration.technicalField` holds
 * the code; a code not listed here is shown as it is. Pure data.
 */
export const TECHNICAL_FIELDS = {
  "01": { zh: "电子信息", en: "Electronic information" },
  "02": { zh: "航空航天", en: "Aerospace" },
  "03": { zh: "先进制造", en: "Advanced manufacturing" },
  "04": { zh: "生物、医药和医疗器械", en: "Biology, medicine and medical devices" },
  "05": { zh: "新材料及其应用", en: "New materials and their application" },
  "06": { zh: "新能源与高效节能", en: "New energy and energy efficiency" },
  "07": { zh: "环境保护与资源综合利用", en: "Environmental protection and resource use" },
  "08": { zh: "核应用", en: "Nuclear applications" },
  "09": { zh: "农业", en: "Agriculture" },
  "10": { zh: "现代交通", en: "Modern transport" },
  "11": { zh: "城市建设与社会发展", en: "Urban construction and social development" },
} as const;
export type TechnicalField = keyof typeof TECHNICAL_FIELDS;

/** The field's name in the reader's language, or the code itself when it is not a known one. */
export function technicalFieldName(code: string, lang: "zh" | "en" = "zh"): string {
  return (TECHNICAL_FIELDS as Record<string, { zh: string; en: string }>)[code]?.[lang] ?? code;
}
