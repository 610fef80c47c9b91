import { z } from "zod";
import { isCalendarDate } from "~/utils/china-time.ts";
import {
  ACTIVITY_KINDS,
  ACTIVITY_NOTE_MAX,
  ASSIGNMENT_TARGET_TYPES,
  COMMISSIONER_NAME_MAX,
  COMMISSIONER_UNIT_MAX,
  COMMISSIONER_YEAR_MAX,
  COMMISSIONER_YEAR_MIN,
  PEOPLE_REACHED_MAX,
  PLACE_NAME_MAX,
} from "~/utils/commissioners.ts";
import { normalizePhone } from "~/utils/phone.ts";
import { INDICATORS, parseWeight, SCORECARD_KINDS, type ScorecardKind } from "~/utils/scorecards.ts";
import { FIELDS } from "~/utils/taxonomy.ts";
import { OBJECT_ID_PATTERN } from "./ids.ts";

/**
 * The registry's forms (issue 15, point 7). Messages are i18n keys under `commissioners.errors`;
 * every error is keyed by the form's field name. Whether a town code exists and whether an
 * organisation or account does is checked by the service (server-only data).
 */
const E = (k: string) => `commissioners.errors.${k}`;

const requiredText = (max: number, key: string) =>
  z
    .string({ required_error: E(key) })
    .trim()
    .min(1, E(key))
    .max(max, E(key))
    .refine((v) => !/\p{Cc}/u.test(v), E(key));

const optionalText = (max: number, key: string) =>
  z
    .string()
    .trim()
    .max(max, E(key))
    .refine((v) => !/\p{Cc}/u.test(v.replace(/\r?\n/g, "")), E(key))
    .optional()
    .transform((v) => v || undefined);

const year = z
  .string({ required_error: E("year") })
  .trim()
  .regex(/^\d{4}$/, E("year"))
  .transform(Number)
  .refine((n) => n >= COMMISSIONER_YEAR_MIN && n <= COMMISSIONER_YEAR_MAX, E("year"));

const town = z
  .string({ required_error: E("town") })
  .trim()
  .regex(/^\d{9}$/, E("town"));

export const CommissionerFormSchema = z.object({
  name: requiredText(COMMISSIONER_NAME_MAX, "name"),
  unit: requiredText(COMMISSIONER_UNIT_MAX, "unit"),
  field: z.enum(FIELDS, { errorMap: () => ({ message: E("field") }) }),
  phone: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return undefined;
      const p = normalizePhone(v);
      if (!p) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: E("phone") });
        return z.NEVER;
      }
      return p;
    }),
  /** The commissioner's account, by its email, so they can log their own activity. */
  userEmail: z
    .string()
    .trim()
    .toLowerCase()
    .max(200, E("userEmail"))
    .optional()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || z.string().email().safeParse(v).success, E("userEmail")),
});
export type CommissionerInput = z.output<typeof CommissionerFormSchema>;

export const AssignmentFormSchema = z
  .object({
    year,
    targetType: z.enum(ASSIGNMENT_TARGET_TYPES, { errorMap: () => ({ message: E("targetType") }) }),
    /** An organisation on the platform … */
    organizationId: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || undefined)
      .refine((v) => v === undefined || OBJECT_ID_PATTERN.test(v), E("organizationId")),
    /** … or a named place with its town. */
    placeName: optionalText(PLACE_NAME_MAX, "placeName"),
    town: z
      .string()
      .trim()
      .optional()
      .transform((v) => v || undefined)
      .refine((v) => v === undefined || /^\d{9}$/.test(v), E("town")),
    note: optionalText(ACTIVITY_NOTE_MAX, "note"),
  })
  .superRefine((v, ctx) => {
    for (const [path, message] of Object.entries(assignmentPlaceErrors(v)))
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
  });

/**
 * An assignment names an organisation on the platform, or a place and its town. Checked on the raw
 * values too, so a form with other errors learns about these at the same time.
 */
export function assignmentPlaceErrors(values: unknown): Record<string, string> {
  const v = (values && typeof values === "object" ? values : {}) as Record<string, unknown>;
  const filled = (k: string) => typeof v[k] === "string" && (v[k] as string).trim() !== "";
  if (filled("organizationId")) return {};
  return {
    ...(filled("placeName") ? {} : { placeName: E("placeOrOrganization") }),
    ...(filled("town") ? {} : { town: E("town") }),
  };
}
export type AssignmentInput = z.output<typeof AssignmentFormSchema>;

export const ActivityFormSchema = z.object({
  kind: z.enum(ACTIVITY_KINDS, { errorMap: () => ({ message: E("kind") }) }),
  date: z
    .string({ required_error: E("date") })
    .trim()
    .refine(isCalendarDate, E("date")),
  town,
  peopleReached: z
    .string({ required_error: E("peopleReached") })
    .trim()
    .regex(/^\d{1,6}$/, E("peopleReached"))
    .transform(Number)
    .refine((n) => n <= PEOPLE_REACHED_MAX, E("peopleReached")),
  note: optionalText(ACTIVITY_NOTE_MAX, "note"),
});
export type ActivityInput = z.output<typeof ActivityFormSchema>;

/** The list's filter: a year (default: this China-time year). */
export const YearQuerySchema = z.object({
  year: z
    .string()
    .regex(/^\d{4}$/)
    .transform(Number)
    .refine((n) => n >= COMMISSIONER_YEAR_MIN && n <= COMMISSIONER_YEAR_MAX)
    .optional()
    .catch(undefined),
});

export const TargetFormSchema = z.object({
  commissionerTarget: z
    .string({ required_error: E("target") })
    .trim()
    .regex(/^\d{1,5}$/, E("target"))
    .transform(Number),
});

/** /bureau/evaluation?year=&kind= (unknown values fall back to this year and towns). */
export const EvaluationQuerySchema = z.object({
  year: YearQuerySchema.shape.year,
  kind: z.enum(SCORECARD_KINDS).catch("town"),
});

/** The weights form of one kind: `w_<indicator>` fields. */
export function parseWeightsForm(kind: ScorecardKind, values: Record<string, string>) {
  const errors: Record<string, string[]> = {};
  const weights: Record<string, number> = {};
  for (const k of INDICATORS[kind]) {
    const w = parseWeight(values[`w_${k}`] ?? "");
    if (w === null) errors[`w_${k}`] = ["evaluation.errors.weight"];
    else weights[k] = w;
  }
  return Object.keys(errors).length ? { ok: false as const, errors } : { ok: true as const, weights };
}
