import { describe, expect, it } from "vitest";
import { bpsText, technologyShareBps } from "~/services/statistics/figures.ts";
import { chinaYearRange } from "~/services/statistics/period.ts";
import { yuanText } from "~/services/statistics/tables.ts";
import { targetProgress } from "~/services/statistics/target.ts";
import { amountColumns, svgForPage } from "~/web/charts.server.ts";

/** The county dashboard's pure parts (issue 15, point 5): ratios in integer arithmetic, yuan text, the year in China time, CSP-safe SVG. */
describe("county dashboard arithmetic", () => {
  it("rounds the technology share half up in basis points and says nothing for no turnover", () => {
    expect(technologyShareBps({ count: 1, contractFen: 3, technologyFen: 2 })).toBe(6667); // 66.666…%
    expect(technologyShareBps({ count: 1, contractFen: 20_000, technologyFen: 1 })).toBe(1); // 0.5 bp → 1
    expect(technologyShareBps({ count: 0, contractFen: 0, technologyFen: 0 })).toBeNull();
    expect(bpsText(6667)).toBe("66.67%");
    expect(bpsText(5)).toBe("0.05%");
    expect(bpsText(null)).toBe("—");
  });

  it("writes fen as yuan with two decimals without floating point", () => {
    expect(yuanText(0)).toBe("0.00");
    expect(yuanText(5)).toBe("0.05");
    expect(yuanText(12_345_678)).toBe("123456.78");
    expect(yuanText(900_719_925_474_099)).toBe("9007199254740.99");
  });

  it("measures progress toward the year's target, rounding down, with the default where none is set", () => {
    const settings = { registrationTargets: [{ year: 2026, amountFen: 30_000_000 }] };
    expect(targetProgress(settings, 2026, 29_999_999)).toMatchObject({ progressBps: 9999, remainingFen: 1, isDefault: false });
    expect(targetProgress(settings, 2026, 45_000_000)).toMatchObject({ progressBps: 15_000, remainingFen: 0 });
    expect(targetProgress(settings, 2025, 100_000_000)).toMatchObject({ targetFen: 200_000_000, progressBps: 5000, isDefault: true });
  });

  it("takes a year as China's calendar year", () => {
    expect(chinaYearRange(2026)).toEqual({ from: new Date("2025-12-31T16:00:00Z"), to: new Date("2026-12-31T16:00:00Z") });
  });
});

describe("server-drawn charts", () => {
  it("carry no inline CSS or fixed size, and name themselves", () => {
    const svg = amountColumns(
      [{ label: "1月", contractFen: 100_000_00, technologyFen: 90_000_00 }],
      { contract: "成交额", technology: "技术交易额", unit: "万元" },
      '一月 <测试> & "引号"',
    );
    expect(svg).toMatch(/^<svg role="img" aria-label="一月 &lt;测试> &amp; &quot;引号&quot;" class="chart-svg"/);
    expect(svg).not.toMatch(/ style="|<style|<script|ecmeta_/);
    expect(svg).toContain('font-size="');
    expect(svg).toContain("viewBox=");
    expect(
      svgForPage('<svg width="1" height="1"><text style="font-size:12px;font-family:&quot;A&quot;, sans-serif;">x</text></svg>', "t"),
    ).toBe(
      '<svg role="img" aria-label="t" class="chart-svg"><text font-size="12px" font-family="&quot;A&quot;, sans-serif">x</text></svg>',
    );
  });
});
