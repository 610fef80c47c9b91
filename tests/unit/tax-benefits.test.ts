import { describe, expect, it } from "vitest";
import { taxBenefits, termYears, type TaxBenefitFacts } from "~/services/registration/tax-benefits.ts";
import zh from "~/locales/modules/registration-certificate.ts";

/** The tax benefits a registered contract may qualify for (issue 15, point 4): which rules its facts point to. */
const facts = (over: Partial<TaxBenefitFacts> = {}): TaxBenefitFacts => ({
  category: "transfer",
  subCategory: "patent",
  seller: { entityType: "150" },
  buyer: { entityType: "170" },
  validFrom: "2026-05-20T00:00:00+08:00",
  validTo: "2031-05-19T00:00:00+08:00",
  ...over,
});
const keys = (f: TaxBenefitFacts) => taxBenefits(f).map((b) => b.key);

describe("taxBenefits", () => {
  it("a patent transfer by a company: VAT exemption and the corporate income-tax relief, on their rules", () => {
    const list = taxBenefits(facts());
    expect(list.map((b) => b.key)).toEqual(["vat", "cit"]);
    expect(list[0]!.basis).toEqual(["财税〔2016〕36号 附件3 第一条第二十六项"]);
    expect(list[1]!.basis).toContain("《中华人民共和国企业所得税法》第二十七条第四项");
    expect(list[1]!.basis).toContain("《企业所得税法实施条例》第九十条");
    expect(list[1]!.basis).toContain("财税〔2010〕111号");
    expect(list[1]!.unmet).toBeNull();
  });

  it("a university or institute selling: its inventors' cash rewards counted at 50% (财税〔2018〕58号)", () => {
    expect(keys(facts({ seller: { entityType: "022" } }))).toEqual(["vat", "cit", "inventorReward"]);
    expect(keys(facts({ seller: { entityType: "021" }, category: "license", subCategory: "patent" }))).toContain("inventorReward");
    expect(taxBenefits(facts({ seller: { entityType: "021" } })).at(-1)!.basis).toEqual(["财税〔2018〕58号"]);
  });

  it("a licence counts for income tax only at 5 years or more (财税〔2015〕116号)", () => {
    const five = taxBenefits(facts({ category: "license", subCategory: "patent" })).find((b) => b.key === "cit")!;
    expect(five.unmet).toBeNull();
    expect(five.basis).toContain("财税〔2015〕116号");
    const short = taxBenefits(facts({ category: "license", subCategory: "know-how", validTo: "2029-05-19T00:00:00+08:00" })).find(
      (b) => b.key === "cit",
    )!;
    expect(short.unmet).toBe("licenceUnderFiveYears");
  });

  it("development: VAT for the seller and the buyer's R&D super-deduction, commissioned at 80%", () => {
    const commissioned = taxBenefits(facts({ category: "development", subCategory: "commissioned" }));
    expect(commissioned.map((b) => b.key)).toEqual(["vat", "rnd"]);
    const rnd = commissioned[1]!;
    expect(rnd.side).toBe("buyer");
    expect(rnd.basis).toEqual(["财政部 税务总局公告2023年第7号", "财税〔2015〕119号"]);
    expect(rnd.conditions).toContain("commissioned");
    expect(taxBenefits(facts({ category: "development", subCategory: "cooperative" }))[1]!.conditions).toContain("cooperative");
    // A natural person buying takes no super-deduction.
    expect(keys(facts({ category: "development", subCategory: "commissioned", buyer: { entityType: "500" } }))).toEqual(["vat"]);
  });

  it("consulting and service contracts on their own: none of these", () => {
    expect(keys(facts({ category: "consulting", subCategory: "general" }))).toEqual([]);
    expect(keys(facts({ category: "service", subCategory: "training", seller: { entityType: "022" } }))).toEqual([]);
  });

  it("a natural person selling: no corporate income tax", () => {
    expect(keys(facts({ seller: { entityType: "500" } }))).toEqual(["vat"]);
  });

  it("every benefit and condition has its words, Chinese and English", () => {
    for (const locale of [zh["zh-CN"], zh.en]) {
      const tax = locale.registrationCertificate.tax as unknown as Record<string, { title: string; conditions: Record<string, string> }>;
      for (const f of [
        facts({ seller: { entityType: "022" } }),
        facts({ category: "development", subCategory: "commissioned" }),
        facts({ category: "development", subCategory: "cooperative" }),
      ])
        for (const b of taxBenefits(f)) {
          expect(tax[b.key]!.title).toBeTruthy();
          for (const c of b.conditions) expect(tax[b.key]!.conditions[c], `${b.key}.${c}`).toBeTruthy();
        }
    }
  });

  it("counts a term's whole years with its last day included", () => {
    expect(termYears("2026-05-20T00:00:00+08:00", "2031-05-19T00:00:00+08:00")).toBe(5);
    expect(termYears("2026-05-20T00:00:00Z", "2031-05-18T00:00:00Z")).toBe(4);
  });
});
