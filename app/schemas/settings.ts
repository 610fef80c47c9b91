import { z } from "zod";
import { DEFAULT_SCORECARD_WEIGHTS, type ScorecardWeights } from "~/utils/scorecards.ts";

/**
 * Platform settings an admin edits at /admin/settings (issue 13, point 11). They were constants;
 * they live in one MongoDB document now (services/settings/). Messages are i18n keys.
 */

/**
 * 协议定价 by a public institution (a university, a research institute, a government body) must be
 * announced for at least 15 days before the deal (促进科技成果转化法 and its rules on 公示): the
 * floor of `publicAgreementNoticeDays`, enforced here, whatever an admin types.
 */
export const PUBLIC_AGREEMENT_NOTICE_MIN_DAYS = 15;
export const NOTICE_MAX_DAYS = 90;
export const NOTICE_TEXT_MAX = 500;

export interface PlatformSettings {
  /** 公示 length in days for every listing not covered below. */
  noticeDays: number;
  /** 公示 length in days for a public institution's achievement priced by agreement (面议 / 协议定价). */
  publicAgreementNoticeDays: number;
  /** The text shown on a listing while its 公示 runs, in each language. */
  noticeText: { zh: string; en: string };
  /** In demo mode only: whether the login page names the demo accounts. */
  showDemoAccounts: boolean;
  /** Contracts and settlement (issue 14). Days after a deal by which its contract must be signed, or the deal lapses. */
  signingDeadlineDays: number;
  /** The broker's commission on each paid stage, in basis points (300 = 3%), unless the deal sets its own. */
  commissionBps: number;
  /** The platform's fee on each paid stage, in basis points (default 0). */
  platformFeeBps: number;
  /** Buy-now: the deposit the buyer pays to take the listing off the market, in percent of the price. */
  buyNowDepositPercent: number;
  /** Buy-now without a deposit: hours the seller has to confirm before the listing returns to trading. */
  buyNowConfirmHours: number;
  /** The platform's bank account shown for bank transfers (对公转账). */
  bankAccount: { name: string; bank: string; number: string };
  // County dashboard (issue 15, docs/decisions/027-county-dashboard.md)
  /** The county the dashboard is about (GB/T 2260, 6 digits): a party whose region is this code is "in the county". */
  countyCode: string;
  /** 技术合同交易额 targets per year, in fen; a year without one uses DEFAULT_REGISTRATION_TARGET_FEN. */
  registrationTargets: { year: number; amountFen: number }[];
  // Commissioners and evaluation (issue 15, points 6 and 7)
  /** 科技特派员 to dispatch a year (the county plan: 100). */
  commissionerTarget: number;
  /** The bureau's weights of each scorecard's indicators (绩效评估): kind → indicator → weight. */
  scorecardWeights: ScorecardWeights;
  // Registration (issue 15): authorities, the registration point, the number prefix, the review clock.
  registration: RegistrationSettings;
}

/** What decides whether a contract is large (30 working days of review): its 技术交易额 or its 成交额. */
export const LARGE_BASES = ["technologyAmount", "contractAmount"] as const;
export type LargeBasis = (typeof LARGE_BASES)[number];

/** Holidays and make-up working days (调休) of one year the `chinese-days` package does not carry, as YYYY-MM-DD. */
export interface YearCalendar {
  year: number;
  holidays: string[];
  workdays: string[];
}

/** Registration (issue 15): technology-contract registration (技术合同认定登记) at the county's registration point. */
export interface RegistrationSettings {
  /** The province's technology-market office the point works under. */
  provinceOffice: string;
  /** The national registration system (since 2026 with the MIIT Torch Centre). */
  nationalSystem: string;
  /** The registration point (技术合同登记点): its name and 2-digit number. */
  pointName: string;
  pointCode: string;
  /** Province-and-prefecture code, the first four digits of GB/T 2260 (5326 = 文山州). */
  prefectureCode: string;
  /** Review limits in working days: ordinary, and large or disputed. */
  reviewDays: number;
  largeReviewDays: number;
  /** A contract is large from this amount (fen) of `largeBasis`. */
  largeThreshold: number;
  largeBasis: LargeBasis;
  /** Years beyond the `chinese-days` package: the State Council schedule as the bureau enters it. */
  calendar: YearCalendar[];
}

export const DEFAULT_SETTINGS: PlatformSettings = {
  noticeDays: 15,
  publicAgreementNoticeDays: 15,
  noticeText: {
    zh: "本条目正在公示。对其真实性、权属或拟交易价格有异议的，请在公示期内登录后提出，平台审核人员将核实处理。",
    en: "This item is in its public notice period. If you dispute its accuracy, ownership or asking price, log in and file an objection before the notice ends; the platform's reviewers will look into it.",
  },
  showDemoAccounts: true,
  signingDeadlineDays: 10,
  commissionBps: 300,
  platformFeeBps: 0,
  buyNowDepositPercent: 10,
  buyNowConfirmHours: 48,
  bankAccount: { name: "县科技成果转移转化服务平台（演示）", bank: "中国农业银行文山分行（演示）", number: "6228 0000 0000 0000 000" },
  // County dashboard (issue 15)
  countyCode: "532623",
  registrationTargets: [],
  // Commissioners and evaluation (issue 15, points 6 and 7)
  commissionerTarget: 100,
  scorecardWeights: DEFAULT_SCORECARD_WEIGHTS,
  // Registration (issue 15)
  registration: {
    provinceOffice: "云南省技术市场管理办公室",
    nationalSystem: "工业和信息化部火炬中心",
    pointName: "西畴县科学技术局技术合同登记点",
    pointCode: "01",
    prefectureCode: "5326",
    reviewDays: 15,
    largeReviewDays: 30,
    largeThreshold: 5_000_000_00,
    largeBasis: "technologyAmount",
    calendar: [],
  },
};

/** County dashboard (issue 15): the plan's target, 技术合同交易额 above ¥2,000,000 a year, for a year the bureau has not set. */
export const DEFAULT_REGISTRATION_TARGET_FEN = 2_000_000_00;

// Commissioners and evaluation (issue 15, points 6 and 7)
export const COMMISSIONER_TARGET_MAX = 10_000;

const days = (min: number) =>
  z.coerce
    .number({ invalid_type_error: "settings.errors.days", required_error: "errors.required" })
    .int("settings.errors.days")
    .min(min, min === PUBLIC_AGREEMENT_NOTICE_MIN_DAYS ? "settings.errors.publicAgreementFloor" : "settings.errors.days")
    .max(NOTICE_MAX_DAYS, "settings.errors.days");

const text = (required: boolean) =>
  z
    .string({ required_error: "errors.required" })
    .trim()
    .max(NOTICE_TEXT_MAX, "errors.tooLong")
    .refine((v) => !required || v.length > 0, "errors.required")
    // Control characters other than line breaks have no place in a notice.
    .refine((v) => !/\p{Cc}/u.test(v.replace(/\r?\n/g, "")), "errors.invalidInput");

/** The percent → basis points of a percentage typed with at most two decimals ("2.75" → 275), exactly (no floating point). */
export function percentToBps(v: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(v.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
}

/** Basis points as the form shows them: 275 → "2.75", 300 → "3". */
export function bpsToPercent(bps: number): string {
  const whole = Math.floor(bps / 100);
  const rest = bps % 100;
  return rest ? `${whole}.${String(rest).padStart(2, "0").replace(/0$/, "")}` : String(whole);
}

/** Highest commission or fee an admin may set: half of each stage. */
export const MAX_SHARE_BPS = 5_000;
export const SIGNING_DEADLINE_MAX_DAYS = 90;
export const BUY_NOW_CONFIRM_MAX_HOURS = 720;
export const BANK_FIELD_MAX = 100;

/**
 * The settlement fields (issue 14). Each is optional in the form's shape: a form (or an older
 * client) that does not send it keeps the stored value; one that sends it empty or wrong is refused.
 */
const optionalOf = <T extends z.ZodTypeAny>(t: T) => t.optional();
const share = optionalOf(
  z.string().transform((v, ctx) => {
    const bps = percentToBps(v);
    if (bps === null || bps > MAX_SHARE_BPS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "settlementSettings.errors.percent" });
      return z.NEVER;
    }
    return bps;
  }),
);
const wholeIn = (min: number, max: number, message: string) =>
  optionalOf(
    z
      .string()
      .trim()
      .regex(/^\d{1,4}$/, message)
      .transform(Number)
      .refine((n) => n >= min && n <= max, message),
  );
const bankText = (pattern: RegExp | null, message: string) =>
  optionalOf(
    z
      .string()
      .trim()
      .min(1, message)
      .max(BANK_FIELD_MAX, message)
      .refine((v) => !/\p{Cc}/u.test(v) && (!pattern || pattern.test(v)), message),
  );

/** The settings form (checkbox: present = on). */
export const SettingsFormSchema = z.object({
  signingDeadlineDays: wholeIn(1, SIGNING_DEADLINE_MAX_DAYS, "settlementSettings.errors.days"),
  commissionPercent: share,
  platformFeePercent: share,
  buyNowDepositPercent: wholeIn(1, 100, "settlementSettings.errors.wholePercent"),
  buyNowConfirmHours: wholeIn(1, BUY_NOW_CONFIRM_MAX_HOURS, "settlementSettings.errors.hours"),
  bankName: bankText(null, "settlementSettings.errors.account"),
  bankBank: bankText(null, "settlementSettings.errors.account"),
  bankNumber: bankText(/^\d[\d -]{5,40}$/, "settlementSettings.errors.accountNumber"),
  noticeDays: days(1),
  publicAgreementNoticeDays: days(PUBLIC_AGREEMENT_NOTICE_MIN_DAYS),
  noticeTextZh: text(true),
  noticeTextEn: text(false),
  showDemoAccounts: z
    .string()
    .optional()
    .transform((v) => v === "on" || v === "true"),
});
export type SettingsFormInput = z.output<typeof SettingsFormSchema>;

/** The form's fields over `base` (the stored settings: what the form does not carry stays). */
export function settingsFromForm(v: SettingsFormInput, base: PlatformSettings): PlatformSettings {
  return {
    ...base,
    noticeDays: v.noticeDays,
    publicAgreementNoticeDays: v.publicAgreementNoticeDays,
    noticeText: { zh: v.noticeTextZh, en: v.noticeTextEn },
    showDemoAccounts: v.showDemoAccounts,
    signingDeadlineDays: v.signingDeadlineDays ?? base.signingDeadlineDays,
    commissionBps: v.commissionPercent ?? base.commissionBps,
    platformFeeBps: v.platformFeePercent ?? base.platformFeeBps,
    buyNowDepositPercent: v.buyNowDepositPercent ?? base.buyNowDepositPercent,
    buyNowConfirmHours: v.buyNowConfirmHours ?? base.buyNowConfirmHours,
    bankAccount: {
      name: v.bankName ?? base.bankAccount.name,
      bank: v.bankBank ?? base.bankAccount.bank,
      number: v.bankNumber ?? base.bankAccount.number,
    },
  };
}
