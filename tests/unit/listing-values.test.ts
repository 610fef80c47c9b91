import { describe, expect, it } from "vitest";
import { AchievementDataSchema, DemandDataSchema, flattenZodErrors, patentCheckIssues } from "~/schemas/listing.ts";
import { formatWan, formatYuan, yuanToFen } from "~/utils/money.ts";
import { normalizePatentNumber, patentCheckChar, patentKind, patentProblem } from "~/utils/patent.ts";
import { maturityStage } from "~/utils/taxonomy.ts";

describe("patent numbers", () => {
  it("computes the check character with weights 2..9,2..5 mod 11 (10 → X)", () => {
    // 2·2+0·3+1·4+9·5+1·6+0·7+1·8+2·9+3·2+4·3+5·4+6·5 = 153, 153 mod 11 = 10
    expect(patentCheckChar("201910123456")).toBe("X");
    expect(patentProblem("ZL201910123456.X")).toBeNull();
    expect(patentProblem("ZL201910123456.7")).toBe("check");
    // an old 8-digit application number: 9·2+8·3+1·4+0·5+0·6+1·7+2·8+3·9 = 96 → 96 mod 11 = 8
    expect(patentProblem("ZL98100123.8")).toBeNull();
  });

  it("accepts the forms people type and refuses what is not a patent number", () => {
    expect(normalizePatentNumber(" zl 2019 1012 3456．X ")).toBe("ZL201910123456.X");
    expect(patentProblem("201910123456.X")).toBeNull();
    expect(patentProblem("ZL2019101234.X")).toBe("format");
    expect(patentProblem("ZL201940123456.1")).toBe("type");
    expect(patentKind("ZL201910123456.X")).toBe("invention-patent");
    expect(patentKind(`ZL202220123456.${patentCheckChar("202220123456")}`)).toBe("utility-model");
  });
});

describe("money", () => {
  it("parses yuan into fen exactly", () => {
    expect(yuanToFen("300000")).toBe(30_000_000);
    expect(yuanToFen("1,234.5")).toBe(123_450);
    expect(yuanToFen(0.29)).toBe(29); // 0.29 * 100 is 28.999… in floating point
    expect(() => yuanToFen("12.345")).toThrow();
    expect(() => yuanToFen("-5")).toThrow();
  });

  it("shows amounts the way people read them", () => {
    expect(formatYuan(30_000_000)).toBe("¥300,000");
    expect(formatWan(38_000_000)).toBe("38万元");
    expect(formatWan(150_000)).toBe("¥1,500");
  });
});

describe("maturity", () => {
  it("names the Chinese stage of each TRL", () => {
    expect([1, 3, 4, 5, 6, 7, 8, 9].map(maturityStage)).toEqual([
      "research",
      "research",
      "sample",
      "lab-trial",
      "pilot",
      "pilot",
      "mass-production",
      "mass-production",
    ]);
  });
});

const achievement = {
  title: "三七根腐病生物防治菌剂",
  summary: "微生物菌剂",
  description: "详细说明",
  field: "plateau-agriculture",
  ipType: "invention-patent",
  patentNumbers: ["ZL201910123456.X"],
  trl: 6,
  transactionModes: ["license"],
  licenseExclusivity: ["exclusive"],
  price: { mode: "fixed", amount: 30_000_000 },
  region: "532623",
};

describe("listing content rules", () => {
  it("accepts a complete achievement", () => {
    expect(AchievementDataSchema.safeParse(achievement).success).toBe(true);
  });

  it("names the field of every cross-field rule", () => {
    const r = AchievementDataSchema.safeParse({
      ...achievement,
      patentNumbers: [],
      licenseExclusivity: [],
      price: { mode: "auction" },
      trl: 10,
    });
    expect(r.success).toBe(false);
    const errors = flattenZodErrors(r.error!);
    expect(errors["trl"]).toEqual(["errors.trl"]);
    expect(errors["price.amount"]).toEqual(["errors.priceRequired"]);
    expect(errors["licenseExclusivity"]).toEqual(["errors.exclusivityRequired"]);
    expect(errors["patentNumbers"]).toEqual(["errors.patentRequired"]);
  });

  it("refuses a malformed patent number but leaves a wrong check character to the caller", () => {
    const bad = AchievementDataSchema.safeParse({ ...achievement, patentNumbers: ["ZL201910123456.X", "CN123"] });
    expect(flattenZodErrors(bad.error!)).toEqual({ "patentNumbers.1": ["errors.patent.format"] });
    const typo = AchievementDataSchema.safeParse({ ...achievement, patentNumbers: ["ZL201910123456.7"] });
    expect(typo.success).toBe(true);
    expect(patentCheckIssues(["ZL201910123456.X", "ZL201910123456.7"])).toEqual([1]);
  });

  it("refuses a demand whose budget maximum is below its minimum", () => {
    const r = DemandDataSchema.safeParse({
      title: "求技术",
      description: "说明",
      field: "food-processing",
      budget: { min: 500, max: 100 },
      transactionModes: ["license"],
      region: "532623",
    });
    expect(flattenZodErrors(r.error!)).toEqual({ "budget.max": ["errors.budgetOrder"] });
  });
});
