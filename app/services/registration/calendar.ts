import { createRequire } from "node:module";
import type { LargeBasis, YearCalendar } from "~/schemas/settings.ts";

/**
 * China's working-day calendar for the registration review clock (issue 15, point 1; decision 025).
 * A day is a working day when it is a make-up working day (调休), or a Monday to Friday that is not
 * a public holiday. The State Council's schedule comes from the `chinese-days` package for the
 * years it carries (2026 included); for later years the bureau enters the holidays and make-up
 * days in the settings. Settings for a year replace the package's for that year (a correction
 * wins). A year neither covers counts weekends only and is reported by `calendarCoverage`, which
 * the dashboard warns with. Days are China dates, YYYY-MM-DD. Pure apart from loading the package's
 * table once.
 */
const require = createRequire(import.meta.url);

interface Table {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

let table: { holidays: Set<string>; workdays: Set<string>; years: Set<number> } | undefined;
function packageTable() {
  if (!table) {
    const t = require("chinese-days/dist/chinese-days.json") as Table;
    const holidays = new Set(Object.keys(t.holidays));
    const workdays = new Set(Object.keys(t.workdays));
    table = { holidays, workdays, years: new Set([...holidays].map((d) => Number(d.slice(0, 4)))) };
  }
  return table;
}

export type CalendarSource = "chinese-days" | "settings" | "missing";

/** Where a year's holidays come from, or "missing" when nobody entered them (weekends only then). */
export function calendarCoverage(year: number, extra: readonly YearCalendar[] = []): CalendarSource {
  if (extra.some((c) => c.year === year)) return "settings";
  if (packageTable().years.has(year)) return "chinese-days";
  return "missing";
}

/** The years from `from` to `to` that no calendar covers. */
export function missingYears(from: number, to: number, extra: readonly YearCalendar[] = []): number[] {
  const out: number[] = [];
  for (let y = from; y <= to; y++) if (calendarCoverage(y, extra) === "missing") out.push(y);
  return out;
}

const DAY_MS = 86_400_000;
const toTime = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The day `n` calendar days after `day` (negative: before). */
export function shiftDay(day: string, n: number): string {
  return toDay(toTime(day) + n * DAY_MS);
}

export function isWorkingDay(day: string, extra: readonly YearCalendar[] = []): boolean {
  const year = Number(day.slice(0, 4));
  const own = extra.find((c) => c.year === year);
  if (own) {
    if (own.workdays.includes(day)) return true;
    if (own.holidays.includes(day)) return false;
  } else {
    const t = packageTable();
    if (t.workdays.has(day)) return true;
    if (t.holidays.has(day)) return false;
  }
  const weekday = new Date(toTime(day)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The `n`-th working day after `day` (the day itself does not count: a period counted in days
 * starts the next day, 民法典 第二百零一条). n = 0 gives `day`.
 */
export function addWorkingDays(day: string, n: number, extra: readonly YearCalendar[] = []): string {
  let d = day;
  for (let left = n; left > 0;) {
    d = shiftDay(d, 1);
    if (isWorkingDay(d, extra)) left--;
  }
  return d;
}

/** Working days in (from, to]: after `from`, up to and including `to` (0 when to ≤ from). */
export function workingDaysBetween(from: string, to: string, extra: readonly YearCalendar[] = []): number {
  let count = 0;
  for (let d = shiftDay(from, 1); d <= to; d = shiftDay(d, 1)) if (isWorkingDay(d, extra)) count++;
  return count;
}

/**
 * Working days left from `today` to the due day: 0 on the due day itself, negative when overdue
 * (−1 on the first day after it, however few working days have passed since).
 */
export function workingDaysLeft(today: string, due: string, extra: readonly YearCalendar[] = []): number {
  if (today <= due) return workingDaysBetween(today, due, extra);
  return -Math.max(1, workingDaysBetween(due, today, extra));
}

export interface ReviewLimitSettings {
  reviewDays: number;
  largeReviewDays: number;
  largeThreshold: number;
  largeBasis: LargeBasis;
}

/** Large: the basis amount (fen) at or above the threshold. */
export function isLarge(amounts: { contractAmount: number; technologyAmount: number }, s: ReviewLimitSettings): boolean {
  return amounts[s.largeBasis] >= s.largeThreshold;
}

/** The review limit in working days: the long one for a large or disputed contract. */
export function reviewLimit(c: { contractAmount: number; technologyAmount: number; disputed: boolean }, s: ReviewLimitSettings): number {
  return isLarge(c, s) || c.disputed ? s.largeReviewDays : s.reviewDays;
}
