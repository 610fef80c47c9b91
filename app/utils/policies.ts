/**
 * 政策法规 · 通知公告 (issue 15, point 8): the kinds and states of a published document, and the
 * shape of a Chinese document number (发文字号). Pure and browser-safe.
 */
export const POLICY_KINDS = ["policy", "notice"] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const POLICY_STATUSES = ["draft", "published", "withdrawn"] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** Brackets people type for the year of a document number; the standard one is 〔〕 (GB/T 9704). */
const YEAR_BRACKETS = /[[［【(（〔]\s*((?:19|20)\d{2})\s*[\]］】)）〕]/;

/**
 * A document number typed by hand, tidied: spaces removed and the year's brackets made 〔〕
 * ("西政办发[2019]114号" → "西政办发〔2019〕114号").
 */
export function normalizeDocNumber(raw: string): string {
  return raw
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, "")
    .replace(YEAR_BRACKETS, "〔$1〕");
}

/**
 * The loose shapes of a document number, after `normalizeDocNumber`:
 * - issuer abbreviation + 〔year〕 + number + 号: 西政办发〔2019〕114号, 国发〔2016〕16号;
 * - an order or announcement numbered in a series: 中华人民共和国主席令第三十二号, 财政部 税务总局公告2023年第7号.
 * Loose on purpose: the platform cannot know every issuer's abbreviation.
 */
const ISSUER = "[\\u4e00-\\u9fa5A-Za-z]{1,30}";
const NUMBER = "(?:\\d{1,5}|[〇零一二三四五六七八九十百千]{1,8})";
const DOC_NUMBER_SHAPES = [
  new RegExp(`^${ISSUER}〔(?:19|20)\\d{2}〕${NUMBER}号$`),
  new RegExp(`^${ISSUER}(?:(?:19|20)\\d{2}年)?第${NUMBER}号$`),
];

export function isDocNumber(normalized: string): boolean {
  return normalized.length <= 60 && DOC_NUMBER_SHAPES.some((rx) => rx.test(normalized));
}
