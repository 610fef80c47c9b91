import { z } from "zod";
import { CONTRACT_CATEGORIES } from "~/utils/contracts.ts";
import { fieldErrorList, fieldErrors, type FieldErrors } from "~/utils/errors.ts";
import { MAX_FEN, yuanToFen } from "~/utils/money.ts";
import { APPLICANT_SIDES, REFUSAL_GROUNDS, REGISTRATION_STATUSES } from "~/utils/registration.ts";
import { PAYMENT_METHODS, TECHNICAL_FIELD_CODES } from "~/utils/registration-fields.ts";
import { isCalendarDate } from "~/utils/china-time.ts";
import { LARGE_BASES, type YearCalendar } from "./settings.ts";

/**
 * 技术合同认定登记 (issue 15): the registration form (pages and API), the review actions, the
 * registration settings. Amounts are typed in yuan and come out in fen; errors are i18n keys under
 * `registration.errors`, keyed by dotted path (`seller.creditCode`, `nonTechItems.0.amount`).
 */
export const MAX_NON_TECH_ROWS = 6;
export const NAME_MAX = 120;
export const NOTE_MAX = 2000;

const E = (k: string) => `registration.errors.${k}`;

const text = (max: number, required: boolean) =>
  z
    .string({ required_error: "errors.required", invalid_type_error: "errors.invalidInput" })
    .trim()
    .max(max, "errors.tooLong")
    .refine((v) => !required || v.length > 0, "errors.required")
    .refine((v) => !/\p{Cc}/u.test(v.replace(/\r?\n/g, "")), "errors.invalidInput");

/** Yuan as typed ("1,234.56", "5万") or a JSON number → fen, exact to the fen. */
const yuan = z
  .union([z.string(), z.number()], { required_error: "errors.required", invalid_type_error: E("amount") })
  .transform((v, ctx) => {
    if (typeof v === "string" && !v.trim()) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "errors.required" });
      return z.NEVER;
    }
    try {
      const fen = yuanToFen(v);
      if (fen <= MAX_FEN && (typeof v !== "number" || Math.round(v * 100) === fen)) return fen;
    } catch {
      /* below */
    }
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: E("amount") });
    return z.NEVER;
  });

const day = z
  .string({ required_error: "errors.required", invalid_type_error: E("date") })
  .trim()
  .refine((v) => v.length > 0, "errors.required")
  .refine((v) => !v || /^\d{4}-\d{2}-\d{2}$/.test(v), E("date"));

export const PartySchema = z.object({
  name: text(NAME_MAX, true),
  /** 统一社会信用代码; empty only for a natural person (entity type 500). */
  creditCode: z
    .string({ invalid_type_error: E("creditCode") })
    .trim()
    .toUpperCase()
    .default(""),
  /** GB/T 2260, 6 digits. */
  region: z.string({ required_error: "errors.required", invalid_type_error: E("region") }).trim(),
  /** The 9-digit town (乡镇) code, optional. */
  town: z
    .string({ invalid_type_error: E("town") })
    .trim()
    .default("")
    .refine((v) => !v || /^\d{9}$/.test(v), E("town")),
  country: z
    .string({ invalid_type_error: E("country") })
    .trim()
    .default("156")
    .transform((v) => v || "156")
    .refine((v) => /^\d{3}$/.test(v), E("country")),
  entityType: z.string({ required_error: "errors.required", invalid_type_error: E("entityType") }).trim(),
});
export type PartyInput = z.output<typeof PartySchema>;

export const NonTechRowSchema = z.object({ label: text(60, true), amount: yuan });

export const RegistrationInputSchema = z.object({
  /** Who applies: the seller; the domestic buyer for a technology import. */
  applicantSide: z.enum(APPLICANT_SIDES, { errorMap: () => ({ message: "errors.invalidInput" }) }).default("seller"),
  projectName: text(200, true),
  category: z.enum(CONTRACT_CATEGORIES, { errorMap: () => ({ message: E("category") }) }),
  subCategory: z.string({ required_error: "errors.required" }).trim().min(1, "errors.required"),
  seller: PartySchema,
  buyer: PartySchema,
  signedOn: day,
  validFrom: day,
  validTo: day,
  technicalField: z.enum(TECHNICAL_FIELD_CODES as [string, ...string[]], { errorMap: () => ({ message: E("technicalField") }) }),
  ipType: text(60, false).default(""),
  planSource: text(200, false).default(""),
  contractAmount: yuan,
  nonTechItems: z.array(NonTechRowSchema).max(MAX_NON_TECH_ROWS, E("tooManyItems")).default([]),
  technologyAmount: yuan,
  paymentMethod: z.enum(PAYMENT_METHODS, { errorMap: () => ({ message: E("paymentMethod") }) }),
  disputed: z.boolean({ invalid_type_error: "errors.invalidInput" }).default(false),
});
export type RegistrationInput = z.output<typeof RegistrationInputSchema>;

/** Field errors keyed by dotted path. */
export function registrationFieldErrors(error: z.ZodError): FieldErrors {
  const out = fieldErrors();
  for (const issue of error.issues) fieldErrorList(out, issue.path.join(".")).push(issue.message);
  return out;
}

const PARTY_KEYS = ["name", "creditCode", "region", "town", "country", "entityType"] as const;

/**
 * A no-JS form's flat fields (`seller.name`, `nonTechItems.0.amount`, checkboxes "on") → the
 * input's shape. Rows left blank are dropped.
 */
export function registrationFromForm(v: Record<string, string>): Record<string, unknown> {
  const party = (side: string) => Object.fromEntries(PARTY_KEYS.map((k) => [k, v[`${side}.${k}`] ?? ""]));
  const rows: { label: string; amount: string }[] = [];
  for (let i = 0; i < MAX_NON_TECH_ROWS; i++) {
    const label = (v[`nonTechItems.${i}.label`] ?? "").trim();
    const amount = (v[`nonTechItems.${i}.amount`] ?? "").trim();
    if (label || amount) rows.push({ label, amount });
  }
  return {
    applicantSide: v.import === "on" || v.import === "true" ? "buyer" : "seller",
    projectName: v.projectName ?? "",
    category: v.category ?? "",
    subCategory: v.subCategory ?? "",
    seller: party("seller"),
    buyer: party("buyer"),
    signedOn: v.signedOn ?? "",
    validFrom: v.validFrom ?? "",
    validTo: v.validTo ?? "",
    technicalField: v.technicalField ?? "",
    ipType: v.ipType ?? "",
    planSource: v.planSource ?? "",
    contractAmount: v.contractAmount ?? "",
    nonTechItems: rows,
    technologyAmount: v.technologyAmount ?? "",
    paymentMethod: v.paymentMethod ?? "",
    disputed: v.disputed === "on" || v.disputed === "true",
  };
}

export const RefusalSchema = z.object({
  ground: z.enum(REFUSAL_GROUNDS, { errorMap: () => ({ message: E("ground") }) }),
  note: text(NOTE_MAX, false).default(""),
});
export const CorrectionsSchema = z.object({ note: text(NOTE_MAX, true) });

export const RegistrationListQuerySchema = z.object({
  status: z.enum(REGISTRATION_STATUSES, { errorMap: () => ({ message: E("status") }) }).optional(),
  year: z.coerce
    .number({ invalid_type_error: E("year") })
    .int(E("year"))
    .min(2000, E("year"))
    .max(2100, E("year"))
    .optional(),
});

/** The registration settings form: every field required; the calendar as one textarea per list. */
const digits = (n: number) =>
  z
    .string({ required_error: "errors.required" })
    .trim()
    .refine((v) => new RegExp(`^\\d{${n}}$`).test(v), E(`digits${n}`));
const whole = (min: number, max: number) =>
  z
    .string({ required_error: "errors.required" })
    .trim()
    .refine((v) => /^\d{1,3}$/.test(v) && Number(v) >= min && Number(v) <= max, E("reviewDays"))
    .transform(Number);

export const RegistrationSettingsFormSchema = z
  .object({
    provinceOffice: text(NAME_MAX, true),
    nationalSystem: text(NAME_MAX, true),
    pointName: text(NAME_MAX, true),
    pointCode: digits(2),
    prefectureCode: digits(4),
    reviewDays: whole(1, 90),
    largeReviewDays: whole(1, 180),
    largeThreshold: yuan,
    largeBasis: z.enum(LARGE_BASES, { errorMap: () => ({ message: "errors.invalidInput" }) }),
    /** Lines "YYYY: 2027-01-01, 2027-01-02 …" — holidays; make-up working days in `workdays`. */
    holidays: z.string().default(""),
    workdays: z.string().default(""),
  })
  .superRefine((v, ctx) => {
    for (const [path, messages] of Object.entries(parseCalendar(v.holidays, v.workdays).errors))
      for (const message of messages) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
  });
export type RegistrationSettingsForm = z.output<typeof RegistrationSettingsFormSchema>;

/** The two lists typed on the form → one calendar per year they name; a token that is no date is an error naming the list. */
export function parseCalendar(holidays: string, workdays: string): { calendar: YearCalendar[]; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const years = new Map<number, YearCalendar>();
  for (const [key, raw] of [
    ["holidays", holidays],
    ["workdays", workdays],
  ] as const) {
    const tokens = raw.split(/[\s,，;；、]+/).filter(Boolean);
    const bad = tokens.filter((t) => !isCalendarDate(t));
    if (bad.length) {
      errors[key] = ["registration.errors.calendarDate"];
      continue;
    }
    for (const t of tokens) {
      const year = Number(t.slice(0, 4));
      const c = years.get(year) ?? { year, holidays: [], workdays: [] };
      if (!c[key].includes(t)) c[key].push(t);
      years.set(year, c);
    }
  }
  for (const c of years.values()) {
    if (c.holidays.some((d) => c.workdays.includes(d))) errors.workdays = ["registration.errors.calendarBoth"];
    c.holidays.sort();
    c.workdays.sort();
  }
  return { calendar: [...years.values()].sort((a, b) => a.year - b.year), errors };
}
