import { Settings } from "~/models/settings.server.ts";
import {
  BANK_FIELD_MAX,
  BUY_NOW_CONFIRM_MAX_HOURS,
  DEFAULT_SETTINGS,
  MAX_SHARE_BPS,
  PUBLIC_AGREEMENT_NOTICE_MIN_DAYS,
  SIGNING_DEADLINE_MAX_DAYS,
  type PlatformSettings,
  type RegistrationSettings,
} from "~/schemas/settings.ts";
import { ValidationError } from "~/utils/errors.ts";
import { assertCan } from "~/utils/permissions.ts";
import { weightsWithDefaults } from "~/utils/scorecards.ts";
import { singleton } from "~/utils/singleton.server.ts";
import type { Actor } from "../kernel/actor.ts";
import { recordAudit } from "../kernel/audit.server.ts";
import { withTransaction, type ClientSession } from "../kernel/tx.server.ts";

/**
 * The platform settings (one MongoDB document, defaults for whatever is unset). Two ways to read
 * them (docs/decisions/013-platform-settings.md):
 * - `readSettings(session)`: from MongoDB, now. Whatever decides a date with legal weight — the end
 *   of a 公示 — reads this way, inside its own transaction, so no instance ever uses a stale length.
 * - `platformSettings()`: through a short per-process cache (SETTINGS_TTL_MS), for what pages show
 *   (the notice text, the demo hints). Another instance sees a change within the TTL; this
 *   instance at once (the write clears its cache).
 */
export const SETTINGS_TTL_MS = 10_000;
const KEY = "platform";

type Cache = { value: PlatformSettings; until: number } | null;
const cache = () => singleton<{ entry: Cache }>("settingsCache", () => ({ entry: null }));

function withDefaults(doc: Partial<PlatformSettings> | null): PlatformSettings {
  return {
    noticeDays: doc?.noticeDays ?? DEFAULT_SETTINGS.noticeDays,
    // The floor holds even for a document written by hand.
    publicAgreementNoticeDays: Math.max(
      PUBLIC_AGREEMENT_NOTICE_MIN_DAYS,
      doc?.publicAgreementNoticeDays ?? DEFAULT_SETTINGS.publicAgreementNoticeDays,
    ),
    noticeText: {
      zh: doc?.noticeText?.zh || DEFAULT_SETTINGS.noticeText.zh,
      en: doc?.noticeText?.en ?? DEFAULT_SETTINGS.noticeText.en,
    },
    showDemoAccounts: doc?.showDemoAccounts ?? DEFAULT_SETTINGS.showDemoAccounts,
    signingDeadlineDays: doc?.signingDeadlineDays ?? DEFAULT_SETTINGS.signingDeadlineDays,
    commissionBps: doc?.commissionBps ?? DEFAULT_SETTINGS.commissionBps,
    platformFeeBps: doc?.platformFeeBps ?? DEFAULT_SETTINGS.platformFeeBps,
    buyNowDepositPercent: doc?.buyNowDepositPercent ?? DEFAULT_SETTINGS.buyNowDepositPercent,
    buyNowConfirmHours: doc?.buyNowConfirmHours ?? DEFAULT_SETTINGS.buyNowConfirmHours,
    bankAccount: {
      name: doc?.bankAccount?.name || DEFAULT_SETTINGS.bankAccount.name,
      bank: doc?.bankAccount?.bank || DEFAULT_SETTINGS.bankAccount.bank,
      number: doc?.bankAccount?.number || DEFAULT_SETTINGS.bankAccount.number,
    },
    // County dashboard (issue 15)
    countyCode: doc?.countyCode || DEFAULT_SETTINGS.countyCode,
    registrationTargets: (doc?.registrationTargets ?? DEFAULT_SETTINGS.registrationTargets).map((t) => ({
      year: t.year,
      amountFen: t.amountFen,
    })),
    // Commissioners and evaluation (issue 15, points 6 and 7)
    commissionerTarget: doc?.commissionerTarget ?? DEFAULT_SETTINGS.commissionerTarget,
    scorecardWeights: weightsWithDefaults(doc?.scorecardWeights),
    // Registration (issue 15)
    registration: registrationWithDefaults(doc?.registration),
  };
}

/** Registration (issue 15): each unset field from the defaults. */
function registrationWithDefaults(r: Partial<RegistrationSettings> | null | undefined): RegistrationSettings {
  const d = DEFAULT_SETTINGS.registration;
  return {
    provinceOffice: r?.provinceOffice || d.provinceOffice,
    nationalSystem: r?.nationalSystem || d.nationalSystem,
    pointName: r?.pointName || d.pointName,
    pointCode: r?.pointCode || d.pointCode,
    prefectureCode: r?.prefectureCode || d.prefectureCode,
    reviewDays: r?.reviewDays ?? d.reviewDays,
    largeReviewDays: r?.largeReviewDays ?? d.largeReviewDays,
    largeThreshold: r?.largeThreshold ?? d.largeThreshold,
    largeBasis: r?.largeBasis ?? d.largeBasis,
    calendar: (r?.calendar ?? d.calendar).map((c) => ({ year: c.year, holidays: [...c.holidays], workdays: [...c.workdays] })),
  };
}

/** The settings as stored now (inside `session` when given). */
export async function readSettings(session: ClientSession | null = null): Promise<PlatformSettings> {
  const doc = await Settings.findOne({ key: KEY })
    .session(session)
    .lean<Partial<PlatformSettings> & { noticeText?: { zh?: string; en?: string } }>();
  return withDefaults(doc as Partial<PlatformSettings> | null);
}

/** The settings for display, at most SETTINGS_TTL_MS old. */
export async function platformSettings(now = Date.now()): Promise<PlatformSettings> {
  const c = cache();
  if (c.entry && c.entry.until > now) return c.entry.value;
  const value = await readSettings();
  c.entry = { value, until: now + SETTINGS_TTL_MS };
  return value;
}

/** Forgets this process's cached copy (after a write; tests). */
export function forgetCachedSettings(): void {
  cache().entry = null;
}

/** What an admin may see of the settings, with who changed them last. */
export async function settingsForAdmin(actor: Pick<Actor, "roles">) {
  assertCan(actor, "settings:manage");
  const [settings, doc] = await Promise.all([readSettings(), Settings.findOne({ key: KEY }).select("updatedAt updatedByName").lean()]);
  return { settings, updatedAt: doc?.updatedAt?.toISOString() ?? null, updatedByName: doc?.updatedByName ?? null };
}

function describeChanges(before: PlatformSettings, after: PlatformSettings): string {
  const out: string[] = [];
  if (before.noticeDays !== after.noticeDays) out.push(`noticeDays ${before.noticeDays} → ${after.noticeDays}`);
  if (before.publicAgreementNoticeDays !== after.publicAgreementNoticeDays)
    out.push(`publicAgreementNoticeDays ${before.publicAgreementNoticeDays} → ${after.publicAgreementNoticeDays}`);
  if (before.noticeText.zh !== after.noticeText.zh || before.noticeText.en !== after.noticeText.en) out.push("noticeText");
  if (before.showDemoAccounts !== after.showDemoAccounts)
    out.push(`showDemoAccounts ${before.showDemoAccounts} → ${after.showDemoAccounts}`);
  for (const k of ["signingDeadlineDays", "commissionBps", "platformFeeBps", "buyNowDepositPercent", "buyNowConfirmHours"] as const) {
    if (before[k] !== after[k]) out.push(`${k} ${before[k]} → ${after[k]}`);
  }
  for (const k of ["name", "bank", "number"] as const) {
    if (before.bankAccount[k] !== after.bankAccount[k]) out.push(`bankAccount.${k} ${before.bankAccount[k]} → ${after.bankAccount[k]}`);
  }
  return out.join("; ");
}

/** Stores new settings (validated again here: the 15-day floor holds for every caller), with an audit entry. */
export async function updateSettings(actor: Actor, next: PlatformSettings): Promise<PlatformSettings> {
  assertCan(actor, "settings:manage");
  const errors: Record<string, string[]> = {};
  if (!Number.isInteger(next.noticeDays) || next.noticeDays < 1) errors.noticeDays = ["settings.errors.days"];
  if (!Number.isInteger(next.publicAgreementNoticeDays) || next.publicAgreementNoticeDays < PUBLIC_AGREEMENT_NOTICE_MIN_DAYS)
    errors.publicAgreementNoticeDays = ["settings.errors.publicAgreementFloor"];
  if (!next.noticeText.zh.trim()) errors.noticeTextZh = ["errors.required"];
  const intIn = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (!intIn(next.signingDeadlineDays, 1, SIGNING_DEADLINE_MAX_DAYS)) errors.signingDeadlineDays = ["settlementSettings.errors.days"];
  if (!intIn(next.commissionBps, 0, MAX_SHARE_BPS)) errors.commissionPercent = ["settlementSettings.errors.percent"];
  if (!intIn(next.platformFeeBps, 0, MAX_SHARE_BPS)) errors.platformFeePercent = ["settlementSettings.errors.percent"];
  if (!intIn(next.buyNowDepositPercent, 1, 100)) errors.buyNowDepositPercent = ["settlementSettings.errors.wholePercent"];
  if (!intIn(next.buyNowConfirmHours, 1, BUY_NOW_CONFIRM_MAX_HOURS)) errors.buyNowConfirmHours = ["settlementSettings.errors.hours"];
  const bank = { bankName: next.bankAccount.name, bankBank: next.bankAccount.bank, bankNumber: next.bankAccount.number };
  for (const [k, v] of Object.entries(bank)) {
    if (!v.trim() || v.length > BANK_FIELD_MAX) errors[k] = ["settlementSettings.errors.account"];
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const saved = await withTransaction(async (session) => {
    const before = await readSettings(session);
    const doc = await Settings.findOneAndUpdate(
      { key: KEY },
      {
        $set: {
          noticeDays: next.noticeDays,
          publicAgreementNoticeDays: next.publicAgreementNoticeDays,
          noticeText: { zh: next.noticeText.zh, en: next.noticeText.en },
          showDemoAccounts: next.showDemoAccounts,
          signingDeadlineDays: next.signingDeadlineDays,
          commissionBps: next.commissionBps,
          platformFeeBps: next.platformFeeBps,
          buyNowDepositPercent: next.buyNowDepositPercent,
          buyNowConfirmHours: next.buyNowConfirmHours,
          bankAccount: { name: next.bankAccount.name.trim(), bank: next.bankAccount.bank.trim(), number: next.bankAccount.number.trim() },
          ...(actor.id ? { updatedBy: actor.id } : {}),
          updatedByName: actor.name,
        },
      },
      { upsert: true, returnDocument: "after", session },
    ).lean();
    const after = withDefaults(doc as Partial<PlatformSettings>);
    await recordAudit(session, {
      subjectType: "settings",
      subject: doc!._id,
      action: "settingsChanged",
      actor,
      via: "ui",
      reason: describeChanges(before, after) || null,
    });
    return after;
  });
  forgetCachedSettings();
  return saved;
}
