import { chinaToday, startOfChinaDay } from "~/utils/china-time.ts";
import type { RegistrationStatus } from "~/utils/registration.ts";

/**
 * What the county dashboard counts and over which time (docs/decisions/027-county-dashboard.md).
 * Pure.
 */

/**
 * A registration counts once it is registered, and keeps counting after a change (变更 keeps the
 * status "registered" and sets `changedAt`); a cancelled one (注销, status "cancelled") no longer
 * counts, nor does anything not yet decided, refused or withdrawn.
 */
export const COUNTED_STATUSES: readonly RegistrationStatus[] = ["registered"];

/** The year in China now. */
export function currentChinaYear(now = new Date()): number {
  return Number(chinaToday(now).slice(0, 4));
}

/** A calendar year in China time: [1 January 00:00 +08:00, next 1 January 00:00 +08:00). */
export function chinaYearRange(year: number): { from: Date; to: Date } {
  return { from: startOfChinaDay(`${year}-01-01`), to: startOfChinaDay(`${year + 1}-01-01`) };
}
