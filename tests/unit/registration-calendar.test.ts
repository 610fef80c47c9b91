import { describe, expect, it } from "vitest";
import { addWorkingDays, calendarCoverage, isWorkingDay, reviewLimit, workingDaysLeft } from "~/services/registration/calendar.ts";
import { DEFAULT_SETTINGS } from "~/schemas/settings.ts";

/** Issue 15, point 1: the review clock counts China's working days, holidays and make-up working days (调休) included. */

const s = DEFAULT_SETTINGS.registration;

describe("working-day calendar", () => {
  it("skips weekends", () => {
    expect(addWorkingDays("2026-12-04", 1)).toBe("2026-12-07"); // Friday → Monday
    expect(addWorkingDays("2026-12-07", 5)).toBe("2026-12-14");
  });

  it("follows the 2026 State Council schedule: the Spring Festival with its make-up Saturdays 2026-02-14 and 2026-02-28", () => {
    expect(isWorkingDay("2026-02-14")).toBe(true);
    expect(isWorkingDay("2026-02-28")).toBe(true);
    expect(isWorkingDay("2026-02-16")).toBe(false);
    expect(isWorkingDay("2026-02-23")).toBe(false); // a Monday inside the holiday
    // 02-10…13 (4), 02-14 (5), holiday to 02-23, 02-24…27 (9), 02-28 (10), 03-02…06 (15)
    expect(addWorkingDays("2026-02-09", 15)).toBe("2026-03-06");
  });

  it("follows National Day 2026 with its make-up days 2026-09-20 and 2026-10-10", () => {
    expect(isWorkingDay("2026-09-20")).toBe(true);
    expect(isWorkingDay("2026-10-10")).toBe(true);
    expect(isWorkingDay("2026-10-05")).toBe(false);
    expect(addWorkingDays("2026-09-28", 15)).toBe("2026-10-23");
    expect(addWorkingDays("2026-09-28", 30)).toBe("2026-11-13");
  });

  it("reports a year nobody entered as missing, and uses the bureau's entries for it", () => {
    expect(calendarCoverage(2026)).toBe("chinese-days");
    expect(calendarCoverage(2031)).toBe("missing");
    const extra = [{ year: 2031, holidays: ["2031-10-01", "2031-10-02", "2031-10-03"], workdays: ["2031-09-28"] }];
    expect(calendarCoverage(2031, extra)).toBe("settings");
    expect(isWorkingDay("2031-09-28", extra)).toBe(true); // a Sunday, made a working day
    expect(isWorkingDay("2031-10-01", extra)).toBe(false);
    expect(addWorkingDays("2031-09-30", 1)).toBe("2031-10-01");
    expect(addWorkingDays("2031-09-30", 1, extra)).toBe("2031-10-06");
  });

  it("counts working days left, zero on the due day and negative when overdue", () => {
    expect(workingDaysLeft("2026-03-02", "2026-03-06")).toBe(4);
    expect(workingDaysLeft("2026-03-06", "2026-03-06")).toBe(0);
    expect(workingDaysLeft("2026-03-07", "2026-03-06")).toBe(-1); // a Saturday after a Friday deadline
    expect(workingDaysLeft("2026-03-10", "2026-03-06")).toBe(-2);
  });

  it("gives 30 working days to a large (技术交易额 ≥ ¥5,000,000) or disputed contract, 15 otherwise", () => {
    expect(reviewLimit({ contractAmount: 6_000_000_00, technologyAmount: 4_999_999_99, disputed: false }, s)).toBe(15);
    expect(reviewLimit({ contractAmount: 5_000_000_00, technologyAmount: 5_000_000_00, disputed: false }, s)).toBe(30);
    expect(reviewLimit({ contractAmount: 100_00, technologyAmount: 100_00, disputed: true }, s)).toBe(30);
    expect(
      reviewLimit({ contractAmount: 6_000_000_00, technologyAmount: 1_00, disputed: false }, { ...s, largeBasis: "contractAmount" }),
    ).toBe(30);
  });
});
