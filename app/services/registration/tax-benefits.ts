import { CHINA_OFFSET_MS, DAY_MS } from "~/utils/china-time.ts";
import type { ContractCategory } from "~/utils/contracts.ts";

/**
 * The tax benefits a registered technology contract may qualify for (issue 15, point 4). The tax
 * office decides; this only says which rules the contract's facts point to, the documents they rest
 * on, and what the tax office still checks. Pure: the facts in, benefit keys out; the words are in
 * the locale (registrationCertificate.tax.<key>…). Rules as the issue lists them:
 * - VAT exemption for 技术转让 / 技术开发 / 技术许可 and the consulting or services tied to them on
 *   the same invoice (财税〔2016〕36号 附件3 第一条第二十六项);
 * - corporate income tax on technology-transfer income: up to ¥5,000,000 a year exempt, half of the
 *   excess (企业所得税法 第二十七条第四项, 实施条例 第九十条, 财税〔2010〕111号); a licence counts
 *   when it runs 5 years or more (财税〔2015〕116号);
 * - the buyer's R&D super-deduction for development contracts (财政部 税务总局公告2023年第7号),
 *   commissioned development counted at 80% of its cost (财税〔2015〕119号);
 * - cash rewards to inventors of a university or institute (entity type 021 / 022) counted at 50%
 *   for individual income tax (财税〔2018〕58号).
 */
export const TAX_BENEFITS = ["vat", "cit", "rnd", "inventorReward"] as const;
export type TaxBenefitKey = (typeof TAX_BENEFITS)[number];

export interface TaxBenefitFacts {
  category: ContractCategory;
  subCategory: string;
  seller: { entityType: string };
  buyer: { entityType: string };
  validFrom: Date | string;
  validTo: Date | string;
}

export interface TaxBenefit {
  key: TaxBenefitKey;
  /** Who would claim it. */
  side: "seller" | "buyer" | "inventors";
  /** The documents it rests on, as cited (Chinese: they are the documents' names). */
  basis: readonly string[];
  /** A condition the contract's own facts already show unmet (a licence shorter than 5 years): listed, marked. */
  unmet: string | null;
  /** Locale keys of what the tax office still checks (registrationCertificate.tax.<key>.conditions.<c>). */
  conditions: readonly string[];
}

const BASIS: Record<TaxBenefitKey, readonly string[]> = {
  vat: ["财税〔2016〕36号 附件3 第一条第二十六项"],
  cit: ["《中华人民共和国企业所得税法》第二十七条第四项", "《企业所得税法实施条例》第九十条", "财税〔2010〕111号", "财税〔2015〕116号"],
  rnd: ["财政部 税务总局公告2023年第7号", "财税〔2015〕119号"],
  inventorReward: ["财税〔2018〕58号"],
};

/** Legal-entity types that are not enterprises (机关, 个体, 自然人): no corporate income tax, no super-deduction. */
const NOT_ENTERPRISES = new Set(["010", "400", "500"]);
/** 科研机构, 高等院校: the ones 财税〔2018〕58号 speaks of. */
const UNIVERSITIES_AND_INSTITUTES = new Set(["021", "022"]);

/** Whole years from `from` to `to`, as China dates, the last day included (2026-05-20 to 2031-05-19 is 5 years). */
export function termYears(from: Date | string, to: Date | string): number {
  const a = new Date(new Date(from).getTime() + CHINA_OFFSET_MS);
  const b = new Date(new Date(to).getTime() + CHINA_OFFSET_MS + DAY_MS); // the last day counts
  let years = b.getUTCFullYear() - a.getUTCFullYear();
  if (b.getUTCMonth() < a.getUTCMonth() || (b.getUTCMonth() === a.getUTCMonth() && b.getUTCDate() < a.getUTCDate())) years--;
  return years;
}

export function taxBenefits(f: TaxBenefitFacts): TaxBenefit[] {
  const out: TaxBenefit[] = [];
  const transferLike = f.category === "transfer" || f.category === "license";
  if (transferLike || f.category === "development") {
    out.push({
      key: "vat",
      side: "seller",
      basis: BASIS.vat,
      unmet: null,
      conditions: ["scope", "sameInvoice", "nonTech", "filing"],
    });
  }
  if (transferLike && !NOT_ENTERPRISES.has(f.seller.entityType)) {
    const shortLicence = f.category === "license" && termYears(f.validFrom, f.validTo) < 5;
    out.push({
      key: "cit",
      side: "seller",
      basis: BASIS.cit,
      unmet: shortLicence ? "licenceUnderFiveYears" : null,
      conditions: ["resident", "scope", "income", "related", "accounts"],
    });
  }
  if (f.category === "development" && !NOT_ENTERPRISES.has(f.buyer.entityType)) {
    out.push({
      key: "rnd",
      side: "buyer",
      basis: BASIS.rnd,
      unmet: null,
      conditions: [f.subCategory === "cooperative" ? "cooperative" : "commissioned", "industry", "activity", "accounts"],
    });
  }
  if (transferLike && UNIVERSITIES_AND_INSTITUTES.has(f.seller.entityType)) {
    out.push({
      key: "inventorReward",
      side: "inventors",
      basis: BASIS.inventorReward,
      unmet: null,
      conditions: ["nonProfit", "dutyAchievement", "within36Months", "publicity"],
    });
  }
  return out;
}
