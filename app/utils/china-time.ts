/**
 * China time, once. China has one time zone (UTC+8) and no daylight saving, so a fixed offset is
 * exact. Pages show dates as the county reads them whatever the server's or the browser's zone
 * ("2026-12-09", "2026-12-09 14:05"), forms read a `datetime-local` or a date as China time, and
 * day boundaries (deadlines, validity ends, statistics by day) fall at midnight in China.
 * Pure and browser-safe.
 */
export const CHINA_TIME_ZONE = "Asia/Shanghai";
export const CHINA_OFFSET_MS = 8 * 3_600_000;
export const DAY_MS = 86_400_000;

const shifted = (d: Date) => new Date(d.getTime() + CHINA_OFFSET_MS).toISOString();

/** An instant's date in China as YYYY-MM-DD (today's by default). */
export function chinaToday(now = new Date()): string {
  return shifted(now).slice(0, 10);
}

/** An instant (or an ISO string) → its date in China as YYYY-MM-DD, "" for nothing or nonsense (date inputs). */
export function chinaDate(value: string | Date | null | undefined): string {
  if (!value) return "";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "" : chinaToday(d);
}

/** An instant as a `datetime-local` value in China time: 2026-12-09T14:05. */
export function chinaLocalDateTime(d: Date): string {
  return shifted(d).slice(0, 16);
}

/** The first instant of a China date (YYYY-MM-DD). */
export function startOfChinaDay(date: string): Date {
  return new Date(`${date}T00:00:00.000+08:00`);
}

/** The last instant of a China date (YYYY-MM-DD): a deadline or validity end typed as a date counts to the end of that day. */
export function endOfChinaDay(date: string): Date {
  return new Date(`${date}T23:59:59.999+08:00`);
}

/** A YYYY-MM-DD date that exists in the calendar. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A `datetime-local` value ("2026-12-01T09:30[:00]") read as China time; other ISO strings keep their zone. Null when unreadable. */
export function parseChinaTime(v: string): Date | null {
  const s = v.trim();
  if (!s) return null;
  const local = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(s);
  const d = local ? new Date(`${local[1]}T${local[2]}${local[3] ?? ":00"}+08:00`) : new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateParts = new Intl.DateTimeFormat("en-CA", {
  timeZone: CHINA_TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function parts(iso: string | Date) {
  const out: Record<string, string> = {};
  for (const p of dateParts.formatToParts(new Date(iso))) out[p.type] = p.value;
  return out;
}

/** "2026-12-09" in China time; "" for nothing. */
export function formatDate(iso: string | Date | null | undefined): string {
  if (!iso) return "";
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day}`;
}

/** "2026-12-09 14:05" in China time; "" for nothing. */
export function formatDateTime(iso: string | Date | null | undefined): string {
  if (!iso) return "";
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
