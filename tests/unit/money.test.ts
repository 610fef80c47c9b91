import { describe, expect, it } from "vitest";
import { BidSchema } from "~/schemas/auctions.ts";
import { yuanAmount } from "~/schemas/offers.ts";
import { parseYuan } from "~/schemas/listing-form.ts";
import { yuanToFen } from "~/utils/money.ts";

describe("yuanToFen", () => {
  it("reads 万 and 亿 exactly, in integer fen", () => {
    for (const [typed, fen] of [
      ["5万", 5_000_000],
      ["1.5万", 1_500_000],
      ["2亿", 20_000_000_000],
      ["0.35万", 350_000],
      ["1.2345万", 1_234_500],
      ["12345.67万", 12_345_670_000],
      ["1.2345678亿", 12_345_678_000],
      ["3.3万", 3_300_000], // 3.3 × 10000 × 100 is 33000000.000000004 in floating point
      ["5万元", 5_000_000],
      ["¥5万", 5_000_000],
      ["５万", 5_000_000],
      ["１．５万", 1_500_000],
      [" 1,000万 ", 1_000_000_000],
    ] as const) {
      expect(yuanToFen(typed), typed).toBe(fen);
    }
  });

  it("still reads plain yuan as before", () => {
    expect(yuanToFen("300000")).toBe(30_000_000);
    expect(yuanToFen("1,234.5")).toBe(123_450);
    expect(yuanToFen("３００")).toBe(30_000);
    expect(yuanToFen(0.29)).toBe(29);
  });

  it("refuses what is not a number optionally followed by 万 or 亿, or more than two decimals of yuan", () => {
    for (const typed of [
      "万",
      "亿",
      "5.万",
      ".5万",
      "5千",
      "3万5千",
      "5万万",
      "5亿万",
      "-5万",
      "1.2345678万",
      "1.23456789012亿",
      "12.345",
      "abc",
      "",
    ]) {
      expect(() => yuanToFen(typed), typed).toThrow(RangeError);
    }
  });
});

describe("amount fields accept 万 and 亿", () => {
  it("the offer form's amount", () => {
    expect(yuanAmount().safeParse("5万")).toEqual({ success: true, data: 5_000_000 });
    expect(yuanAmount().safeParse("1.5万")).toEqual({ success: true, data: 1_500_000 });
    expect(yuanAmount().safeParse("5千").success).toBe(false);
    // Above the ¥10 billion ceiling.
    expect(yuanAmount().safeParse("200亿").error?.issues[0]?.message).toBe("offers.errors.amountTooLarge");
  });

  it("the listing form's price and the auction bid", () => {
    expect(parseYuan("2亿")).toBe(20_000_000_000);
    expect(BidSchema.parse({ amount: "1.5万" })).toEqual({ amount: 1_500_000 });
  });
});
