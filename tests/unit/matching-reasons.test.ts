import { describe, expect, it } from "vitest";
import matching from "~/locales/modules/matching.ts";
import { createI18n } from "~/utils/i18n.ts";
import { reasonText, scorePercent } from "~/utils/match-reasons.ts";

/** Match reasons as people read them: Chinese first (also the API's form), English when chosen. */
const zh = createI18n("zh-CN").t;
const en = createI18n("en").t;

describe("match reasons", () => {
  it("reads in Chinese as the issue shows them", () => {
    expect(reasonText({ code: "keyword", word: "根腐病" }, zh)).toBe("关键词: 根腐病");
    expect(reasonText({ code: "keyword", word: "根腐病", via: "烂根" }, zh)).toBe("关键词: 根腐病（≈烂根）");
    expect(reasonText({ code: "withinBudget" }, zh)).toBe("价格在预算内");
    expect(reasonText({ code: "trl", trl: 6, min: 5 }, zh)).toBe("成熟度 TRL 6 ≥ 5");
    expect(reasonText({ code: "field", field: "plateau-agriculture" }, zh)).toBe("同一领域: 高原特色现代农业");
    expect(reasonText({ code: "modes", modes: ["license", "transfer"] }, zh)).toBe("交易方式: 许可、转让");
  });

  it("reads in English too", () => {
    expect(reasonText({ code: "overBudget" }, en)).toBe("Price above budget");
    expect(reasonText({ code: "trlBelow", trl: 4, min: 5 }, en)).toBe("Maturity TRL 4, one below the required 5");
    expect(reasonText({ code: "modes", modes: ["license", "transfer"] }, en)).toBe("Transaction mode: Licence, Transfer");
  });

  it("has the same keys in both languages", () => {
    const keys = (o: object, p = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v as object, `${p}${k}.`) : [`${p}${k}`]));
    expect(keys(matching.en).sort()).toEqual(keys(matching["zh-CN"]).sort());
  });

  it("shows the score as a percentage", () => {
    expect(scorePercent(0.823)).toBe(82);
    expect(zh("matching.score", { percent: 82 })).toBe("匹配度 82%");
  });
});
