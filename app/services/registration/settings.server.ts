import { Settings } from "~/models/settings.server.ts";
import { parseCalendar, type RegistrationSettingsForm } from "~/schemas/registration.ts";
import type { RegistrationSettings, YearCalendar } from "~/schemas/settings.ts";
import { chinaToday } from "~/utils/china-time.ts";
import { fieldErrorList, fieldErrors, ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { withTransaction, type ClientSession } from "../kernel/tx.server.ts";
import { forgetCachedSettings, platformSettings, readSettings } from "../settings/settings.server.ts";
import { calendarCoverage, missingYears, type CalendarSource } from "./calendar.ts";

/**
 * The registration settings (issue 15, point 9): stored in the platform settings document under
 * `registration`, edited by the bureau and admins at /bureau/settings. The review clock reads them
 * inside its own transaction (`readSettings(session)`), pages through the cache.
 */
export async function registrationSettings(session: ClientSession | null = null): Promise<RegistrationSettings> {
  return (await readSettings(session)).registration;
}

export interface CalendarYearState {
  year: number;
  source: CalendarSource;
}

/** This year and the next: where their holidays come from; "missing" is what the dashboard warns about. */
export async function calendarCoverageNow(now = new Date()): Promise<CalendarYearState[]> {
  const { calendar } = (await platformSettings()).registration;
  const year = Number(chinaToday(now).slice(0, 4));
  return [year, year + 1].map((y) => ({ year: y, source: calendarCoverage(y, calendar) }));
}

/** The years (this one and the next) no calendar covers. */
export async function missingCalendarYears(now = new Date()): Promise<number[]> {
  const { calendar } = (await platformSettings()).registration;
  const year = Number(chinaToday(now).slice(0, 4));
  return missingYears(year, year + 1, calendar);
}

/** The settings form's view. */
export async function registrationSettingsForEditor(actor: Pick<Actor, "roles">) {
  assertCan(actor, "registration:configure");
  const [settings, doc] = await Promise.all([
    registrationSettings(),
    Settings.findOne({ key: "platform" }).select("updatedAt updatedByName").lean(),
  ]);
  const now = new Date();
  const year = Number(chinaToday(now).slice(0, 4));
  return {
    settings,
    holidaysText: calendarText(settings.calendar, "holidays"),
    workdaysText: calendarText(settings.calendar, "workdays"),
    coverage: [year - 1, year, year + 1, year + 2].map((y) => ({ year: y, source: calendarCoverage(y, settings.calendar) })),
    updatedAt: doc?.updatedAt?.toISOString() ?? null,
    updatedByName: doc?.updatedByName ?? null,
  };
}

/** One line per year: "2027-01-01 2027-01-02 …". */
export function calendarText(calendar: readonly YearCalendar[], list: "holidays" | "workdays"): string {
  return [...calendar]
    .sort((a, b) => a.year - b.year)
    .map((c) => [...c[list]].sort().join(" "))
    .filter(Boolean)
    .join("\n");
}

/** Stores the registration settings (bureau, admin), with an audit entry naming what changed. */
export async function updateRegistrationSettings(actor: Actor, form: RegistrationSettingsForm): Promise<RegistrationSettings> {
  assertCan(actor, "registration:configure");
  const { calendar, errors: calendarErrors } = parseCalendar(form.holidays, form.workdays);
  const errors = fieldErrors();
  for (const [k, v] of Object.entries(calendarErrors)) fieldErrorList(errors, k).push(...v);
  if (form.largeReviewDays < form.reviewDays) fieldErrorList(errors, "largeReviewDays").push("registration.errors.largeReviewDays");
  if (form.largeThreshold <= 0) fieldErrorList(errors, "largeThreshold").push("registration.errors.amount");
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const next: RegistrationSettings = {
    provinceOffice: form.provinceOffice,
    nationalSystem: form.nationalSystem,
    pointName: form.pointName,
    pointCode: form.pointCode,
    prefectureCode: form.prefectureCode,
    reviewDays: form.reviewDays,
    largeReviewDays: form.largeReviewDays,
    largeThreshold: form.largeThreshold,
    largeBasis: form.largeBasis,
    calendar,
  };
  const saved = await withTransaction(async (session) => {
    const before = await registrationSettings(session);
    const doc = await Settings.findOneAndUpdate(
      { key: "platform" },
      { $set: { registration: next, ...(actor.id ? { updatedBy: actor.id } : {}), updatedByName: actor.name } },
      { upsert: true, returnDocument: "after", session },
    ).lean();
    const changed = (Object.keys(next) as (keyof RegistrationSettings)[])
      .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]))
      .map((k) => (k === "calendar" ? "registration.calendar" : `registration.${k} ${String(before[k])} → ${String(next[k])}`));
    await recordAudit(session, {
      subjectType: "settings",
      subject: doc!._id,
      action: "settingsChanged",
      actor,
      via: "ui",
      reason: changed.join("; ") || null,
    });
    return next;
  });
  forgetCachedSettings();
  return saved;
}
