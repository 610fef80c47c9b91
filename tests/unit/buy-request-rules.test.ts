import { describe, expect, it } from "vitest";
import { buyNowDepositFen, buyRequestExpiry } from "~/services/trading/buy-requests/rules.ts";

/** Buy-now's deposit and expiry (issue 14, point 8; decision 023). */
describe("the buy-now deposit", () => {
  it("is the percentage of the price rounded half-up to the fen, at least 1 fen", () => {
    expect(buyNowDepositFen(123_456_78, 10)).toBe(1_234_568); // 1,234,567.8 → up
    expect(buyNowDepositFen(1_234_564, 10)).toBe(123_456); // 123,456.4 → down
    expect(buyNowDepositFen(1_234_565, 10)).toBe(123_457); // ,5 → up
    expect(buyNowDepositFen(5, 10)).toBe(1);
    expect(buyNowDepositFen(1, 10)).toBe(1);
    expect(buyNowDepositFen(100_000_000_00, 12.5)).toBe(12_500_000_00);
    // ¥10 billion (the largest price) loses no fen.
    expect(buyNowDepositFen(1_000_000_000_000, 10)).toBe(100_000_000_000);
  });

  it("expires the set number of hours later", () => {
    const now = new Date("2026-12-04T08:00:00Z");
    expect(buyRequestExpiry(now, 48).toISOString()).toBe("2026-12-06T08:00:00.000Z");
  });
});
