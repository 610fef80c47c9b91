/**
 * Dates as the county reads them: in China Standard Time, whatever the server's or the browser's
 * zone, so the server-rendered page and the hydrated one agree ("2026-12-09", "2026-12-09 14:05").
 */
const TIME_ZONE = "Asia/Shanghai";

const dateParts = new Intl.DateTimeFormat("en-CA", {
  timeZone: TIME_ZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function parts(iso: string) {
  const out: Record<string, string> = {};
  for (const p of dateParts.formatToParts(new Date(iso))) out[p.type] = p.value;
  return out;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const p = parts(iso);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Human file size: 512 B, 12.3 KB, 4.5 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
